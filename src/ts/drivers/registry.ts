import { existsSync } from 'node:fs';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { ConnectDriver, ConnectionDrivers, MaybePromise } from './driver.js';

/** The connection drivers, asked in order whether they serve a URI, as libvirt asks its drivers. */
const drivers: ConnectDriver[] = [];

export function registerConnectDriver(driver: ConnectDriver): void {
  if (!drivers.includes(driver)) drivers.push(driver);
}

/** The driver asked after every other, whenever those were registered: libvirt's remote driver's place. */
let fallback: ConnectDriver | null = null;

export function registerFallbackDriver(driver: ConnectDriver): void {
  fallback = driver;
}

/** Where libvirt's remote driver looks for the system daemon when no local driver claims a URI. */
const LIBVIRTD_SOCKET = '/var/run/libvirt/libvirt-sock';

/**
 * Set in tsvirtd's process: there, as in libvirtd ("inside_daemon"), a URI no local driver claims is not
 * handed on to a remote driver; it is simply unknown.
 */
let insideDaemon = false;

export function markInsideDaemon(): void {
  insideDaemon = true;
}

export function isInsideDaemon(): boolean {
  return insideDaemon;
}

/** A URI reference as RFC 3986 (and libxml2's xmlParseURI, which libvirt uses) allows its characters. */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function openDrivers(name: string, flags: number): MaybePromise<ConnectionDrivers> {
  const unparsable = () => virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_URI, `Unable to parse URI ${name}`);
  if (!URI_CHARS.test(name)) throw unparsable();
  // A relative reference such as `test` parses, but names no driver.
  if (!SCHEME.test(name)) throw virError(ErrorNumber.VIR_ERR_NO_CONNECT, ErrorDomain.VIR_FROM_NONE, `URI '${name}' does not include a driver name`);
  let uri: URL;
  try {
    uri = new URL(name);
  } catch {
    throw unparsable();
  }
  const driver = drivers.find((d) => d.accepts(uri)) ?? (fallback?.accepts(uri) ? fallback : undefined);
  if (driver) return driver.open(uri, flags);
  // No local driver: libvirt hands the URI to its remote driver, which first needs the daemon's socket.
  if (!insideDaemon && !existsSync(LIBVIRTD_SOCKET)) {
    throw virError(
      ErrorNumber.VIR_ERR_SYSTEM_ERROR,
      ErrorDomain.VIR_FROM_RPC,
      `Failed to connect socket to '${LIBVIRTD_SOCKET}': No such file or directory`,
    );
  }
  throw virError(ErrorNumber.VIR_ERR_NO_CONNECT, ErrorDomain.VIR_FROM_NONE, name);
}
