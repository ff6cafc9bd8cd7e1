import { closeSync, constants, ftruncateSync, unlinkSync } from 'node:fs';
import { formatVolumeXML, sanitizePath, type PoolDef, type VolumeDef } from '../../conf/storage.js';
import type { StorageVolRef, VirConnect, VirStoragePool, VirStorageVol } from '../../core/handles.js';
import { ErrorNumber, virError } from '../../errors/index.js';
import { virStorageVolResizeFlags as ResizeFlags, virStorageVolType } from '../../core/enums.generated.js';
import type { StorageVolInfo } from '../driver.js';
import type { DriverState } from './driver-state.js';
import {
  FROM,
  checkFlags,
  invalidArg,
  noVolByKey,
  noVolByName,
  noVolByPath,
  sysError,
  volBuilding,
  volInUse,
} from './errors.js';
import { availableBytes } from './pools.js';
import { listVolumeNames, openVolumeFile, openVolumeHandle, readVolume, type VolumeFile } from './volume-file.js';
import { isVolumeName, volumePath } from './volume-name.js';

const { VIR_STORAGE_VOL_RESIZE_ALLOCATE, VIR_STORAGE_VOL_RESIZE_DELTA, VIR_STORAGE_VOL_RESIZE_SHRINK } = ResizeFlags;
/** Zeros are written in pieces of this size when a resize preallocates, so the event loop keeps turning. */
const ZERO_CHUNK = 1 << 20;

/**
 * Volume lookups, queries and the quick changes (delete, resize), read from and applied to the pool's
 * directory directly. Creating, cloning and wiping are jobs: see volume-jobs.ts.
 */
export class DirVolumes {
  constructor(private readonly state: DriverState) {}

  listAll(pool: VirStoragePool, flags: number): StorageVolRef[] {
    checkFlags(flags, 0, 'storagePoolListAllVolumes');
    const def = this.state.activePoolOf(pool);
    return listVolumeNames(def.target.path).map((name) => refOf(def, volumePath(def.target.path, name), name));
  }

  lookupByName(pool: VirStoragePool, name: string): StorageVolRef {
    const def = this.state.activePoolOf(pool);
    const file = readVolume(def.target.path, name);
    if (!file) throw noVolByName(name);
    return refOf(def, file.path, name);
  }

  /** A key is the volume's path exactly as the driver hands it out; nothing is cleaned up. */
  lookupByKey(_conn: VirConnect, key: string): StorageVolRef {
    const found = this.findByPath(key);
    if (!found) throw noVolByKey(key);
    return found;
  }

  lookupByPath(_conn: VirConnect, path: string): StorageVolRef {
    const clean = sanitizePath(path);
    const found = this.findByPath(clean);
    if (!found) throw noVolByPath(path, clean);
    return found;
  }

  getPath(vol: VirStorageVol): string {
    return this.file(vol).path;
  }

  getInfo(vol: VirStorageVol): StorageVolInfo {
    const file = this.file(vol);
    return { type: virStorageVolType.VIR_STORAGE_VOL_FILE, capacity: file.capacity, allocation: file.allocation };
  }

  getXMLDesc(vol: VirStorageVol, flags: number): string {
    checkFlags(flags, 0, 'storageVolGetXMLDesc');
    return formatVolumeXML(describe(this.file(vol)));
  }

  delete(vol: VirStorageVol, flags: number): void {
    const file = this.file(vol);
    this.requireIdle(file);
    checkFlags(flags, 0, 'virStorageBackendVolDeleteLocal');
    try {
      unlinkSync(file.path);
    } catch (err) {
      throw sysError(err, `cannot unlink file '${file.path}'`);
    }
  }

  /**
   * libvirt's resize rules: an absolute size or (DELTA) a change, never below the allocation, smaller only
   * with SHRINK, and with ALLOCATE the new space is reserved, which must fit in the pool. Growing without
   * ALLOCATE leaves a hole. Preallocating writes zeros over the grown range; that takes time, so that form
   * completes asynchronously (a Promise), the others at once.
   */
  resize(vol: VirStorageVol, capacity: number, flags: number): void | Promise<void> {
    checkFlags(
      flags,
      VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA | VIR_STORAGE_VOL_RESIZE_SHRINK,
      'storageVolResize',
    );
    const pool = this.state.activePool(vol.pool);
    const file = this.file(vol);
    this.requireIdle(file);
    const shrink = (flags & VIR_STORAGE_VOL_RESIZE_SHRINK) !== 0;
    let target = capacity;
    if (flags & VIR_STORAGE_VOL_RESIZE_DELTA)
      target = shrink ? file.capacity - Math.min(capacity, file.capacity) : file.capacity + capacity;
    if (target < file.allocation) throw invalidArg("can't shrink capacity below existing allocation");
    if (target < file.capacity && !shrink)
      throw invalidArg("Can't shrink capacity below current capacity unless shrink flag explicitly specified");
    const allocate = (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) !== 0;
    if (allocate && target - file.allocation > availableBytes(pool.target.path))
      throw virError(ErrorNumber.VIR_ERR_OPERATION_FAILED, FROM, 'Not enough space left in storage pool');
    if (file.format !== 'raw')
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
        FROM,
        `resizing ${file.format} volumes is not supported: tsvirt changes the size of raw volumes only`,
      );
    if (!allocate || target <= file.physical) return truncateTo(file, target);
    return growAllocated(file, target);
  }

  // ---- internals ----

  /** The file behind a volume handle, read now. */
  file(vol: VirStorageVol): VolumeFile {
    const pool = this.state.activePool(vol.pool);
    const file = readVolume(pool.target.path, vol.name);
    if (!file) throw noVolByName(vol.name);
    return file;
  }

  /** libvirt refuses to change a volume that a job reads or writes, or that is still being built. */
  requireIdle(file: VolumeFile): void {
    if (this.state.activity.isInUse(file.path)) throw volInUse(file.name);
    if (this.state.activity.isBuilding(file.path)) throw volBuilding(file.name);
  }

  /** The volume at `path` in whichever running pool's directory holds it. */
  private findByPath(path: string): StorageVolRef | null {
    for (const def of this.state.activePools()) {
      const dir = def.target.path;
      if (!path.startsWith(`${dir}/`)) continue;
      const name = path.slice(dir.length + 1);
      if (!isVolumeName(name) || !readVolume(dir, name)) continue;
      return refOf(def, path, name);
    }
    return null;
  }
}

/** A volume file as its XML shows it. */
function describe(file: VolumeFile): VolumeDef {
  return {
    type: 'file',
    name: file.name,
    key: file.path,
    capacity: file.capacity,
    allocation: file.allocation,
    target: {
      path: file.path,
      format: file.format,
      permissions: { mode: file.mode, owner: file.uid, group: file.gid },
      features: [],
    },
  };
}

function refOf(pool: PoolDef, path: string, name: string): StorageVolRef {
  return { pool: pool.name, name, key: path };
}

/** Sets the file's size through a descriptor opened without following links. */
function truncateTo(file: VolumeFile, size: number): void {
  const opened = openVolumeFile(file.path, constants.O_WRONLY);
  if (!opened) throw noVolByName(file.name);
  try {
    ftruncateSync(opened.fd, size);
  } catch (err) {
    throw sysError(err, `Failed to truncate file '${file.path}'`);
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Grows the file and allocates the new range by writing zeros into it (it is a hole after the size
 * changes, so no data is overwritten), then makes it durable. On failure the file gets its old size back.
 */
async function growAllocated(file: VolumeFile, size: number): Promise<void> {
  const opened = await openVolumeHandle(file.path, constants.O_WRONLY);
  if (!opened) throw noVolByName(file.name);
  const { handle, size: from } = opened;
  try {
    try {
      await handle.truncate(size);
    } catch (err) {
      throw sysError(err, `Failed to truncate file '${file.path}'`);
    }
    const zeros = Buffer.alloc(ZERO_CHUNK);
    try {
      for (let at = from; at < size; at += ZERO_CHUNK) await handle.write(zeros, 0, Math.min(ZERO_CHUNK, size - at), at);
      await handle.sync();
    } catch (err) {
      await handle.truncate(from).catch(() => {});
      throw sysError(err, `Failed to pre-allocate space for file '${file.path}'`);
    }
  } finally {
    await handle.close();
  }
}
