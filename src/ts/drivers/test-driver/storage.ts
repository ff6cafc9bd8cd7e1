import {
  formatPoolXML,
  formatVolumeXML,
  parsePoolXML,
  parseVolumeXML,
  placeVolumeInPool,
  type PoolDef,
  type VolumeDef,
} from '../../conf/storage.js';
import type { StoragePoolRef, StorageVolRef, VirConnect, VirStoragePool, VirStorageVol } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { JobType, type JobControl, type VirJob } from '../../jobs/job.js';
import { simulateTransfer } from '../../jobs/simulated-transfer.js';
import { checkFlags } from '../../core/flags.js';
import {
  virConnectListAllStoragePoolsFlags as ListFlags,
  virStoragePoolState,
  virStorageVolResizeFlags as ResizeFlags,
  virStorageVolType,
  virStorageVolWipeAlgorithm,
} from '../../core/enums.generated.js';
import { TEST_POOL_CAPACITY } from '../../conf/test-node.js';
import type { ChangeFeed, JobStarter, StorageDriver, StoragePoolInfo, StorageVolInfo } from '../driver.js';
import type { TestPool, TestState, TestVolume } from './state.js';

const FROM_TEST = ErrorDomain.VIR_FROM_TEST;
const FROM_STORAGE = ErrorDomain.VIR_FROM_STORAGE;

/** The pool types libvirt's list filters name, in flag order. */
const TYPE_FILTERS: Record<string, number> = {
  dir: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  fs: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  netfs: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  logical: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  disk: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  iscsi: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  scsi: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  mpath: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  rbd: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  sheepdog: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  gluster: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  zfs: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  vstorage: ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
  'iscsi-direct': ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
};
const ALL_TYPE_FILTERS = Object.values(TYPE_FILTERS).reduce((all, bit) => all | bit, 0);
const LIST_FILTERS =
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART |
  ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART |
  ALL_TYPE_FILTERS;

/** What kind of volume each pool type holds (virStorageVolGetInfo's type), as libvirt's test driver has it. */
const VOLUME_TYPE: Record<string, number> = {
  dir: virStorageVolType.VIR_STORAGE_VOL_FILE,
  fs: virStorageVolType.VIR_STORAGE_VOL_FILE,
  netfs: virStorageVolType.VIR_STORAGE_VOL_FILE,
  vstorage: virStorageVolType.VIR_STORAGE_VOL_FILE,
  sheepdog: virStorageVolType.VIR_STORAGE_VOL_NETWORK,
  'iscsi-direct': virStorageVolType.VIR_STORAGE_VOL_NETWORK,
  gluster: virStorageVolType.VIR_STORAGE_VOL_NETWORK,
  rbd: virStorageVolType.VIR_STORAGE_VOL_NETWORK,
  logical: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
  disk: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
  mpath: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
  iscsi: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
  scsi: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
  zfs: virStorageVolType.VIR_STORAGE_VOL_BLOCK,
};

/** VIR_STORAGE_POOL_DEFINE_VALIDATE (libvirt-storage.h), which the generated enums do not carry. */
const POOL_DEFINE_VALIDATE = 1;

const WIPE_ALGORITHMS = Object.keys(virStorageVolWipeAlgorithm).length;

/**
 * The test driver's storage table: libvirt 9.0's test driver semantics and errors, with pools held in memory
 * (no files): each is 100 GiB whatever its XML says, and its allocation is what its volumes hold.
 *
 * Creating, cloning and wiping a volume are jobs that move the volume's bytes at the simulated rate: a volume
 * being created is not listed until its job completes and disappears if the job fails or is cancelled; a
 * volume a job reads or writes cannot be deleted, resized, wiped or cloned meanwhile; a pool with running
 * jobs cannot be stopped. Resize, which libvirt's test driver lacks, follows libvirt's storage driver.
 */
export class TestStorage implements StorageDriver {
  /** Every change of a pool below ends in state.poolChanged(). */
  readonly storagePoolChanges: ChangeFeed;

  constructor(
    private readonly state: TestState,
    /** simulated bytes per second for jobs; 0 = instant */
    private readonly rate: number,
  ) {
    this.storagePoolChanges = { watch: (listener) => state.poolChanges.watch(listener) };
  }

  // ---- pools: lists and lookups ----

  connectListAllStoragePools(_conn: VirConnect, flags: number): StoragePoolRef[] {
    checkFlags(flags, LIST_FILTERS, 'testConnectListAllStoragePools', FROM_TEST);
    return this.state.pools.filter((p) => matchesListFlags(p, flags)).map(poolRef);
  }

  storagePoolLookupByName(_conn: VirConnect, name: string): StoragePoolRef {
    return poolRef(this.poolByName(name));
  }

  storagePoolLookupByUUID(_conn: VirConnect, uuid: string): StoragePoolRef {
    return poolRef(this.poolByUuid(uuid));
  }

  storagePoolLookupByVolume(vol: VirStorageVol): StoragePoolRef {
    return poolRef(this.poolByName(vol.pool));
  }

  // ---- pools: queries ----

  storagePoolGetInfo(pool: VirStoragePool): StoragePoolInfo {
    const p = this.poolByName(pool.name);
    const allocation = allocated(p);
    return {
      state: p.active ? virStoragePoolState.VIR_STORAGE_POOL_RUNNING : virStoragePoolState.VIR_STORAGE_POOL_INACTIVE,
      capacity: TEST_POOL_CAPACITY,
      allocation,
      available: available(allocation),
    };
  }

  storagePoolGetXMLDesc(pool: VirStoragePool, flags: number): string {
    checkFlags(flags, 0, 'testStoragePoolGetXMLDesc', FROM_TEST);
    const p = this.poolByName(pool.name);
    const allocation = allocated(p);
    return formatPoolXML({ ...p.def, capacity: TEST_POOL_CAPACITY, allocation, available: available(allocation) });
  }

  /** A transient pool never autostarts. */
  storagePoolGetAutostart(pool: VirStoragePool): boolean {
    const p = this.poolByName(pool.name);
    return p.persistent && p.autostart;
  }

  storagePoolSetAutostart(pool: VirStoragePool, autostart: boolean): void {
    const p = this.poolByName(pool.name);
    if (!p.persistent) throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM_TEST, 'pool has no config file');
    p.autostart = autostart;
  }

  storagePoolIsActive(pool: VirStoragePool): boolean {
    return this.poolByUuid(pool.uuid).active;
  }

  storagePoolIsPersistent(pool: VirStoragePool): boolean {
    return this.poolByUuid(pool.uuid).persistent;
  }

  // ---- pools: definitions and state changes ----

  storagePoolDefineXML(_conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    checkFlags(flags, POOL_DEFINE_VALIDATE, 'testStoragePoolDefineXML', FROM_TEST);
    const def = parsePoolXML(xml);
    const existing = this.checkUnique(def, false);
    if (existing) {
      // As with networks, a running pool keeps the definition it was started with.
      if (!existing.active) existing.def = def;
      existing.persistent = true;
      this.state.poolChanged(existing);
      return poolRef(existing);
    }
    const added: TestPool = { def, persistent: true, active: false, autostart: false, volumes: [] };
    this.state.pools.push(added);
    this.state.poolChanged(added);
    return poolRef(added);
  }

  storagePoolCreateXML(_conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    checkFlags(flags, 0, 'testStoragePoolCreateXML', FROM_TEST);
    const def = parsePoolXML(xml);
    const existing = this.checkUnique(def, true);
    if (existing) {
      existing.def = def;
      existing.active = true;
      this.state.poolChanged(existing);
      return poolRef(existing);
    }
    const added: TestPool = { def, persistent: false, active: true, autostart: false, volumes: [] };
    this.state.pools.push(added);
    this.state.poolChanged(added);
    return poolRef(added);
  }

  /** There is nothing to build in memory: libvirt's test driver only checks that the pool is inactive. */
  storagePoolBuild(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolBuild', FROM_TEST);
    this.inactivePool(pool.name);
  }

  storagePoolCreate(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolCreate', FROM_TEST);
    const p = this.inactivePool(pool.name);
    p.active = true;
    this.state.poolChanged(p);
  }

  storagePoolDestroy(pool: VirStoragePool): void {
    const p = this.activePool(pool.name);
    requireNoPoolJobs(p);
    p.active = false;
    if (!p.persistent) this.removePool(p);
    this.state.poolChanged(p);
  }

  storagePoolUndefine(pool: VirStoragePool): void {
    this.removePool(this.inactivePool(pool.name));
  }

  /** Like build, deleting an in-memory pool's storage has nothing to remove. */
  storagePoolDelete(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolDelete', FROM_TEST);
    this.inactivePool(pool.name);
  }

  storagePoolRefresh(pool: VirStoragePool, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolRefresh', FROM_TEST);
    requireNoPoolJobs(this.activePool(pool.name));
  }

  storagePoolListAllVolumes(pool: VirStoragePool, flags: number): StorageVolRef[] {
    checkFlags(flags, 0, 'testStoragePoolListAllVolumes', FROM_TEST);
    const p = this.poolByUuid(pool.uuid);
    if (!p.active) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, 'storage pool is not active');
    return p.volumes.filter((v) => !v.pending).map((v) => volRef(p, v));
  }

  // ---- volumes: lookups and queries ----

  storageVolLookupByName(pool: VirStoragePool, name: string): StorageVolRef {
    const p = this.activePool(pool.name);
    return volRef(p, volumeByName(p, name));
  }

  storageVolLookupByKey(_conn: VirConnect, key: string): StorageVolRef {
    for (const p of this.state.pools) {
      const v = p.active ? p.volumes.find((vol) => !vol.pending && keyOf(vol) === key) : undefined;
      if (v) return volRef(p, v);
    }
    throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, `no storage vol with matching key '${key}'`);
  }

  storageVolLookupByPath(_conn: VirConnect, path: string): StorageVolRef {
    for (const p of this.state.pools) {
      const v = p.active ? p.volumes.find((vol) => !vol.pending && pathOf(vol) === path) : undefined;
      if (v) return volRef(p, v);
    }
    throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, `no storage vol with matching path '${path}'`);
  }

  storageVolGetPath(vol: VirStorageVol): string {
    return pathOf(this.volume(vol).vol);
  }

  storageVolGetInfo(vol: VirStorageVol): StorageVolInfo {
    const { pool, vol: v } = this.volume(vol);
    return {
      type: VOLUME_TYPE[pool.def.type] ?? virStorageVolType.VIR_STORAGE_VOL_FILE,
      capacity: v.def.capacity,
      allocation: v.def.allocation,
    };
  }

  storageVolGetXMLDesc(vol: VirStorageVol, flags: number): string {
    checkFlags(flags, 0, 'testStorageVolGetXMLDesc', FROM_TEST);
    return formatVolumeXML(this.volume(vol).vol.def);
  }

  // ---- volumes: changes ----

  storageVolDelete(vol: VirStorageVol, flags: number): void {
    checkFlags(flags, 0, 'testStorageVolDelete', FROM_TEST);
    const { pool, vol: v } = this.volume(vol);
    requireIdle(v);
    pool.volumes.splice(pool.volumes.indexOf(v), 1);
    this.state.poolChanged(pool);
  }

  /** libvirt's storage driver semantics: absolute or delta, growing freely, shrinking only when asked to. */
  storageVolResize(vol: VirStorageVol, capacity: number, flags: number): void {
    const { VIR_STORAGE_VOL_RESIZE_ALLOCATE, VIR_STORAGE_VOL_RESIZE_DELTA, VIR_STORAGE_VOL_RESIZE_SHRINK } = ResizeFlags;
    const allowed = VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA | VIR_STORAGE_VOL_RESIZE_SHRINK;
    checkFlags(flags, allowed, 'testStorageVolResize', FROM_TEST);
    const { pool, vol: v } = this.volume(vol);
    requireIdle(v);
    const shrink = (flags & VIR_STORAGE_VOL_RESIZE_SHRINK) !== 0;
    const current = v.def.capacity;
    let target = capacity;
    if (flags & VIR_STORAGE_VOL_RESIZE_DELTA) target = shrink ? current - Math.min(capacity, current) : current + capacity;
    if (target < v.def.allocation)
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM_TEST, "can't shrink capacity below existing allocation");
    if (target < current && !shrink)
      throw virError(
        ErrorNumber.VIR_ERR_INVALID_ARG,
        FROM_TEST,
        "Can't shrink capacity below current capacity unless shrink flag explicitly specified",
      );
    const allocate = (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) !== 0;
    const growth = allocate ? target - v.def.allocation : 0;
    if (growth > TEST_POOL_CAPACITY - reserved(pool))
      throw virError(ErrorNumber.VIR_ERR_OPERATION_FAILED, FROM_TEST, 'Not enough space left in storage pool');
    v.def.capacity = target;
    if (allocate) v.def.allocation = target;
    this.state.poolChanged(pool);
  }

  // ---- volumes: jobs ----

  storageVolCreateXML(pool: VirStoragePool, xml: string, flags: number, start: JobStarter): VirJob<StorageVolRef> {
    checkFlags(flags, 0, 'testStorageVolCreateXML', FROM_TEST);
    const p = this.activePool(pool.name);
    const added = this.reserve(p, parseVolumeXML(xml));
    const bytes = added.def.allocation;
    const job = start(volumeJob('volume-create', 'volume create', bytes), (control) => this.fill(control, p, added, bytes));
    return this.build(p, added, job);
  }

  storageVolCreateXMLFrom(
    pool: VirStoragePool,
    xml: string,
    source: VirStorageVol,
    flags: number,
    start: JobStarter,
  ): VirJob<StorageVolRef> {
    checkFlags(flags, 0, 'testStorageVolCreateXMLFrom', FROM_TEST);
    const p = this.activePool(pool.name);
    const def = parseVolumeXML(xml);
    // libvirt reports a taken name before a missing source.
    if (p.volumes.some((v) => v.def.name === def.name)) throw volumeExists();
    const origin = this.volume(source).vol;
    requireIdle(origin);
    const added = this.reserve(p, def);
    // The clone copies what the source holds; its own size comes from its XML, as in libvirt.
    const bytes = origin.def.allocation;
    const job = start(volumeJob('volume-clone', 'volume clone', bytes), (control) => this.fill(control, p, added, bytes));
    return track(origin, this.build(p, added, job));
  }

  storageVolWipe(vol: VirStorageVol, algorithm: number, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, 0, 'testStorageVolWipePattern', FROM_TEST);
    if (algorithm >= WIPE_ALGORITHMS)
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM_TEST, `wiping algorithm ${algorithm} not supported`);
    const { vol: v } = this.volume(vol);
    requireIdle(v);
    const bytes = v.def.capacity;
    return track(v, start({ ...volumeJob('volume-wipe', 'volume wipe', bytes), vol }, async (control) => {
      await simulateTransfer(control, bytes, this.rate);
      control.commit();
    }));
  }

  // ---- internals ----

  private poolByName(name: string): TestPool {
    const found = this.state.pools.find((p) => p.def.name === name);
    if (!found)
      throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, `no storage pool with matching name '${name}'`);
    return found;
  }

  private poolByUuid(uuid: string): TestPool {
    const found = this.state.pools.find((p) => p.def.uuid === uuid);
    if (!found)
      throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, `no storage pool with matching uuid '${uuid}'`);
    return found;
  }

  private activePool(name: string): TestPool {
    const p = this.poolByName(name);
    if (!p.active)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, `storage pool '${name}' is not active`);
    return p;
  }

  private inactivePool(name: string): TestPool {
    const p = this.poolByName(name);
    if (p.active) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, `storage pool '${name}' is active`);
    return p;
  }

  /** A volume handle's pool (which must be running) and volume. */
  private volume(vol: VirStorageVol): { pool: TestPool; vol: TestVolume } {
    const pool = this.activePool(vol.pool);
    return { pool, vol: volumeByName(pool, vol.name) };
  }

  /**
   * Checks a new volume against the pool and claims its name and space before its job starts, so concurrent
   * creations cannot both take them. The volume stays hidden (pending) until its job completes.
   */
  private reserve(p: TestPool, def: VolumeDef): TestVolume {
    if (p.volumes.some((v) => v.def.name === def.name)) throw volumeExists();
    if (reserved(p) + def.allocation > TEST_POOL_CAPACITY)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM_TEST, `Not enough free space in pool for volume '${def.name}'`);
    placeVolumeInPool(def, p.def);
    const added: TestVolume = { def, pending: true, job: null };
    p.volumes.push(added);
    return added;
  }

  /** Writes a new volume's bytes; it appears once they are all there. */
  private async fill(control: JobControl, p: TestPool, v: TestVolume, bytes: number): Promise<StorageVolRef> {
    await simulateTransfer(control, bytes, this.rate);
    control.commit();
    v.pending = false;
    this.state.poolChanged(p);
    return volRef(p, v);
  }

  /** Ties a pending volume to the job that creates it: if the job does not complete, the volume goes. */
  private build<J extends VirJob<StorageVolRef>>(p: TestPool, v: TestVolume, job: J): J {
    job.subscribe((_j, event) => {
      if (event !== 'end' || !v.pending) return;
      const at = p.volumes.indexOf(v);
      if (at >= 0) p.volumes.splice(at, 1);
    });
    return track(v, job);
  }

  /**
   * libvirt's uniqueness rules (virStoragePoolObjListAdd): a name belongs to one UUID, a directory to one pool.
   * Returns the pool with the same name and UUID, if any; with `live`, starting one that already runs is an
   * error.
   */
  private checkUnique(def: PoolDef, live: boolean): TestPool | undefined {
    const byUuid = this.state.pools.find((p) => p.def.uuid === def.uuid);
    if (byUuid) {
      if (byUuid.def.name !== def.name)
        throw virError(
          ErrorNumber.VIR_ERR_OPERATION_FAILED,
          FROM_STORAGE,
          `pool '${byUuid.def.name}' is already defined with uuid ${byUuid.def.uuid}`,
        );
      if (live && byUuid.active)
        throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_STORAGE, `pool is already active as '${def.name}'`);
      return byUuid;
    }
    const byName = this.state.pools.find((p) => p.def.name === def.name);
    if (byName)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM_STORAGE,
        `pool '${def.name}' already exists with uuid ${byName.def.uuid}`,
      );
    // Two directory pools over the same directory would see each other's volumes.
    const sameDir =
      def.type === 'dir' ? this.state.pools.find((p) => p.def.type === 'dir' && p.def.target.path === def.target.path) : undefined;
    if (sameDir)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_FAILED, FROM_STORAGE, `Storage source conflict with pool: '${sameDir.def.name}'`);
    return undefined;
  }

  private removePool(p: TestPool): void {
    const at = this.state.pools.indexOf(p);
    if (at >= 0) this.state.pools.splice(at, 1);
    this.state.poolChanged(p);
  }
}

function volumeJob(operation: string, label: string, bytes: number) {
  return { operation, label, type: JobType.BOUNDED, total: bytes, errorDomain: FROM_TEST };
}

/** Marks a volume busy for the job's lifetime, so conflicting operations fail instead of interleaving. */
function track<J extends VirJob<any>>(v: TestVolume, job: J): J {
  v.job = job;
  job.subscribe((_j, event) => {
    if (event === 'end' && v.job === job) v.job = null;
  });
  return job;
}

/** libvirt's storage driver refuses to change a volume that a job is reading or writing. */
function requireIdle(v: TestVolume): void {
  if (v.job?.running)
    throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, `volume '${v.def.name}' is still in use.`);
}

function requireNoPoolJobs(p: TestPool): void {
  if (p.volumes.some((v) => v.job?.running))
    throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM_TEST, `pool '${p.def.name}' has asynchronous jobs running.`);
}

function volumeExists() {
  return virError(ErrorNumber.VIR_ERR_OPERATION_FAILED, FROM_TEST, 'storage vol already exists');
}

function volumeByName(p: TestPool, name: string): TestVolume {
  const found = p.volumes.find((v) => !v.pending && v.def.name === name);
  if (!found) throw virError(ErrorNumber.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, `no storage vol with matching name '${name}'`);
  return found;
}

/** The bytes the pool's finished volumes hold: what libvirt reports as the pool's allocation. */
function allocated(p: TestPool): number {
  return p.volumes.reduce((sum, v) => (v.pending ? sum : sum + v.def.allocation), 0);
}

/**
 * What is left of the pool. libvirt computes it unsigned: a pool a test-driver file overcommits shows a huge
 * free size rather than a negative one.
 */
function available(allocation: number): number {
  return Number(BigInt.asUintN(64, BigInt(TEST_POOL_CAPACITY) - BigInt(allocation)));
}

/** The bytes promised to volumes, including those still being created: what new volumes must fit beside. */
function reserved(p: TestPool): number {
  return p.volumes.reduce((sum, v) => sum + v.def.allocation, 0);
}

function poolRef(p: TestPool): StoragePoolRef {
  return { name: p.def.name, uuid: p.def.uuid };
}

function volRef(p: TestPool, v: TestVolume): StorageVolRef {
  return { pool: p.def.name, name: v.def.name, key: keyOf(v) };
}

/** Every volume has a path and a key: placed in its pool when created, or by the loader of a test-driver file. */
function pathOf(v: TestVolume): string {
  return v.def.target.path!;
}

function keyOf(v: TestVolume): string {
  return v.def.key!;
}

/** Each pair of filters narrows the list only when one of the two is given; type filters name allowed types. */
function matchesListFlags(p: TestPool, flags: number): boolean {
  const pick = (yes: number, no: number, value: boolean) =>
    !(flags & (yes | no)) || ((flags & yes) !== 0 && value) || ((flags & no) !== 0 && !value);
  const types = flags & ALL_TYPE_FILTERS;
  return (
    pick(ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE, p.active) &&
    pick(ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT, ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT, p.persistent) &&
    pick(
      ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
      ListFlags.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
      p.persistent && p.autostart,
    ) &&
    (!types || (types & (TYPE_FILTERS[p.def.type] ?? 0)) !== 0)
  );
}
