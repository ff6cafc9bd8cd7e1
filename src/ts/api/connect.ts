import { VirConnect } from '../core/handles.js';
import type { MaybePromise, NodeInfo, SecurityModel } from '../drivers/driver.js';
import { openDrivers } from '../drivers/registry.js';
import { ErrorDomain, ErrorNumber, virError, type VirError } from '../errors/index.js';
import { virConnectFlags } from '../core/enums.generated.js';
import { checkConnect, checkNonNull, checkUInt, slot, mapResult } from './check.js';
import '../drivers/builtin.js';

/** libvirt 9.0.0, as libvirt encodes versions: major * 1,000,000 + minor * 1,000 + release. */
export const LIB_VERSION = 9_000_000;


const { VIR_FROM_DOMAIN } = ErrorDomain;

/** The URI used when none is given: LIBVIRT_DEFAULT_URI, else the built-in test driver. */
export function defaultUri(): string {
  return process.env.LIBVIRT_DEFAULT_URI || 'test:///default';
}

export function virConnectOpenAuth(name: string | null, _auth: unknown, flags: number): VirConnect | Promise<VirConnect> {
  checkUInt(flags, 'flags', 'virConnectOpenAuth');
  // libvirt takes an empty name as no name at all.
  const uri = name === null || name === '' ? defaultUri() : name;
  const readOnly = (flags & virConnectFlags.VIR_CONNECT_RO) !== 0;
  return mapResult(openDrivers(uri, flags), (drivers) => new VirConnect(drivers.uri, drivers, readOnly));
}

export function virConnectOpen(name: string | null) {
  return virConnectOpenAuth(name, null, 0);
}

export function virConnectOpenReadOnly(name: string | null) {
  return virConnectOpenAuth(name, null, virConnectFlags.VIR_CONNECT_RO);
}

/** Drops the caller's reference: 1 while other references keep the connection open, 0 once closed. */
export function virConnectClose(conn: VirConnect): number {
  checkConnect(conn, 'virConnectClose', ErrorDomain.VIR_FROM_NONE);
  return conn.unref() > 0 ? 1 : 0;
}

export function virConnectRef(conn: VirConnect): number {
  checkConnect(conn, 'virConnectRef');
  conn.ref();
  return 0;
}

export function virGetVersion(): { libVer: number; typeVer: number } {
  return { libVer: LIB_VERSION, typeVer: LIB_VERSION };
}

export function virConnectGetLibVersion(conn: VirConnect): number {
  checkConnect(conn, 'virConnectGetLibVersion');
  return conn.drivers.hypervisor.connectGetLibVersion?.(conn) ?? LIB_VERSION;
}

/**
 * virConnectSetKeepAlive: 0 once set, 1 when the daemon does not speak keepalive; a connection to a local
 * driver has nothing to keep alive (libvirt's "not supported").
 */
export function virConnectSetKeepAlive(conn: VirConnect, interval: number, count: number): MaybePromise<number> {
  const fn = 'virConnectSetKeepAlive';
  checkConnect(conn, fn);
  if (!Number.isInteger(interval)) throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, `interval in ${fn} must be an int`);
  checkUInt(count, 'count', fn);
  return slot(conn.drivers.hypervisor, 'connectSetKeepAlive', fn)(conn, interval, count);
}

export function virConnectGetType(conn: VirConnect): string {
  checkConnect(conn, 'virConnectGetType');
  const driver = conn.drivers.hypervisor;
  return driver.connectGetType ? driver.connectGetType(conn) : driver.name;
}

export function virConnectGetVersion(conn: VirConnect): number {
  checkConnect(conn, 'virConnectGetVersion');
  return slot(conn.drivers.hypervisor, 'connectGetVersion', 'virConnectGetVersion')(conn);
}

export function virConnectGetURI(conn: VirConnect): string {
  checkConnect(conn, 'virConnectGetURI');
  return conn.uri;
}

export function virConnectGetHostname(conn: VirConnect) {
  checkConnect(conn, 'virConnectGetHostname');
  const driver = conn.drivers.hypervisor;
  // node:os on first use: a short tsvirsh command does not need it (0.5 ms of its start).
  return driver.connectGetHostname ? driver.connectGetHostname(conn) : process.getBuiltinModule('node:os').hostname();
}

export function virConnectGetCapabilities(conn: VirConnect) {
  checkConnect(conn, 'virConnectGetCapabilities');
  return slot(conn.drivers.hypervisor, 'connectGetCapabilities', 'virConnectGetCapabilities')(conn);
}

export function virConnectGetMaxVcpus(conn: VirConnect, type: string | null) {
  checkConnect(conn, 'virConnectGetMaxVcpus');
  return slot(conn.drivers.hypervisor, 'connectGetMaxVcpus', 'virConnectGetMaxVcpus')(conn, type);
}

export function virConnectIsAlive(conn: VirConnect): boolean {
  checkConnect(conn, 'virConnectIsAlive');
  return conn.drivers.hypervisor.connectIsAlive?.(conn) ?? true;
}

/** libvirt's virConnectCloseFunc: `reason` is a virConnectCloseReason (ERROR 0, EOF 1, KEEPALIVE 2, CLIENT 3). */
export type virConnectCloseFunc = (conn: VirConnect, reason: number, opaque: unknown) => void;

interface CloseRegistration {
  readonly cb: virConnectCloseFunc;
  readonly opaque: unknown;
  /** null once it ran (after the callback fired) */
  freecb: ((opaque: unknown) => void) | null;
  readonly relay: (reason: number, error?: VirError) => void;
}

/** One close callback per connection of a driver that has them, as libvirt's remote driver allows. */
const closeCallbacks = new WeakMap<VirConnect, CloseRegistration>();

/** What ended a connection whose close callback was called, for the C bridge: libvirt's loop thread holds it
 * as its last error when the callback runs. */
const closeErrors = new WeakMap<VirConnect, VirError>();

/** The error that ended `conn`, once its close callback was called for one. */
export function closeError(conn: VirConnect): VirError | undefined {
  return closeErrors.get(conn);
}

/** The errors of libvirt's remote driver, the one driver with close callbacks. */
const closeCallbackError = (message: string) => virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_REMOTE, message);

/**
 * virConnectRegisterCloseCallback: `cb` runs when the connection is lost other than by virConnectClose (the
 * daemon gone, a keepalive timeout), then `freecb`; as in libvirt 9.0 the callback then stays registered
 * (registering another fails, unregistering it needs the lost connection), its opaque released. A
 * connection has at most one. A driver whose connections cannot be lost (a local one) accepts any and
 * keeps none, as libvirt's local drivers: it never calls them, nor their freecb.
 */
export function virConnectRegisterCloseCallback(
  conn: VirConnect,
  cb: virConnectCloseFunc,
  opaque: unknown = null,
  freecb: ((opaque: unknown) => void) | null = null,
): MaybePromise<number> {
  const fn = 'virConnectRegisterCloseCallback';
  checkConnect(conn, fn);
  checkNonNull(cb, 'cb', fn);
  const register = conn.drivers.hypervisor.connectRegisterCloseCallback;
  if (!register) return 0;
  if (closeCallbacks.has(conn)) throw closeCallbackError('A close callback is already registered');
  const registration: CloseRegistration = {
    cb,
    opaque,
    freecb,
    relay: (reason, error) => {
      if (error) closeErrors.set(conn, error);
      try {
        cb(conn, reason, opaque);
      } catch (err) {
        process.emitWarning(`tsvirt: a connection close callback failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const free = registration.freecb;
      registration.freecb = null;
      free?.(opaque);
    },
  };
  closeCallbacks.set(conn, registration);
  try {
    return mapResult(register.call(conn.drivers.hypervisor, conn, registration.relay), () => 0);
  } catch (err) {
    closeCallbacks.delete(conn);
    throw err;
  }
}

/**
 * virConnectUnregisterCloseCallback: `cb` must be the registered one; its freecb runs (unless it ran when the
 * callback fired). A local driver's connection keeps none: 0.
 */
export function virConnectUnregisterCloseCallback(conn: VirConnect, cb: virConnectCloseFunc): MaybePromise<number> {
  const fn = 'virConnectUnregisterCloseCallback';
  checkConnect(conn, fn);
  checkNonNull(cb, 'cb', fn);
  const unregister = conn.drivers.hypervisor.connectUnregisterCloseCallback;
  if (!unregister) return 0;
  const registration = closeCallbacks.get(conn);
  if (!registration || registration.cb !== cb) throw closeCallbackError('A different callback was requested');
  return mapResult(unregister.call(conn.drivers.hypervisor, conn, registration.relay), () => {
    if (closeCallbacks.get(conn) === registration) closeCallbacks.delete(conn);
    const free = registration.freecb;
    registration.freecb = null;
    free?.(registration.opaque);
    return 0;
  });
}

/** Whether `conn` keeps close callbacks (its driver's connections can be lost). */
export function hasCloseCallbacks(conn: VirConnect): boolean {
  return conn.drivers.hypervisor.connectRegisterCloseCallback !== undefined;
}

export function virConnectIsSecure(conn: VirConnect): boolean {
  checkConnect(conn, 'virConnectIsSecure');
  return conn.drivers.hypervisor.connectIsSecure?.(conn) ?? true;
}

export function virConnectIsEncrypted(conn: VirConnect): boolean {
  checkConnect(conn, 'virConnectIsEncrypted');
  return conn.drivers.hypervisor.connectIsEncrypted?.(conn) ?? false;
}

export function virNodeGetInfo(conn: VirConnect): NodeInfo | Promise<NodeInfo> {
  checkConnect(conn, 'virNodeGetInfo');
  return slot(conn.drivers.hypervisor, 'nodeGetInfo', 'virNodeGetInfo')(conn);
}

export function virNodeGetSecurityModel(conn: VirConnect): SecurityModel | Promise<SecurityModel> {
  checkConnect(conn, 'virNodeGetSecurityModel', VIR_FROM_DOMAIN);
  return slot(conn.drivers.hypervisor, 'nodeGetSecurityModel', 'virNodeGetSecurityModel')(conn);
}
