import type { StoragePoolRef, StorageVolRef, StreamIO, VirConnect, VirStoragePool, VirStorageVol } from '../../core/handles.js';
import type { VirJob } from '../../jobs/job.js';
import type { JobStarter, StorageDriver, StoragePoolInfo, StorageVolInfo } from '../driver.js';
import type { DriverState } from './driver-state.js';
import { DirPools } from './pools.js';
import { VolumeJobs } from './volume-jobs.js';
import { VolumeStreams } from './volume-stream.js';
import { DirVolumes } from './volumes.js';

/**
 * The storage driver table of a `tsvirt:` connection: directory pools on real disks. Each slot hands the
 * call to the part that implements it: pools (pools.ts), volume lookups and quick changes (volumes.ts),
 * the long volume operations, which are jobs (volume-jobs.ts), and uploads and downloads (volume-stream.ts).
 */
export class DirStorage implements StorageDriver {
  private readonly pools: DirPools;
  private readonly volumes: DirVolumes;
  private readonly jobs: VolumeJobs;
  private readonly streams: VolumeStreams;

  constructor(state: DriverState) {
    this.pools = new DirPools(state);
    this.volumes = new DirVolumes(state);
    this.jobs = new VolumeJobs(state, this.volumes);
    this.streams = new VolumeStreams(state, this.volumes);
  }

  // ---- pools ----

  connectListAllStoragePools(_conn: VirConnect, flags: number): StoragePoolRef[] {
    return this.pools.listAll(flags);
  }

  storagePoolLookupByName(_conn: VirConnect, name: string): StoragePoolRef {
    return this.pools.lookupByName(name);
  }

  storagePoolLookupByUUID(_conn: VirConnect, uuid: string): StoragePoolRef {
    return this.pools.lookupByUuid(uuid);
  }

  storagePoolLookupByVolume(vol: VirStorageVol): StoragePoolRef {
    return this.pools.lookupByName(vol.pool);
  }

  storagePoolGetInfo(pool: VirStoragePool): StoragePoolInfo {
    return this.pools.getInfo(pool);
  }

  storagePoolGetXMLDesc(pool: VirStoragePool, flags: number): string {
    return this.pools.getXMLDesc(pool, flags);
  }

  storagePoolGetAutostart(pool: VirStoragePool): boolean {
    return this.pools.getAutostart(pool);
  }

  storagePoolSetAutostart(pool: VirStoragePool, autostart: boolean): void {
    this.pools.setAutostart(pool, autostart);
  }

  storagePoolIsActive(pool: VirStoragePool): boolean {
    return this.pools.isActive(pool);
  }

  storagePoolIsPersistent(pool: VirStoragePool): boolean {
    return this.pools.isPersistent(pool);
  }

  storagePoolDefineXML(conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    return this.pools.define(conn, xml, flags);
  }

  storagePoolCreateXML(conn: VirConnect, xml: string, flags: number): StoragePoolRef {
    return this.pools.createXML(conn, xml, flags);
  }

  storagePoolBuild(pool: VirStoragePool, flags: number): void {
    this.pools.build(pool, flags);
  }

  storagePoolCreate(pool: VirStoragePool, flags: number): void {
    this.pools.create(pool, flags);
  }

  storagePoolDestroy(pool: VirStoragePool): void {
    this.pools.destroy(pool);
  }

  storagePoolUndefine(pool: VirStoragePool): void {
    this.pools.undefine(pool);
  }

  storagePoolDelete(pool: VirStoragePool, flags: number): void {
    this.pools.delete(pool, flags);
  }

  storagePoolRefresh(pool: VirStoragePool, flags: number): void {
    this.pools.refresh(pool, flags);
  }

  storagePoolListAllVolumes(pool: VirStoragePool, flags: number): StorageVolRef[] {
    return this.volumes.listAll(pool, flags);
  }

  // ---- volumes ----

  storageVolLookupByName(pool: VirStoragePool, name: string): StorageVolRef {
    return this.volumes.lookupByName(pool, name);
  }

  storageVolLookupByKey(conn: VirConnect, key: string): StorageVolRef {
    return this.volumes.lookupByKey(conn, key);
  }

  storageVolLookupByPath(conn: VirConnect, path: string): StorageVolRef {
    return this.volumes.lookupByPath(conn, path);
  }

  storageVolGetPath(vol: VirStorageVol): string {
    return this.volumes.getPath(vol);
  }

  storageVolGetInfo(vol: VirStorageVol): StorageVolInfo {
    return this.volumes.getInfo(vol);
  }

  storageVolGetXMLDesc(vol: VirStorageVol, flags: number): string {
    return this.volumes.getXMLDesc(vol, flags);
  }

  storageVolDelete(vol: VirStorageVol, flags: number): void {
    this.volumes.delete(vol, flags);
  }

  storageVolResize(vol: VirStorageVol, capacity: number, flags: number): void | Promise<void> {
    return this.volumes.resize(vol, capacity, flags);
  }

  // ---- jobs ----

  storageVolCreateXML(pool: VirStoragePool, xml: string, flags: number, start: JobStarter): VirJob<StorageVolRef> {
    return this.jobs.create(pool, xml, flags, start);
  }

  storageVolCreateXMLFrom(
    pool: VirStoragePool,
    xml: string,
    source: VirStorageVol,
    flags: number,
    start: JobStarter,
  ): VirJob<StorageVolRef> {
    return this.jobs.clone(pool, xml, source, flags, start);
  }

  storageVolWipe(vol: VirStorageVol, algorithm: number, flags: number, start: JobStarter): VirJob<void> {
    return this.jobs.wipe(vol, algorithm, flags, start);
  }

  // ---- streams ----

  storageVolUpload(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): Promise<StreamIO> {
    return this.streams.upload(vol, offset, length, flags);
  }

  storageVolDownload(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): Promise<StreamIO> {
    return this.streams.download(vol, offset, length, flags);
  }
}
