import { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../errors/index.js';
import type { MaybePromise } from '../drivers/driver.js';
import { VirJob } from '../jobs/job.js';
import { parseUUID } from '../conf/uuid.js';

/**
 * The checks every public entry point makes before dispatching, with libvirt's codes, error domains and
 * wording (measured against libvirt 9.0): a NULL, freed or foreign handle is an error, never a crash.
 */
const { VIR_FROM_DOMAIN, VIR_FROM_DOM, VIR_FROM_NETWORK, VIR_FROM_STORAGE } = ErrorDomain;

export function checkConnect(conn: unknown, fn: string, from: ErrorDomain = VIR_FROM_DOMAIN): asserts conn is VirConnect {
  if (!(conn instanceof VirConnect) || !conn.alive) throw virError(ErrorNumber.VIR_ERR_INVALID_CONN, from, fn);
}

export function checkDomain(dom: unknown, fn: string): asserts dom is VirDomain {
  if (!(dom instanceof VirDomain) || !dom.alive || !dom.conn.alive)
    throw virError(ErrorNumber.VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, fn);
}

export function checkNetwork(net: unknown, fn: string): asserts net is VirNetwork {
  if (!(net instanceof VirNetwork) || !net.alive || !net.conn.alive)
    throw virError(ErrorNumber.VIR_ERR_INVALID_NETWORK, VIR_FROM_NETWORK, fn);
}

export function checkStoragePool(pool: unknown, fn: string): asserts pool is VirStoragePool {
  if (!(pool instanceof VirStoragePool) || !pool.alive || !pool.conn.alive)
    throw virError(ErrorNumber.VIR_ERR_INVALID_STORAGE_POOL, VIR_FROM_STORAGE, fn);
}

export function checkStorageVol(vol: unknown, fn: string): asserts vol is VirStorageVol {
  if (!(vol instanceof VirStorageVol) || !vol.alive || !vol.conn.alive)
    throw virError(ErrorNumber.VIR_ERR_INVALID_STORAGE_VOL, VIR_FROM_STORAGE, fn);
}

/** libvirt has no error code for a bad job pointer; tsvirt reports VIR_ERR_INVALID_ARG in the same wording. */
export function checkJob(job: unknown, fn: string): asserts job is VirJob {
  if (!(job instanceof VirJob) || !job.alive)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, `invalid job pointer in ${fn}`);
}

export function checkNonNull(value: unknown, arg: string, fn: string, from: ErrorDomain = VIR_FROM_DOMAIN): void {
  if (value === null || value === undefined)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${arg} in ${fn} must not be NULL`);
}

export function checkString(value: unknown, arg: string, fn: string, from: ErrorDomain = VIR_FROM_DOMAIN): asserts value is string {
  checkNonNull(value, arg, fn, from);
  if (typeof value !== 'string')
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${arg} in ${fn} must be a string, not ${typeof value}`);
}

/** Flags are C `unsigned int`: a whole number from 0 to 2^32-1. */
export function checkUInt(value: unknown, arg: string, fn: string, from: ErrorDomain = VIR_FROM_DOMAIN): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${arg} in ${fn} must be an unsigned int, not ${describe(value)}`);
}

export function checkReadWrite(conn: VirConnect, fn: string, from: ErrorDomain = VIR_FROM_DOMAIN): void {
  if (conn.readOnly)
    throw virError(ErrorNumber.VIR_ERR_OPERATION_DENIED, from, `read only access prevents ${fn}`);
}

/** The driver's implementation of `slot`, or libvirt's "not supported" error naming the public function. */
export function slot<T extends object, K extends keyof T>(
  table: T | undefined,
  key: K,
  fn: string,
  from: ErrorDomain = VIR_FROM_DOMAIN,
): NonNullable<T[K]> {
  const impl = table?.[key];
  if (typeof impl !== 'function') throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, from, fn);
  return (impl as (...args: unknown[]) => unknown).bind(table) as NonNullable<T[K]>;
}

/**
 * Maps a driver result synchronously, or after it settles if the driver answered with a promise: the one
 * place both cases meet. (Not named `then`: a module exporting `then` is a thenable, and importers await it.)
 */
export function mapResult<T, R>(value: MaybePromise<T>, map: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return typeof value;
}

/** A C count argument: negative values get libvirt's "must be zero or greater", others must fit an int. */
export function checkNonNegative(value: unknown, arg: string, fn: string, from: ErrorDomain): asserts value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value < 0)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${arg} in ${fn} must be zero or greater`);
  checkUInt(value, arg, fn, from);
}

/** A UUID string in any spelling libvirt's virUUIDParse accepts, as its canonical form. */
export function checkUuidString(value: unknown, arg: string, fn: string, from: ErrorDomain): string {
  checkNonNull(value, arg, fn, from);
  const uuid = typeof value === 'string' ? parseUUID(value) : null;
  if (!uuid) throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${arg} in ${fn} must be a valid UUID`);
  return uuid;
}

/** C's `int autostart`, given as a boolean or an integer: any non-zero value turns autostart on. */
export function checkAutostart(value: unknown, fn: string, from: ErrorDomain): boolean {
  checkNonNull(value, 'autostart', fn, from);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0;
  throw new VirError(
    ErrorNumber.VIR_ERR_INVALID_ARG,
    from,
    `autostart in ${fn} must be a boolean or an int, not ${typeof value}`,
  );
}
