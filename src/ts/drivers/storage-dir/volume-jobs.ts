import { closeSync, constants, lstatSync } from 'node:fs';
import { lchown, link, lstat, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startAllocate, startClone, startWipe, type NativeTask } from '../../native/copy.js';
import { parseVolumeXML, type PoolDef, type VolumeDef } from '../../conf/storage.js';
import type { StorageVolRef, VirStoragePool, VirStorageVol } from '../../core/handles.js';
import { ErrorNumber, virError } from '../../errors/index.js';
import { JobType, type JobControl, type VirJob } from '../../jobs/job.js';
import { virStorageVolCreateFlags as CreateFlags, virStorageVolWipeAlgorithm as Wipe } from '../../core/enums.generated.js';
import type { JobStarter } from '../driver.js';
import type { Claims } from './activity.js';
import type { DriverState } from './driver-state.js';
import {
  FROM,
  checkFlags,
  internal,
  invalidArg,
  noVolByName,
  operationInvalid,
  sysError,
  volBuilding,
  volExists,
  volNameInUse,
} from './errors.js';
import { syncDirAsync } from './atomic-file.js';
import { afterTask, followTask, renamePathInError } from './native-job.js';
import { newPartialName } from './partial.js';
import { openVolumeFile, readVolume, type VolumeFile } from './volume-file.js';
import { checkNewVolumeName, volumePath } from './volume-name.js';
import type { DirVolumes } from './volumes.js';

const { VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, VIR_STORAGE_VOL_CREATE_REFLINK, VIR_STORAGE_VOL_CREATE_VALIDATE } =
  CreateFlags;
/** VALIDATE asks for a checked document; the parser always checks it, so the flag is accepted as met. */
const CREATE_FLAGS = VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA | VIR_STORAGE_VOL_CREATE_VALIDATE;
const CLONE_FLAGS = CREATE_FLAGS | VIR_STORAGE_VOL_CREATE_REFLINK;
const WIPE_ALGORITHMS = Object.keys(Wipe).length;
/** The mode of a new volume file whose XML names none, as libvirt creates them. */
const DEFAULT_VOLUME_MODE = 0o600;

/**
 * The long volume operations, each a job over a native task (src/ts/native/copy.ts): create (allocate),
 * clone, wipe. The checks run before the job starts and throw libvirt's errors; the job then only moves
 * data. A new volume is built under a partial name (partial.ts) and linked to its name only once its data
 * is durable, so a cancel, a failure or a crash never leaves a volume under its final name half-built.
 */
export class VolumeJobs {
  constructor(
    private readonly state: DriverState,
    private readonly volumes: DirVolumes,
  ) {}

  create(pool: VirStoragePool, xml: string, flags: number, start: JobStarter): VirJob<StorageVolRef> {
    checkFlags(flags, CREATE_FLAGS, 'storageVolCreateXML');
    const def = this.state.activePoolOf(pool);
    const vol = parseVolumeXML(xml);
    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) throw metadataPreallocation();
    if (vol.target.format !== 'raw') throw needsQemuImg();
    const path = this.checkNewName(def, vol.name, volExists);
    // The parser makes a missing allocation the capacity (a fully allocated volume, as libvirt documents);
    // an allocation beyond the capacity grows the file, as libvirt's fallocate does.
    const allocation = vol.allocation;
    const capacity = Math.max(vol.capacity, allocation);
    const mode = vol.target.permissions?.mode ?? DEFAULT_VOLUME_MODE;
    return this.run(
      start,
      { operation: 'volume-create', label: 'volume create', total: allocation },
      { pools: [def.name], builds: path },
      async (control) => {
        const temp = join(def.target.path, newPartialName());
        const task = startAllocate({ target: temp, capacity, allocation, mode, signal: control.signal });
        await followBuild(control, task, temp, path);
        await publish(control, temp, path, vol, volExists);
        return { pool: def.name, name: vol.name, key: path };
      },
    );
  }

  clone(pool: VirStoragePool, xml: string, source: VirStorageVol, flags: number, start: JobStarter): VirJob<StorageVolRef> {
    checkFlags(flags, CLONE_FLAGS, 'storageVolCreateXMLFrom');
    // libvirt's order: both pools exist, then both run.
    this.state.pool(pool);
    if (source.pool !== pool.name) this.state.poolByName(source.pool);
    const def = this.state.activePoolOf(pool);
    const sourceDef = source.pool === pool.name ? def : this.state.activePool(source.pool);
    const origin = readVolume(sourceDef.target.path, source.name);
    if (!origin) throw noVolByName(source.name);
    const vol = parseVolumeXML(xml);
    const path = this.checkNewName(def, vol.name, volNameInUse);
    // A clone is at least as large as its source, whatever its XML asks.
    const capacity = Math.max(vol.capacity, origin.capacity);
    const format = vol.target.format;
    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA && format === 'raw') throw metadataPreallocation();
    // Converting between formats, or growing an image format, is qemu-img's work; bytes can only be copied.
    if (format !== origin.format) throw needsQemuImg();
    if (format !== 'raw' && capacity > origin.capacity)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
        FROM,
        `resizing ${format} volumes is not supported: tsvirt changes the size of raw volumes only`,
      );
    if (this.state.activity.isBuilding(origin.path)) throw volBuilding(origin.name);
    const reflink = flags & VIR_STORAGE_VOL_CREATE_REFLINK ? 'always' : 'auto';
    const mode = vol.target.permissions?.mode ?? DEFAULT_VOLUME_MODE;
    return this.run(
      start,
      { operation: 'volume-clone', label: 'volume clone', total: origin.allocation },
      { pools: [...new Set([def.name, sourceDef.name])], builds: path, uses: [origin.path] },
      async (control) => {
        const temp = join(def.target.path, newPartialName());
        const source = openChecked(origin, constants.O_RDONLY);
        const task = source.use(() =>
          startClone({
            source: source.fdPath,
            target: temp,
            // An image's size is in its header, not its file size: copy the file as it is.
            capacity: format === 'raw' ? capacity : 0,
            reflink,
            mode,
            signal: control.signal,
          }),
        );
        await followBuild(control, task, temp, path).catch((err) => {
          throw renamePathInError(err, source.fdPath, origin.path);
        });
        await publish(control, temp, path, vol, volNameInUse);
        return { pool: def.name, name: vol.name, key: path };
      },
    );
  }

  /** Overwrites the volume in place: a cancelled wipe leaves it partly overwritten, as libvirt's would. */
  wipe(vol: VirStorageVol, algorithm: number, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, 0, 'storageVolWipePattern');
    if (algorithm >= WIPE_ALGORITHMS) throw invalidArg(`wiping algorithm ${algorithm} not supported`);
    const file = this.volumes.file(vol);
    this.volumes.requireIdle(file);
    if (algorithm === Wipe.VIR_STORAGE_VOL_WIPE_ALG_TRIM)
      throw virError(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM, "'trim' algorithm not supported");
    return this.run(
      start,
      { operation: 'volume-wipe', label: 'volume wipe', total: file.allocation, vol },
      { pools: [vol.pool], uses: [file.path] },
      async (control) => {
        const target = openChecked(file, constants.O_RDWR);
        const task = target.use(() => startWipe({ target: target.fdPath, algorithm, signal: control.signal }));
        await followTask(control, task).catch((err) => {
          throw renamePathInError(err, target.fdPath, file.path);
        });
        // The data is overwritten: a cancel that arrives now no longer undoes anything.
        control.commit();
      },
    );
  }

  // ---- internals ----

  /**
   * The checks a new volume's name gets, in libvirt's order: a valid file name, not a volume already
   * (`exists` builds that error: creating and cloning word it differently), not a volume being built, not
   * some other file. Returns the new volume's path.
   */
  private checkNewName(def: PoolDef, name: string, exists: (name: string) => Error): string {
    const dir = def.target.path;
    checkNewVolumeName(name, dir);
    const path = volumePath(dir, name);
    if (readVolume(dir, name) || this.state.activity.isBuilding(path)) throw exists(name);
    if (pathExists(path)) throw operationInvalid(`volume target path '${path}' already exists`);
    return path;
  }

  /** Starts a job holding its claims until it ends, whichever way it ends. */
  private run<T>(
    start: JobStarter,
    spec: { operation: string; label: string; total: number; vol?: VirStorageVol },
    claims: Claims,
    work: (control: JobControl) => Promise<T>,
  ): VirJob<T> {
    const release = this.state.activity.claim(claims);
    let job: VirJob<T>;
    try {
      job = start({ ...spec, type: JobType.BOUNDED, errorDomain: FROM }, work);
    } catch (err) {
      release();
      throw err;
    }
    job.subscribe((_job, event) => {
      if (event === 'end') release();
    });
    return job;
  }
}

/**
 * A file this process opened without following links and checked, for a native task to use by its
 * descriptor (`/proc/self/fd/N`) rather than by its name, which could be swapped for a symbolic link in
 * between. The descriptor stays open until the task has ended: closing it earlier could let another file
 * take its number before the task opens it.
 */
function openChecked(file: VolumeFile, flags: number): { fdPath: string; use: (start: () => NativeTask) => NativeTask } {
  const opened = openVolumeFile(file.path, flags);
  if (!opened) throw noVolByName(file.name);
  const close = () => closeSync(opened.fd);
  return {
    fdPath: `/proc/self/fd/${opened.fd}`,
    use(start) {
      let task: NativeTask;
      try {
        task = start();
      } catch (err) {
        close();
        throw err;
      }
      afterTask(task, close);
      return task;
    },
  };
}

/**
 * Follows a task that builds a volume's partial file. A task that failed or was cancelled removes its file
 * before it ends; removing it here as well covers a task that ended without getting that far. Either way the
 * file is gone before the job ends. Errors name the volume's path, not its partial file.
 */
async function followBuild(control: JobControl, task: NativeTask, temp: string, path: string): Promise<void> {
  try {
    await followTask(control, task);
  } catch (err) {
    await rm(temp, { force: true });
    throw renamePathInError(err, temp, path);
  }
}

/**
 * Gives a complete, durable partial file its volume's name. A cancel that arrived while the data moved
 * is honoured up to here; past `commit` the volume is published whatever happens. The name is taken with
 * link(), which never replaces an existing file (another process may have created the same name
 * meanwhile); where the filesystem has no hard links, rename() after a last check does the same job.
 */
async function publish(
  control: JobControl,
  temp: string,
  path: string,
  vol: VolumeDef,
  exists: (name: string) => Error,
): Promise<void> {
  const { owner, group } = vol.target.permissions ?? {};
  try {
    if (owner !== undefined || group !== undefined) {
      const uid = owner ?? -1;
      const gid = group ?? -1;
      await lchown(temp, uid, gid).catch((err) => {
        throw sysError(err, `cannot chown '${path}' to (${uid}, ${gid})`);
      });
    }
    // Checked right before the commit, with nothing awaited in between, so no cancel slips past it.
    if (control.cancelRequested) throw control.signal.reason;
    control.commit();
    await linkNoReplace(temp, path, () => exists(vol.name));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  // The volume is in place; a leftover partial name would only be a second link to it, removed on next start.
  await unlink(temp).catch(() => {});
  await syncDirAsync(dirname(path)).catch((err) => {
    throw sysError(err, `cannot sync the directory of '${path}'`);
  });
}

const NO_HARD_LINKS = new Set(['EPERM', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'EMLINK']);

async function linkNoReplace(temp: string, path: string, taken: () => Error): Promise<void> {
  try {
    await link(temp, path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw taken();
    if (!NO_HARD_LINKS.has(code)) throw sysError(err, `cannot create volume '${path}'`);
  }
  const exists = await lstat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw taken();
  try {
    await rename(temp, path);
  } catch (err) {
    throw sysError(err, `cannot create volume '${path}'`);
  }
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const metadataPreallocation = () =>
  virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, FROM, 'metadata preallocation is not supported for raw volumes');

const needsQemuImg = () => internal('creation of non-raw file images is not supported without qemu-img.');
