import { chmodSync, chownSync, mkdirSync, opendirSync, rmdirSync, statSync, statfsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { POOL_TYPES, formatPoolXML, parsePoolXML, type PoolDef } from '../../conf/storage.js';
import type { StoragePoolRef, VirConnect, VirStoragePool } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, systemError, virError } from '../../errors/index.js';
import { virConnectListAllStoragePoolsFlags as ListFlags, virStoragePoolState } from '../../core/enums.generated.js';
import type { StoragePoolInfo } from '../driver.js';
import type { DriverState } from './driver-state.js';
import {
  FROM,
  checkFlags,
  internal,
  operationInvalid,
  poolAlreadyActive,
  poolHasJobs,
  poolNotActive,
  poolStillActive,
  sysError,
  xmlError,
} from './errors.js';
import { removeDeadPartials } from './partial.js';
import { currentDef, type PoolRecord } from './pool-store.js';

/** virStoragePoolCreateFlags and virStoragePoolBuildFlags (libvirt-storage.h). */
const CREATE_WITH_BUILD = 1;
const CREATE_WITH_BUILD_OVERWRITE = 2;
const CREATE_WITH_BUILD_NO_OVERWRITE = 4;
const BUILD_NO_OVERWRITE = 4;
const BUILD_OVERWRITE = 8;
/** VIR_STORAGE_POOL_DEFINE_VALIDATE: the parser always checks the document, so it asks for nothing more. */
const DEFINE_VALIDATE = 1;
const XML_INACTIVE = 1;
/** Every filter virConnectListAllStoragePools knows (VIR_CONNECT_LIST_STORAGE_POOLS_FILTERS_ALL). */
const LIST_FILTERS_ALL = Object.values(ListFlags).reduce((all, bit) => all | bit, 0);
const STATE_FILTERS =
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART;
/** The mode libvirt gives a pool directory it builds when the XML names none. */
const DEFAULT_DIR_MODE = 0o711;

/**
 * Pool operations of the directory storage driver, with libvirt 9.0's semantics and errors: definitions
 * persist in the state root, a running pool's definition is kept in its run state, and a pool's figures
 * come from its filesystem (statfs) and its directory (stat) whenever they are asked for.
 */
export class DirPools {
  constructor(private readonly state: DriverState) {}

  listAll(flags: number): StoragePoolRef[] {
    checkFlags(flags, LIST_FILTERS_ALL, 'storageConnectListAllStoragePools');
    return this.state.store
      .list()
      .filter((r) => matchesListFlags(r, flags))
      .map((r) => refOf(currentDef(r)));
  }

  lookupByName(name: string): StoragePoolRef {
    return refOf(currentDef(this.state.poolByName(name)));
  }

  lookupByUuid(uuid: string): StoragePoolRef {
    const record = this.state.store.list().find((r) => currentDef(r).uuid === uuid);
    if (!record) throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_POOL, FROM, `no storage pool with matching uuid '${uuid}'`);
    return refOf(currentDef(record));
  }

  getInfo(pool: VirStoragePool): StoragePoolInfo {
    const record = this.state.pool(pool);
    if (!record.live) return { state: virStoragePoolState.VIR_STORAGE_POOL_INACTIVE, capacity: 0, allocation: 0, available: 0 };
    return { state: virStoragePoolState.VIR_STORAGE_POOL_RUNNING, ...space(record.live.target.path) };
  }

  /** A running pool shows its filesystem's figures and its directory's permissions, as libvirt's refresh fills them in. */
  getXMLDesc(pool: VirStoragePool, flags: number): string {
    checkFlags(flags, XML_INACTIVE, 'storagePoolGetXMLDesc');
    const record = this.state.pool(pool);
    if ((flags & XML_INACTIVE && record.config) || !record.live) return formatPoolXML(record.config!);
    return formatPoolXML(withLiveFigures(record.live));
  }

  getAutostart(pool: VirStoragePool): boolean {
    return this.state.pool(pool).autostart;
  }

  setAutostart(pool: VirStoragePool, autostart: boolean): void {
    const record = this.state.pool(pool);
    if (!record.config) throw internal('pool has no config file');
    this.state.store.setAutostart(record.config.name, autostart);
  }

  isActive(pool: VirStoragePool): boolean {
    return this.state.pool(pool).live !== null;
  }

  isPersistent(pool: VirStoragePool): boolean {
    return this.state.pool(pool).config !== null;
  }

  /** A pool that runs keeps the definition it started with; the new one applies from its next start. */
  define(_conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    checkFlags(flags, DEFINE_VALIDATE, 'storagePoolDefineXML');
    const def = parseDef(xml);
    this.checkUnique(def);
    this.state.store.saveConfig(def);
    return refOf(def);
  }

  /** Starts a transient pool (or runs a defined one with this definition until it stops). */
  createXML(_conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    checkFlags(flags, CREATE_WITH_BUILD | CREATE_WITH_BUILD_OVERWRITE | CREATE_WITH_BUILD_NO_OVERWRITE, 'storagePoolCreateXML');
    const def = parseDef(xml);
    const existing = this.checkUnique(def);
    if (existing?.live) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, `pool is already active as '${def.name}'`);
    this.buildForStart(def, flags);
    this.start(def);
    return refOf(def);
  }

  build(pool: VirStoragePool, flags: number): void {
    const record = this.state.pool(pool);
    if (record.live) throw poolAlreadyActive(pool.name);
    buildDirectory(record.config!, flags);
  }

  create(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, CREATE_WITH_BUILD | CREATE_WITH_BUILD_OVERWRITE | CREATE_WITH_BUILD_NO_OVERWRITE, 'storagePoolCreate');
    const record = this.state.pool(pool);
    if (record.live) throw poolAlreadyActive(pool.name);
    this.buildForStart(record.config!, flags);
    this.start(record.config!);
  }

  destroy(pool: VirStoragePool): void {
    const record = this.state.pool(pool);
    if (!record.live) throw poolNotActive(pool.name);
    if (this.state.activity.hasJobs(pool.name)) throw poolHasJobs(pool.name);
    this.state.store.removeLive(pool.name);
  }

  undefine(pool: VirStoragePool): void {
    const record = this.state.pool(pool);
    if (record.live) throw poolStillActive(pool.name);
    if (this.state.activity.hasJobs(pool.name)) throw poolHasJobs(pool.name);
    this.state.store.removeConfig(pool.name);
  }

  /** Removes the pool's (empty) directory, as libvirt's dir backend does: volumes are never deleted with it. */
  delete(pool: VirStoragePool, flags: number): void {
    const record = this.state.pool(pool);
    if (record.live) throw poolStillActive(pool.name);
    if (this.state.activity.hasJobs(pool.name)) throw poolHasJobs(pool.name);
    checkFlags(flags, 0, 'virStorageBackendDeleteLocal');
    const dir = record.config!.target.path;
    try {
      rmdirSync(dir);
    } catch (err) {
      throw sysError(err, `failed to remove pool '${dir}'`);
    }
  }

  /**
   * Volumes are always read from the directory, so a refresh has nothing to reload; it checks that the
   * directory is still there (a pool whose directory went away stops, as in libvirt) and clears what dead
   * processes left half-built in it.
   */
  refresh(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, 0, 'storagePoolRefresh');
    const record = this.state.pool(pool);
    if (!record.live) throw poolNotActive(pool.name);
    if (this.state.activity.hasJobs(pool.name)) throw poolHasJobs(pool.name);
    try {
      checkDirectory(record.live.target.path);
    } catch (err) {
      this.state.store.removeLive(pool.name);
      throw err;
    }
    removeDeadPartials(record.live.target.path);
  }

  // ---- internals ----

  private start(def: PoolDef): void {
    checkDirectory(def.target.path);
    this.state.store.saveLive(def);
  }

  /** The create calls' build flags: plain build, or the formatting variants a directory cannot honour. */
  private buildForStart(def: PoolDef, flags: number): void {
    if (flags & (CREATE_WITH_BUILD_OVERWRITE | CREATE_WITH_BUILD_NO_OVERWRITE))
      buildDirectory(def, flags & CREATE_WITH_BUILD_OVERWRITE ? BUILD_OVERWRITE : BUILD_NO_OVERWRITE);
    else if (flags & CREATE_WITH_BUILD) buildDirectory(def, 0);
  }

  /**
   * libvirt's rules for a new definition: a UUID belongs to one name and a name to one UUID, and two
   * directory pools may not share a directory (each would list the other's volumes). Returns the pool
   * this definition redefines, if any.
   */
  private checkUnique(def: PoolDef): PoolRecord | undefined {
    const records = this.state.store.list();
    const byUuid = records.find((r) => currentDef(r).uuid === def.uuid);
    if (byUuid && currentDef(byUuid).name !== def.name)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM,
        `pool '${currentDef(byUuid).name}' is already defined with uuid ${def.uuid}`,
      );
    const byName = records.find((r) => currentDef(r).name === def.name);
    if (byName && !byUuid)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM,
        `pool '${def.name}' already exists with uuid ${currentDef(byName).uuid}`,
      );
    const sameDir = records.find(
      (r) => r !== byName && [r.config, r.live].some((d) => d !== null && d.target.path === def.target.path),
    );
    if (sameDir)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM,
        `Storage source conflict with pool: '${currentDef(sameDir).name}'`,
      );
    return byName;
  }
}

/**
 * Parses a pool definition and holds it to what this driver serves: directory pools, whose directory is
 * named by an absolute path (libvirt would resolve a relative one against its daemon's working directory,
 * which here would be whichever process happens to open the pool).
 */
function parseDef(xml: string): PoolDef {
  const def = parsePoolXML(xml);
  // POOL_TYPES is in libvirt's virStoragePoolType order, whose numbers libvirt's message shows.
  if (def.type !== 'dir') throw internal(`missing backend for pool type ${POOL_TYPES.indexOf(def.type)} (${def.type})`);
  if (!isAbsolute(def.target.path)) throw xmlError(`storage pool target path '${def.target.path}' must be absolute`);
  return def;
}

/** What starting a directory pool checks: that its directory can be opened. */
function checkDirectory(path: string): void {
  try {
    opendirSync(path).closeSync();
  } catch (err) {
    throw systemError(err, ErrorDomain.VIR_FROM_NONE, `cannot open directory '${path}'`);
  }
}

/**
 * Builds a directory pool: creates its directory (and missing parents) with the definition's mode,
 * owner and group. A directory has no device to format, so the overwrite variants are refused, in
 * libvirt's words.
 */
function buildDirectory(def: PoolDef, flags: number): void {
  checkFlags(flags, BUILD_OVERWRITE | BUILD_NO_OVERWRITE, 'virStorageBackendFileSystemBuild');
  if (flags & BUILD_OVERWRITE && flags & BUILD_NO_OVERWRITE)
    throw new VirError(
      ErrorNumber.VIR_ERR_INVALID_ARG,
      FROM,
      "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and 'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive",
    );
  if (flags) throw operationInvalid(`No source device specified when formatting pool '${def.name}'`);
  const path = def.target.path;
  const perms = def.target.permissions;
  try {
    const created = mkdirSync(path, { recursive: true, mode: perms?.mode ?? DEFAULT_DIR_MODE }) !== undefined;
    // mkdir's mode is narrowed by the umask, and an existing directory keeps its own: set it explicitly.
    if (created || perms?.mode !== undefined) chmodSync(path, perms?.mode ?? DEFAULT_DIR_MODE);
  } catch (err) {
    throw sysError(err, `cannot create path '${path}'`);
  }
  const uid = perms?.owner ?? -1;
  const gid = perms?.group ?? -1;
  if (uid !== -1 || gid !== -1) {
    try {
      chownSync(path, uid, gid);
    } catch (err) {
      throw sysError(err, `cannot chown '${path}' to (${uid}, ${gid})`);
    }
  }
}

/** The filesystem's figures as libvirt computes them from statvfs. */
function space(path: string): Pick<StoragePoolInfo, 'capacity' | 'allocation' | 'available'> {
  let fs;
  try {
    fs = statfsSync(path);
  } catch (err) {
    throw sysError(err, `cannot statvfs path '${path}'`);
  }
  return {
    capacity: fs.blocks * fs.bsize,
    allocation: (fs.blocks - fs.bfree) * fs.bsize,
    available: fs.bavail * fs.bsize,
  };
}

export function availableBytes(path: string): number {
  return space(path).available;
}

function withLiveFigures(def: PoolDef): PoolDef {
  let st;
  try {
    st = statSync(def.target.path);
  } catch (err) {
    throw sysError(err, `cannot stat path '${def.target.path}'`);
  }
  return {
    ...def,
    ...space(def.target.path),
    target: {
      ...def.target,
      permissions: { ...def.target.permissions, mode: st.mode & 0o7777, owner: st.uid, group: st.gid },
    },
  };
}

function refOf(def: PoolDef): StoragePoolRef {
  return { name: def.name, uuid: def.uuid };
}

/** Each pair of filters narrows the list only when one of the two is given; type filters name allowed types. */
function matchesListFlags(record: PoolRecord, flags: number): boolean {
  const pick = (yes: number, no: number, value: boolean) =>
    !(flags & (yes | no)) || ((flags & yes) !== 0 && value) || ((flags & no) !== 0 && !value);
  const typeFilters = flags & ~STATE_FILTERS;
  return (
    pick(ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE, record.live !== null) &&
    pick(ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT, ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT, record.config !== null) &&
    pick(ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART, ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART, record.autostart) &&
    (!typeFilters || (typeFilters & ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_DIR) !== 0)
  );
}
