import { statSync } from 'node:fs';
import type { PoolDef } from '../../conf/storage.js';
import type { VirStoragePool } from '../../core/handles.js';
import { ErrorDomain } from '../../errors/index.js';
import { LocalJobs } from '../../jobs/local-jobs.js';
import { Activity } from './activity.js';
import { noPoolByName, noPoolByUuid, poolNotActive } from './errors.js';
import { removeDeadPartials } from './partial.js';
import { PoolStore, currentDef, type PoolRecord } from './pool-store.js';

/**
 * One state root as this process sees it: the pools on disk and the jobs running on them. Connections to
 * the same root share it (as libvirt's connections share their daemon's driver), so a job started on one
 * connection keeps another from deleting the volume it reads; it lives while any connection is open.
 */
export class DriverState {
  readonly store: PoolStore;
  readonly activity = new Activity();
  /** The jobs of this root's connections, findable by id from any of them. */
  readonly jobs = new LocalJobs(ErrorDomain.VIR_FROM_STORAGE);
  private users = 0;

  private constructor(readonly root: string) {
    this.store = new PoolStore(root);
  }

  private static readonly open = new Map<string, DriverState>();

  /** The shared state of `root`, started for one more connection. */
  static acquire(root: string): DriverState {
    let state = DriverState.open.get(root);
    if (!state) {
      state = new DriverState(root);
      DriverState.open.set(root, state);
    }
    try {
      state.start();
    } catch (err) {
      if (state.users === 0) DriverState.open.delete(root);
      throw err;
    }
    state.users++;
    return state;
  }

  release(): void {
    if (--this.users === 0) DriverState.open.delete(this.root);
  }

  /**
   * What the driver does each time a connection opens: on the first start in this boot it autostarts the
   * pools marked so (a pool whose directory is missing stays inactive, as libvirt logs and moves on), and
   * it removes what dead processes left half-built in the pools' directories.
   */
  private start(): void {
    const firstInBoot = this.store.open();
    const records = this.store.list();
    if (firstInBoot) {
      for (const record of records) {
        if (!record.autostart || record.live || !record.config) continue;
        if (isDirectory(record.config.target.path)) {
          this.store.saveLive(record.config);
          record.live = record.config;
        }
      }
    }
    const dirs = new Set(records.map((r) => currentDef(r).target.path));
    for (const dir of dirs) removeDeadPartials(dir);
  }

  // ---- pool lookups shared by the pool and volume operations ----

  /** The pool a handle names; a handle to a pool that was since undefined and redefined is stale. */
  pool(handle: Pick<VirStoragePool, 'name' | 'uuid'>): PoolRecord {
    const record = this.store.get(handle.name);
    if (!record || currentDef(record).uuid !== handle.uuid) throw noPoolByUuid(handle.uuid, handle.name);
    return record;
  }

  /** The running definition of the pool a handle names. */
  activePoolOf(handle: Pick<VirStoragePool, 'name' | 'uuid'>): PoolDef {
    const record = this.pool(handle);
    if (!record.live) throw poolNotActive(handle.name);
    return record.live;
  }

  poolByName(name: string): PoolRecord {
    const record = this.store.get(name);
    if (!record) throw noPoolByName(name);
    return record;
  }

  /** The running definition of the pool called `name`: where its volumes live. */
  activePool(name: string): PoolDef {
    const record = this.poolByName(name);
    if (!record.live) throw poolNotActive(name);
    return record.live;
  }

  activePools(): PoolDef[] {
    return this.store.list().flatMap((r) => (r.live ? [r.live] : []));
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
