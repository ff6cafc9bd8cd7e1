import { checkFlags as checkFlagsIn } from '../../core/flags.js';
import { ErrorDomain, ErrorNumber, VirError, systemError, virError } from '../../errors/index.js';

/**
 * The storage driver's errors, in libvirt 9.0's codes and wording (measured against libvirtd's `dir`
 * backend): one constructor per message, so every operation that meets the same condition says the same.
 */
export const FROM = ErrorDomain.VIR_FROM_STORAGE;
const E = ErrorNumber;

export const poolNotActive = (pool: string) =>
  virError(E.VIR_ERR_OPERATION_INVALID, FROM, `storage pool '${pool}' is not active`);
export const poolAlreadyActive = (pool: string) =>
  virError(E.VIR_ERR_OPERATION_INVALID, FROM, `storage pool '${pool}' is already active`);
export const poolStillActive = (pool: string) =>
  virError(E.VIR_ERR_OPERATION_INVALID, FROM, `storage pool '${pool}' is still active`);
export const poolHasJobs = (pool: string) =>
  virError(E.VIR_ERR_INTERNAL_ERROR, FROM, `pool '${pool}' has asynchronous jobs running.`);
export const noPoolByName = (name: string) =>
  virError(E.VIR_ERR_NO_STORAGE_POOL, FROM, `no storage pool with matching name '${name}'`);
export const noPoolByUuid = (uuid: string, name?: string) =>
  virError(E.VIR_ERR_NO_STORAGE_POOL, FROM, `no storage pool with matching uuid '${uuid}'${name ? ` (${name})` : ''}`);

export const noVolByName = (name: string) =>
  virError(E.VIR_ERR_NO_STORAGE_VOL, FROM, `no storage vol with matching name '${name}'`);
export const noVolByKey = (key: string) =>
  virError(E.VIR_ERR_NO_STORAGE_VOL, FROM, `no storage vol with matching key ${key}`);
/** libvirt names the cleaned-up path too when it differs from what the caller gave. */
export const noVolByPath = (path: string, clean: string) =>
  virError(
    E.VIR_ERR_NO_STORAGE_VOL,
    FROM,
    path === clean ? `no storage vol with matching path '${path}'` : `no storage vol with matching path '${path}' (${clean})`,
  );
export const volExists = (name: string) => virError(E.VIR_ERR_STORAGE_VOL_EXIST, FROM, `'${name}'`);
export const volNameInUse = (name: string) =>
  virError(E.VIR_ERR_INTERNAL_ERROR, FROM, `storage volume name '${name}' already in use.`);
export const volInUse = (name: string) => virError(E.VIR_ERR_OPERATION_INVALID, FROM, `volume '${name}' is still in use.`);
export const volBuilding = (name: string) =>
  virError(E.VIR_ERR_OPERATION_INVALID, FROM, `volume '${name}' is still being allocated.`);

/** virCheckFlags from the storage driver: anything outside `allowed` is refused, naming libvirt's function. */
export function checkFlags(flags: number, allowed: number, fn: string): void {
  checkFlagsIn(flags, allowed, fn, FROM);
}

/** libvirt's virReportSystemError from the storage driver: "<what>: <strerror>". */
export const sysError = (err: unknown, message: string): VirError => systemError(err, FROM, message);

export const internal = (message: string) => virError(E.VIR_ERR_INTERNAL_ERROR, FROM, message);
export const invalidArg = (message: string) => virError(E.VIR_ERR_INVALID_ARG, FROM, message);
export const operationInvalid = (message: string) => virError(E.VIR_ERR_OPERATION_INVALID, FROM, message);
export const xmlError = (message: string) => virError(E.VIR_ERR_XML_ERROR, FROM, message);
