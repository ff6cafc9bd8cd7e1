import { VirStoragePool, VirStorageVol, type StoragePoolRef, type StorageVolRef, type VirConnect } from '../core/handles.js';
import type { MaybePromise, StoragePoolInfo, StorageVolInfo } from '../drivers/driver.js';
import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';
import type { VirJob } from '../jobs/job.js';
import {
  checkAutostart,
  checkConnect,
  checkNonNegative,
  checkUuidString,
  checkReadWrite,
  checkStoragePool,
  checkStorageVol,
  checkString,
  checkUInt,
  slot,
  mapResult,
} from './check.js';
import { checkFlags } from '../core/flags.js';
import { virConnectListAllStoragePoolsFlags, virStorageVolResizeFlags, virStorageVolWipeAlgorithm } from '../core/enums.generated.js';
import { jobStarter, runToEnd, splitJobFlags } from './jobs.js';
import type { JobStartOptions } from '../drivers/driver.js';

/**
 * Storage pool and volume entry points (libvirt-storage.c): validate with libvirt's codes and wording,
 * dispatch to the connection's storage driver, hand back handles the caller frees. Errors found here are
 * VIR_FROM_STORAGE, as libvirt reports them.
 */
const FROM = ErrorDomain.VIR_FROM_STORAGE;
const { VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE } = virConnectListAllStoragePoolsFlags;

function sd(conn: VirConnect) {
  return conn.drivers.storage;
}

const wrapPool = (conn: VirConnect) => (ref: StoragePoolRef) => new VirStoragePool(conn, ref);
const wrapVol = (conn: VirConnect) => (ref: StorageVolRef) => new VirStorageVol(conn, ref);

// ---- pools: lists and lookups ----

export function virConnectListAllStoragePools(conn: VirConnect, flags: number): MaybePromise<VirStoragePool[]> {
  checkConnect(conn, 'virConnectListAllStoragePools', FROM);
  checkUInt(flags, 'flags', 'virConnectListAllStoragePools', FROM);
  return mapResult(
    slot(sd(conn), 'connectListAllStoragePools', 'virConnectListAllStoragePools', FROM)(conn, flags),
    (refs) => refs.map(wrapPool(conn)),
  );
}

/**
 * The old counting and naming calls are the filtered full list: the driver table has one way to enumerate
 * pools, so every form sees the same pools in the same order.
 */
function poolNames(fn: string, conn: VirConnect, active: boolean): MaybePromise<string[]> {
  const filter = active ? VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE : VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
  return mapResult(slot(sd(conn), 'connectListAllStoragePools', fn, FROM)(conn, filter), (refs) => refs.map((r) => r.name));
}

export function virConnectNumOfStoragePools(conn: VirConnect): MaybePromise<number> {
  checkConnect(conn, 'virConnectNumOfStoragePools', FROM);
  return mapResult(poolNames('virConnectNumOfStoragePools', conn, true), (names) => names.length);
}

/** The names of up to `maxnames` active pools. */
export function virConnectListStoragePools(conn: VirConnect, maxnames: number): MaybePromise<string[]> {
  checkConnect(conn, 'virConnectListStoragePools', FROM);
  checkNonNegative(maxnames, 'maxnames', 'virConnectListStoragePools', FROM);
  return mapResult(poolNames('virConnectListStoragePools', conn, true), (names) => names.slice(0, maxnames));
}

export function virConnectNumOfDefinedStoragePools(conn: VirConnect): MaybePromise<number> {
  checkConnect(conn, 'virConnectNumOfDefinedStoragePools', FROM);
  return mapResult(poolNames('virConnectNumOfDefinedStoragePools', conn, false), (names) => names.length);
}

/** The names of up to `maxnames` inactive pools. */
export function virConnectListDefinedStoragePools(conn: VirConnect, maxnames: number): MaybePromise<string[]> {
  checkConnect(conn, 'virConnectListDefinedStoragePools', FROM);
  checkNonNegative(maxnames, 'maxnames', 'virConnectListDefinedStoragePools', FROM);
  return mapResult(poolNames('virConnectListDefinedStoragePools', conn, false), (names) => names.slice(0, maxnames));
}

export function virStoragePoolLookupByName(conn: VirConnect, name: string): MaybePromise<VirStoragePool> {
  checkConnect(conn, 'virStoragePoolLookupByName', FROM);
  checkString(name, 'name', 'virStoragePoolLookupByName', FROM);
  return mapResult(slot(sd(conn), 'storagePoolLookupByName', 'virStoragePoolLookupByName', FROM)(conn, name), wrapPool(conn));
}

export function virStoragePoolLookupByUUIDString(conn: VirConnect, uuidstr: string): MaybePromise<VirStoragePool> {
  checkConnect(conn, 'virStoragePoolLookupByUUIDString', FROM);
  const uuid = checkUuidString(uuidstr, 'uuidstr', 'virStoragePoolLookupByUUIDString', FROM);
  return mapResult(
    slot(sd(conn), 'storagePoolLookupByUUID', 'virStoragePoolLookupByUUIDString', FROM)(conn, uuid),
    wrapPool(conn),
  );
}

export function virStoragePoolLookupByVolume(vol: VirStorageVol): MaybePromise<VirStoragePool> {
  checkStorageVol(vol, 'virStoragePoolLookupByVolume');
  return mapResult(
    slot(sd(vol.conn), 'storagePoolLookupByVolume', 'virStoragePoolLookupByVolume', FROM)(vol),
    wrapPool(vol.conn),
  );
}

// ---- pools: queries ----

/** The connection the pool belongs to; like libvirt, no reference is added. */
export function virStoragePoolGetConnect(pool: VirStoragePool): VirConnect {
  checkStoragePool(pool, 'virStoragePoolGetConnect');
  return pool.conn;
}

export function virStoragePoolGetName(pool: VirStoragePool): string {
  checkStoragePool(pool, 'virStoragePoolGetName');
  return pool.name;
}

export function virStoragePoolGetUUIDString(pool: VirStoragePool): string {
  checkStoragePool(pool, 'virStoragePoolGetUUIDString');
  return pool.uuid;
}

export function virStoragePoolGetInfo(pool: VirStoragePool): MaybePromise<StoragePoolInfo> {
  checkStoragePool(pool, 'virStoragePoolGetInfo');
  return slot(sd(pool.conn), 'storagePoolGetInfo', 'virStoragePoolGetInfo', FROM)(pool);
}

/** `flags`: virStorageXMLFlags. */
export function virStoragePoolGetXMLDesc(pool: VirStoragePool, flags: number): MaybePromise<string> {
  checkStoragePool(pool, 'virStoragePoolGetXMLDesc');
  checkUInt(flags, 'flags', 'virStoragePoolGetXMLDesc', FROM);
  return slot(sd(pool.conn), 'storagePoolGetXMLDesc', 'virStoragePoolGetXMLDesc', FROM)(pool, flags);
}

export function virStoragePoolGetAutostart(pool: VirStoragePool): MaybePromise<boolean> {
  checkStoragePool(pool, 'virStoragePoolGetAutostart');
  return slot(sd(pool.conn), 'storagePoolGetAutostart', 'virStoragePoolGetAutostart', FROM)(pool);
}

export function virStoragePoolSetAutostart(pool: VirStoragePool, autostart: boolean | number): MaybePromise<number> {
  checkStoragePool(pool, 'virStoragePoolSetAutostart');
  checkReadWrite(pool.conn, 'virStoragePoolSetAutostart', FROM);
  const on = checkAutostart(autostart, 'virStoragePoolSetAutostart', FROM);
  return mapResult(slot(sd(pool.conn), 'storagePoolSetAutostart', 'virStoragePoolSetAutostart', FROM)(pool, on), () => 0);
}

export function virStoragePoolIsActive(pool: VirStoragePool): MaybePromise<boolean> {
  checkStoragePool(pool, 'virStoragePoolIsActive');
  return slot(sd(pool.conn), 'storagePoolIsActive', 'virStoragePoolIsActive', FROM)(pool);
}

export function virStoragePoolIsPersistent(pool: VirStoragePool): MaybePromise<boolean> {
  checkStoragePool(pool, 'virStoragePoolIsPersistent');
  return slot(sd(pool.conn), 'storagePoolIsPersistent', 'virStoragePoolIsPersistent', FROM)(pool);
}

// ---- pools: definitions and state changes ----

/** `flags`: virStoragePoolDefineFlags. */
export function virStoragePoolDefineXML(conn: VirConnect, xml: string, flags: number): MaybePromise<VirStoragePool> {
  checkConnect(conn, 'virStoragePoolDefineXML', FROM);
  // libvirt checks write access before the XML here (and the other way round for create).
  checkReadWrite(conn, 'virStoragePoolDefineXML', FROM);
  checkString(xml, 'xml', 'virStoragePoolDefineXML', FROM);
  checkUInt(flags, 'flags', 'virStoragePoolDefineXML', FROM);
  return mapResult(slot(sd(conn), 'storagePoolDefineXML', 'virStoragePoolDefineXML', FROM)(conn, xml, flags), wrapPool(conn));
}

/** Creates and starts a transient pool; `flags`: virStoragePoolCreateFlags. */
export function virStoragePoolCreateXML(conn: VirConnect, xmlDesc: string, flags: number): MaybePromise<VirStoragePool> {
  checkConnect(conn, 'virStoragePoolCreateXML', FROM);
  checkString(xmlDesc, 'xmlDesc', 'virStoragePoolCreateXML', FROM);
  checkReadWrite(conn, 'virStoragePoolCreateXML', FROM);
  checkUInt(flags, 'flags', 'virStoragePoolCreateXML', FROM);
  return mapResult(
    slot(sd(conn), 'storagePoolCreateXML', 'virStoragePoolCreateXML', FROM)(conn, xmlDesc, flags),
    wrapPool(conn),
  );
}

type PoolChange = 'storagePoolBuild' | 'storagePoolCreate' | 'storagePoolDelete' | 'storagePoolRefresh';
type PoolChangeNoFlags = 'storagePoolDestroy' | 'storagePoolUndefine';

/** The pool state changes share one shape: check the handle and write access, then dispatch. */
function poolChange(fn: string, key: PoolChange, pool: VirStoragePool, flags: number): MaybePromise<number> {
  checkStoragePool(pool, fn);
  checkReadWrite(pool.conn, fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return mapResult(slot(sd(pool.conn), key, fn, FROM)(pool, flags), () => 0);
}

function poolChangeNoFlags(fn: string, key: PoolChangeNoFlags, pool: VirStoragePool): MaybePromise<number> {
  checkStoragePool(pool, fn);
  checkReadWrite(pool.conn, fn, FROM);
  return mapResult(slot(sd(pool.conn), key, fn, FROM)(pool), () => 0);
}

/** `flags`: virStoragePoolBuildFlags. */
export const virStoragePoolBuild = (pool: VirStoragePool, flags: number) =>
  poolChange('virStoragePoolBuild', 'storagePoolBuild', pool, flags);
/** Starts an inactive pool; `flags`: virStoragePoolCreateFlags. */
export const virStoragePoolCreate = (pool: VirStoragePool, flags: number) =>
  poolChange('virStoragePoolCreate', 'storagePoolCreate', pool, flags);
/** `flags`: virStoragePoolDeleteFlags. */
export const virStoragePoolDelete = (pool: VirStoragePool, flags: number) =>
  poolChange('virStoragePoolDelete', 'storagePoolDelete', pool, flags);
export const virStoragePoolRefresh = (pool: VirStoragePool, flags: number) =>
  poolChange('virStoragePoolRefresh', 'storagePoolRefresh', pool, flags);
export const virStoragePoolDestroy = (pool: VirStoragePool) =>
  poolChangeNoFlags('virStoragePoolDestroy', 'storagePoolDestroy', pool);
export const virStoragePoolUndefine = (pool: VirStoragePool) =>
  poolChangeNoFlags('virStoragePoolUndefine', 'storagePoolUndefine', pool);

// ---- pools: their volumes ----

export function virStoragePoolListAllVolumes(pool: VirStoragePool, flags: number): MaybePromise<VirStorageVol[]> {
  checkStoragePool(pool, 'virStoragePoolListAllVolumes');
  checkUInt(flags, 'flags', 'virStoragePoolListAllVolumes', FROM);
  return mapResult(
    slot(sd(pool.conn), 'storagePoolListAllVolumes', 'virStoragePoolListAllVolumes', FROM)(pool, flags),
    (refs) => refs.map(wrapVol(pool.conn)),
  );
}

function volumeNames(fn: string, pool: VirStoragePool): MaybePromise<string[]> {
  return mapResult(slot(sd(pool.conn), 'storagePoolListAllVolumes', fn, FROM)(pool, 0), (refs) => refs.map((r) => r.name));
}

export function virStoragePoolNumOfVolumes(pool: VirStoragePool): MaybePromise<number> {
  checkStoragePool(pool, 'virStoragePoolNumOfVolumes');
  return mapResult(volumeNames('virStoragePoolNumOfVolumes', pool), (names) => names.length);
}

/** The names of up to `maxnames` volumes of the pool. */
export function virStoragePoolListVolumes(pool: VirStoragePool, maxnames: number): MaybePromise<string[]> {
  checkStoragePool(pool, 'virStoragePoolListVolumes');
  checkNonNegative(maxnames, 'maxnames', 'virStoragePoolListVolumes', FROM);
  return mapResult(volumeNames('virStoragePoolListVolumes', pool), (names) => names.slice(0, maxnames));
}

export function virStoragePoolRef(pool: VirStoragePool): number {
  checkStoragePool(pool, 'virStoragePoolRef');
  pool.ref();
  return 0;
}

export function virStoragePoolFree(pool: VirStoragePool): number {
  checkStoragePool(pool, 'virStoragePoolFree');
  pool.unref();
  return 0;
}

// ---- volumes: lookups and queries ----

export function virStorageVolLookupByName(pool: VirStoragePool, name: string): MaybePromise<VirStorageVol> {
  checkStoragePool(pool, 'virStorageVolLookupByName');
  checkString(name, 'name', 'virStorageVolLookupByName', FROM);
  return mapResult(
    slot(sd(pool.conn), 'storageVolLookupByName', 'virStorageVolLookupByName', FROM)(pool, name),
    wrapVol(pool.conn),
  );
}

export function virStorageVolLookupByKey(conn: VirConnect, key: string): MaybePromise<VirStorageVol> {
  checkConnect(conn, 'virStorageVolLookupByKey', FROM);
  checkString(key, 'key', 'virStorageVolLookupByKey', FROM);
  return mapResult(slot(sd(conn), 'storageVolLookupByKey', 'virStorageVolLookupByKey', FROM)(conn, key), wrapVol(conn));
}

export function virStorageVolLookupByPath(conn: VirConnect, path: string): MaybePromise<VirStorageVol> {
  checkConnect(conn, 'virStorageVolLookupByPath', FROM);
  checkString(path, 'path', 'virStorageVolLookupByPath', FROM);
  return mapResult(slot(sd(conn), 'storageVolLookupByPath', 'virStorageVolLookupByPath', FROM)(conn, path), wrapVol(conn));
}

/** The connection the volume belongs to; like libvirt, no reference is added. */
export function virStorageVolGetConnect(vol: VirStorageVol): VirConnect {
  checkStorageVol(vol, 'virStorageVolGetConnect');
  return vol.conn;
}

export function virStorageVolGetName(vol: VirStorageVol): string {
  checkStorageVol(vol, 'virStorageVolGetName');
  return vol.name;
}

export function virStorageVolGetKey(vol: VirStorageVol): string {
  checkStorageVol(vol, 'virStorageVolGetKey');
  return vol.key;
}

export function virStorageVolGetPath(vol: VirStorageVol): MaybePromise<string> {
  checkStorageVol(vol, 'virStorageVolGetPath');
  return slot(sd(vol.conn), 'storageVolGetPath', 'virStorageVolGetPath', FROM)(vol);
}

export function virStorageVolGetInfo(vol: VirStorageVol): MaybePromise<StorageVolInfo> {
  checkStorageVol(vol, 'virStorageVolGetInfo');
  return slot(sd(vol.conn), 'storageVolGetInfo', 'virStorageVolGetInfo', FROM)(vol);
}

export function virStorageVolGetXMLDesc(vol: VirStorageVol, flags: number): MaybePromise<string> {
  checkStorageVol(vol, 'virStorageVolGetXMLDesc');
  checkUInt(flags, 'flags', 'virStorageVolGetXMLDesc', FROM);
  return slot(sd(vol.conn), 'storageVolGetXMLDesc', 'virStorageVolGetXMLDesc', FROM)(vol, flags);
}

// ---- volumes: changes ----

/** `flags`: virStorageVolDeleteFlags. */
export function virStorageVolDelete(vol: VirStorageVol, flags: number): MaybePromise<number> {
  checkStorageVol(vol, 'virStorageVolDelete');
  checkReadWrite(vol.conn, 'virStorageVolDelete', FROM);
  checkUInt(flags, 'flags', 'virStorageVolDelete', FROM);
  return mapResult(slot(sd(vol.conn), 'storageVolDelete', 'virStorageVolDelete', FROM)(vol, flags), () => 0);
}

/** `capacity` in bytes (C's unsigned long long); `flags`: virStorageVolResizeFlags. */
export function virStorageVolResize(vol: VirStorageVol, capacity: number, flags: number): MaybePromise<number> {
  const fn = 'virStorageVolResize';
  checkStorageVol(vol, fn);
  checkReadWrite(vol.conn, fn, FROM);
  if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 0)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `capacity in ${fn} must be a whole number of bytes`);
  checkUInt(flags, 'flags', fn, FROM);
  const { VIR_STORAGE_VOL_RESIZE_DELTA, VIR_STORAGE_VOL_RESIZE_SHRINK } = virStorageVolResizeFlags;
  // Zero is only meaningful relative to something: "grow by nothing" or "shrink by".
  if (capacity === 0 && !(flags & (VIR_STORAGE_VOL_RESIZE_DELTA | VIR_STORAGE_VOL_RESIZE_SHRINK)))
    throw new VirError(
      ErrorNumber.VIR_ERR_INVALID_ARG,
      FROM,
      `capacity in ${fn} cannot be zero without 'delta' or 'shrink' flags set`,
    );
  return mapResult(slot(sd(vol.conn), 'storageVolResize', fn, FROM)(vol, capacity, flags), () => 0);
}

export function virStorageVolRef(vol: VirStorageVol): number {
  checkStorageVol(vol, 'virStorageVolRef');
  vol.ref();
  return 0;
}

export function virStorageVolFree(vol: VirStorageVol): number {
  checkStorageVol(vol, 'virStorageVolFree');
  vol.unref();
  return 0;
}

// ---- jobs and their blocking twins ----

function createJob(fn: string, pool: VirStoragePool, xmlDesc: string, flags: number, options?: JobStartOptions): MaybePromise<VirJob<StorageVolRef>> {
  checkStoragePool(pool, fn);
  checkString(xmlDesc, 'xmlDesc', fn, FROM);
  checkReadWrite(pool.conn, fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return slot(sd(pool.conn), 'storageVolCreateXML', fn, FROM)(pool, xmlDesc, flags, jobStarter(pool.conn, 'vol', options));
}

/**
 * Creates a volume as a job that allocates its `allocation` bytes; once completed, virJobGetStorageVol returns
 * the volume. `flags`: virStorageVolCreateFlags.
 */
export function virStorageVolCreateXMLJob(
  pool: VirStoragePool,
  xmlDesc: string,
  createflags: number,
  flags: number,
): MaybePromise<VirJob<StorageVolRef>> {
  const split = checkReservedFlags(flags, 'virStorageVolCreateXMLJob');
  return createJob('virStorageVolCreateXMLJob', pool, xmlDesc, createflags, split.options);
}

export function virStorageVolCreateXML(pool: VirStoragePool, xmlDesc: string, flags: number): Promise<VirStorageVol> {
  return runToEnd(() => createJob('virStorageVolCreateXML', pool, xmlDesc, flags), (job) => job.vol!.ref());
}

function cloneJob(
  fn: string,
  pool: VirStoragePool,
  xmlDesc: string,
  clonevol: VirStorageVol,
  flags: number,
  options?: JobStartOptions,
): MaybePromise<VirJob<StorageVolRef>> {
  checkStoragePool(pool, fn);
  checkStorageVol(clonevol, fn);
  checkString(xmlDesc, 'xmlDesc', fn, FROM);
  checkReadWrite(pool.conn, fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return slot(sd(pool.conn), 'storageVolCreateXMLFrom', fn, FROM)(pool, xmlDesc, clonevol, flags, jobStarter(pool.conn, 'vol', options));
}

/** Clones `clonevol` into a new volume of `pool` as a job; once completed, virJobGetStorageVol returns it. */
export function virStorageVolCreateXMLFromJob(
  pool: VirStoragePool,
  xmlDesc: string,
  clonevol: VirStorageVol,
  createflags: number,
  flags: number,
): MaybePromise<VirJob<StorageVolRef>> {
  const split = checkReservedFlags(flags, 'virStorageVolCreateXMLFromJob');
  return cloneJob('virStorageVolCreateXMLFromJob', pool, xmlDesc, clonevol, createflags, split.options);
}

/** The job variants' own trailing `flags`: only the job start flags (virJobStartFlags) are defined. */
function checkReservedFlags(flags: number, fn: string) {
  checkUInt(flags, 'flags', fn, FROM);
  const split = splitJobFlags(flags);
  checkFlags(split.flags, 0, fn, FROM);
  return split;
}

export function virStorageVolCreateXMLFrom(
  pool: VirStoragePool,
  xmlDesc: string,
  clonevol: VirStorageVol,
  flags: number,
): Promise<VirStorageVol> {
  return runToEnd(() => cloneJob('virStorageVolCreateXMLFrom', pool, xmlDesc, clonevol, flags), (job) => job.vol!.ref());
}

function wipeJob(fn: string, vol: VirStorageVol, algorithm: number, flags: number, options?: JobStartOptions): MaybePromise<VirJob<void>> {
  checkStorageVol(vol, fn);
  checkReadWrite(vol.conn, fn, FROM);
  checkUInt(algorithm, 'algorithm', fn, FROM);
  checkUInt(flags, 'flags', fn, FROM);
  return slot(sd(vol.conn), 'storageVolWipe', fn, FROM)(vol, algorithm, flags, jobStarter(vol.conn, undefined, options));
}

/**
 * Overwrites the volume's data as a job. It takes virStorageVolWipePattern's arguments, the general form of
 * the two wipe calls: `algorithm` is a virStorageVolWipeAlgorithm (VIR_STORAGE_VOL_WIPE_ALG_ZERO is what
 * virStorageVolWipe does); `flags` is reserved.
 */
export function virStorageVolWipeJob(vol: VirStorageVol, algorithm: number, flags: number): MaybePromise<VirJob<void>> {
  const split = splitJobFlags(flags);
  return wipeJob('virStorageVolWipeJob', vol, algorithm, split.flags, split.options);
}

export function virStorageVolWipe(vol: VirStorageVol, flags: number): Promise<number> {
  const zeros = virStorageVolWipeAlgorithm.VIR_STORAGE_VOL_WIPE_ALG_ZERO;
  return runToEnd(() => wipeJob('virStorageVolWipe', vol, zeros, flags), () => 0);
}

export function virStorageVolWipePattern(vol: VirStorageVol, algorithm: number, flags: number): Promise<number> {
  return runToEnd(() => wipeJob('virStorageVolWipePattern', vol, algorithm, flags), () => 0);
}

/**
 * The job of a blocking call, started under that call's name: errors found before the job starts name it
 * (`read only access prevents virDomainSave`), as they do when the blocking call itself is made. tsvirt's
 * idiomatic methods stand for libvirt's blocking calls, so they start their jobs this way.
 */
export const startJobAs = { create: createJob, clone: cloneJob, wipe: wipeJob };
