import { hostname } from 'node:os';
import { VirConnect } from '../core/handles.js';
import type { NodeInfo, SecurityModel } from '../drivers/driver.js';
import { openDrivers } from '../drivers/registry.js';
import { ErrorDomain } from '../errors/index.js';
import { virConnectFlags } from '../core/enums.generated.js';
import { checkConnect, checkUInt, slot, mapResult } from './check.js';
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
  return LIB_VERSION;
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
  return driver.connectGetHostname ? driver.connectGetHostname(conn) : hostname();
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
  return true;
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
