import { VirNetwork, type NetworkRef, type VirConnect } from '../core/handles.js';
import type { MaybePromise } from '../drivers/driver.js';
import { ErrorDomain } from '../errors/index.js';
import type { VirJob } from '../jobs/job.js';
import {
  checkAutostart,
  checkConnect,
  checkNonNegative,
  checkNetwork,
  checkReadWrite,
  checkString,
  checkUInt,
  checkUuidString,
  mapResult,
  slot,
} from './check.js';
import { jobStarter, runToEnd, splitJobFlags } from './jobs.js';
import type { JobStartOptions } from '../drivers/driver.js';

/**
 * Network entry points (libvirt-network.c): validate with libvirt's codes and wording, dispatch to the
 * connection's network driver, hand back handles the caller frees. Errors found here are VIR_FROM_NETWORK,
 * as libvirt reports them; the driver reports its own from its own domain.
 */
const FROM = ErrorDomain.VIR_FROM_NETWORK;

function nd(conn: VirConnect) {
  return conn.drivers.network;
}

const wrap = (conn: VirConnect) => (ref: NetworkRef) => new VirNetwork(conn, ref);

export function virConnectListAllNetworks(conn: VirConnect, flags: number): MaybePromise<VirNetwork[]> {
  checkConnect(conn, 'virConnectListAllNetworks', FROM);
  checkUInt(flags, 'flags', 'virConnectListAllNetworks', FROM);
  return mapResult(slot(nd(conn), 'connectListAllNetworks', 'virConnectListAllNetworks', FROM)(conn, flags), (refs) =>
    refs.map(wrap(conn)),
  );
}

export function virConnectNumOfNetworks(conn: VirConnect): MaybePromise<number> {
  checkConnect(conn, 'virConnectNumOfNetworks', FROM);
  return slot(nd(conn), 'connectNumOfNetworks', 'virConnectNumOfNetworks', FROM)(conn);
}

/** The names of up to `maxnames` active networks. */
export function virConnectListNetworks(conn: VirConnect, maxnames: number): MaybePromise<string[]> {
  checkConnect(conn, 'virConnectListNetworks', FROM);
  checkNonNegative(maxnames, 'maxnames', 'virConnectListNetworks', FROM);
  return mapResult(slot(nd(conn), 'connectListNetworks', 'virConnectListNetworks', FROM)(conn), (names) =>
    names.slice(0, maxnames),
  );
}

export function virConnectNumOfDefinedNetworks(conn: VirConnect): MaybePromise<number> {
  checkConnect(conn, 'virConnectNumOfDefinedNetworks', FROM);
  return slot(nd(conn), 'connectNumOfDefinedNetworks', 'virConnectNumOfDefinedNetworks', FROM)(conn);
}

/** The names of up to `maxnames` inactive networks. */
export function virConnectListDefinedNetworks(conn: VirConnect, maxnames: number): MaybePromise<string[]> {
  checkConnect(conn, 'virConnectListDefinedNetworks', FROM);
  checkNonNegative(maxnames, 'maxnames', 'virConnectListDefinedNetworks', FROM);
  return mapResult(slot(nd(conn), 'connectListDefinedNetworks', 'virConnectListDefinedNetworks', FROM)(conn), (names) =>
    names.slice(0, maxnames),
  );
}

export function virNetworkLookupByName(conn: VirConnect, name: string): MaybePromise<VirNetwork> {
  checkConnect(conn, 'virNetworkLookupByName', FROM);
  checkString(name, 'name', 'virNetworkLookupByName', FROM);
  return mapResult(slot(nd(conn), 'networkLookupByName', 'virNetworkLookupByName', FROM)(conn, name), wrap(conn));
}

export function virNetworkLookupByUUIDString(conn: VirConnect, uuidstr: string): MaybePromise<VirNetwork> {
  checkConnect(conn, 'virNetworkLookupByUUIDString', FROM);
  const uuid = checkUuidString(uuidstr, 'uuidstr', 'virNetworkLookupByUUIDString', FROM);
  return mapResult(slot(nd(conn), 'networkLookupByUUID', 'virNetworkLookupByUUIDString', FROM)(conn, uuid), wrap(conn));
}

/** The connection the network belongs to; like libvirt, no reference is added. */
export function virNetworkGetConnect(net: VirNetwork): VirConnect {
  checkNetwork(net, 'virNetworkGetConnect');
  return net.conn;
}

export function virNetworkGetName(net: VirNetwork): string {
  checkNetwork(net, 'virNetworkGetName');
  return net.name;
}

export function virNetworkGetUUIDString(net: VirNetwork): string {
  checkNetwork(net, 'virNetworkGetUUIDString');
  return net.uuid;
}

export function virNetworkGetXMLDesc(net: VirNetwork, flags: number): MaybePromise<string> {
  checkNetwork(net, 'virNetworkGetXMLDesc');
  checkUInt(flags, 'flags', 'virNetworkGetXMLDesc', FROM);
  return slot(nd(net.conn), 'networkGetXMLDesc', 'virNetworkGetXMLDesc', FROM)(net, flags);
}

export function virNetworkGetBridgeName(net: VirNetwork): MaybePromise<string> {
  checkNetwork(net, 'virNetworkGetBridgeName');
  return slot(nd(net.conn), 'networkGetBridgeName', 'virNetworkGetBridgeName', FROM)(net);
}

export function virNetworkGetAutostart(net: VirNetwork): MaybePromise<boolean> {
  checkNetwork(net, 'virNetworkGetAutostart');
  return slot(nd(net.conn), 'networkGetAutostart', 'virNetworkGetAutostart', FROM)(net);
}

export function virNetworkSetAutostart(net: VirNetwork, autostart: boolean | number): MaybePromise<number> {
  checkNetwork(net, 'virNetworkSetAutostart');
  checkReadWrite(net.conn, 'virNetworkSetAutostart', FROM);
  const on = checkAutostart(autostart, 'virNetworkSetAutostart', FROM);
  return mapResult(slot(nd(net.conn), 'networkSetAutostart', 'virNetworkSetAutostart', FROM)(net, on), () => 0);
}

export function virNetworkIsActive(net: VirNetwork): MaybePromise<boolean> {
  checkNetwork(net, 'virNetworkIsActive');
  return slot(nd(net.conn), 'networkIsActive', 'virNetworkIsActive', FROM)(net);
}

export function virNetworkIsPersistent(net: VirNetwork): MaybePromise<boolean> {
  checkNetwork(net, 'virNetworkIsPersistent');
  return slot(nd(net.conn), 'networkIsPersistent', 'virNetworkIsPersistent', FROM)(net);
}

function defineXML(fn: string, conn: VirConnect, xml: string, flags: number): MaybePromise<VirNetwork> {
  checkConnect(conn, fn, FROM);
  // libvirt checks write access before the XML here (and the other way round for create).
  checkReadWrite(conn, fn, FROM);
  checkString(xml, 'xml', fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return mapResult(slot(nd(conn), 'networkDefineXML', fn, FROM)(conn, xml, flags), wrap(conn));
}

export function virNetworkDefineXML(conn: VirConnect, xml: string): MaybePromise<VirNetwork> {
  return defineXML('virNetworkDefineXML', conn, xml, 0);
}

/** `flags`: virNetworkDefineFlags. */
export function virNetworkDefineXMLFlags(conn: VirConnect, xml: string, flags: number): MaybePromise<VirNetwork> {
  return defineXML('virNetworkDefineXMLFlags', conn, xml, flags);
}

export function virNetworkUndefine(net: VirNetwork): MaybePromise<number> {
  checkNetwork(net, 'virNetworkUndefine');
  checkReadWrite(net.conn, 'virNetworkUndefine', FROM);
  return mapResult(slot(nd(net.conn), 'networkUndefine', 'virNetworkUndefine', FROM)(net), () => 0);
}

export function virNetworkDestroy(net: VirNetwork): MaybePromise<number> {
  checkNetwork(net, 'virNetworkDestroy');
  checkReadWrite(net.conn, 'virNetworkDestroy', FROM);
  return mapResult(slot(nd(net.conn), 'networkDestroy', 'virNetworkDestroy', FROM)(net), () => 0);
}

// ---- jobs and their blocking twins ----

function createJob(fn: string, net: VirNetwork, flags: number, options?: JobStartOptions): MaybePromise<VirJob<void>> {
  checkNetwork(net, fn);
  checkReadWrite(net.conn, fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return slot(nd(net.conn), 'networkCreate', fn, FROM)(net, flags, jobStarter(net.conn, undefined, options));
}

/** Starts a defined network as a job; `flags` is reserved (libvirt's virNetworkCreate takes none). */
export function virNetworkCreateJob(net: VirNetwork, flags: number): MaybePromise<VirJob<void>> {
  const split = splitJobFlags(flags);
  return createJob('virNetworkCreateJob', net, split.flags, split.options);
}

export function virNetworkCreate(net: VirNetwork): Promise<number> {
  return runToEnd(() => createJob('virNetworkCreate', net, 0), () => 0);
}

function createXMLJob(fn: string, conn: VirConnect, xml: string, flags: number, options?: JobStartOptions): MaybePromise<VirJob<NetworkRef>> {
  checkConnect(conn, fn, FROM);
  checkString(xml, 'xmlDesc', fn, FROM);
  checkReadWrite(conn, fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return slot(nd(conn), 'networkCreateXML', fn, FROM)(conn, xml, flags, jobStarter(conn, 'network', options));
}

/** Creates and starts a transient network as a job; once completed, virJobGetNetwork returns it. */
export function virNetworkCreateXMLJob(conn: VirConnect, xml: string, flags: number): MaybePromise<VirJob<NetworkRef>> {
  const split = splitJobFlags(flags);
  return createXMLJob('virNetworkCreateXMLJob', conn, xml, split.flags, split.options);
}

export function virNetworkCreateXML(conn: VirConnect, xml: string): Promise<VirNetwork> {
  return runToEnd(() => createXMLJob('virNetworkCreateXML', conn, xml, 0), (job) => job.network!.ref());
}

/** `flags`: virNetworkCreateFlags. */
export function virNetworkCreateXMLFlags(conn: VirConnect, xml: string, flags: number): Promise<VirNetwork> {
  return runToEnd(() => createXMLJob('virNetworkCreateXMLFlags', conn, xml, flags), (job) => job.network!.ref());
}

export function virNetworkRef(net: VirNetwork): number {
  checkNetwork(net, 'virNetworkRef');
  net.ref();
  return 0;
}

export function virNetworkFree(net: VirNetwork): number {
  checkNetwork(net, 'virNetworkFree');
  net.unref();
  return 0;
}

// ---- argument checks shared with the storage entry points, in libvirt's wording ----

/**
 * The job of a blocking call, started under that call's name: errors found before the job starts name it
 * (`read only access prevents virDomainSave`), as they do when the blocking call itself is made. tsvirt's
 * idiomatic methods stand for libvirt's blocking calls, so they start their jobs this way.
 */
export const startJobAs = { create: createJob, createXML: createXMLJob };
