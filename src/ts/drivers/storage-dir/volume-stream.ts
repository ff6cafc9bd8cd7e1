import { constants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StreamIO, VirStorageVol } from '../../core/handles.js';
import { ErrorDomain, systemError, type VirError } from '../../errors/index.js';
import { syncDirAsync } from './atomic-file.js';
import type { DriverState } from './driver-state.js';
import { checkFlags, noVolByName, sysError, volBuilding } from './errors.js';
import { newPartialName } from './partial.js';
import { openVolumeHandle, type VolumeFile } from './volume-file.js';
import type { DirVolumes } from './volumes.js';

/**
 * Uploads into and downloads from volume files, for streams (virStorageVolUpload, virStorageVolDownload).
 * All file I/O goes through fs promises, so it runs on libuv's threads and never on the event loop.
 *
 * An upload never changes the volume in place. It writes into a partial file of the pool's directory
 * (partial.ts: never listed, removed after a crash), and only `finish` completes that file with the parts of
 * the volume the upload did not overwrite, syncs it and renames it over the volume. So the volume is either
 * as it was or as uploaded: an abort, an error, a client that disconnects or a process that dies leave it
 * untouched, where libvirt's dir backend would leave it half-written. The volume is "in use" meanwhile
 * (no delete, resize, wipe or second upload; the pool cannot be stopped), and keeps its mode and owner.
 *
 * A download reads the file from `offset`; holes read as zeros, so a sparse volume downloads as its bytes.
 * Sparse streams (the SPARSE_STREAM flag) also carry holes: an upload leaves a hole's range unwritten, a
 * download reports runs of zero blocks as holes (inData) and skips them on request (sendHole).
 */
const STREAMS = ErrorDomain.VIR_FROM_STREAMS;
/** Parts of the old volume are copied in chunks of this size; chunks of zeros are left as holes. */
const COPY_CHUNK = 1 << 20;
/** The most one read of a download asks for, whatever the caller's buffer. */
const READ_MAX = 4 << 20;
/** Upload writes running at once (libuv's pool has four threads). */
const WRITES_IN_FLIGHT = 4;

/** VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM. */
const SPARSE_STREAM = 1;
/** A sparse download tells data from holes by blocks of this size that read as zeros (Node has no SEEK_DATA). */
const HOLE_BLOCK = 64 * 1024;
/** How far one answer of a sparse download looks ahead: data, and holes (which read as zeros quickly). */
const DATA_SCAN = 1 << 20;
const HOLE_SCAN = 64 << 20;

const errno = (code: string, no: number) => Object.assign(new Error(code), { code, errno: -no });

export class VolumeStreams {
  constructor(
    private readonly state: DriverState,
    private readonly volumes: DirVolumes,
  ) {}

  async upload(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): Promise<StreamIO> {
    checkFlags(flags, SPARSE_STREAM, 'storageVolUpload');
    const file = this.volumes.file(vol);
    this.volumes.requireIdle(file);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER))
      throw systemError(errno('EINVAL', 22), STREAMS, `Unable to seek ${file.path} to ${offset}`);
    const release = this.state.activity.claim({ pools: [vol.pool], uses: [file.path] });
    const temp = join(dirname(file.path), newPartialName());
    let source: FileHandle | undefined;
    let target: FileHandle | undefined;
    try {
      const opened = await openVolumeHandle(file.path, constants.O_RDONLY);
      if (!opened) throw noVolByName(file.name);
      source = opened.handle;
      target = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600).catch(
        (err) => {
          throw sysError(err, `cannot create file '${temp}'`);
        },
      );
      await keepOwnership(target, file);
      return new Upload(file, source, opened.size, target, temp, Number(offset), limitOf(length), release, (flags & SPARSE_STREAM) !== 0);
    } catch (err) {
      await source?.close().catch(() => {});
      await target?.close().catch(() => {});
      await rm(temp, { force: true });
      release();
      throw err;
    }
  }

  async download(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): Promise<StreamIO> {
    checkFlags(flags, SPARSE_STREAM, 'storageVolDownload');
    const file = this.volumes.file(vol);
    if (this.state.activity.isBuilding(file.path)) throw volBuilding(file.name);
    const opened = await openVolumeHandle(file.path, constants.O_RDONLY);
    if (!opened) throw noVolByName(file.name);
    // Nothing lies beyond the largest possible file: an offset past it reads the end at once, as read(2) does.
    const start = offset > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(offset);
    return new Download(file, opened.handle, start, limitOf(length), (flags & SPARSE_STREAM) !== 0);
  }
}

/** C's length argument: 0 is no limit; anything beyond what a file can hold is no limit either. */
function limitOf(length: bigint): number {
  if (length === 0n || length > BigInt(Number.MAX_SAFE_INTEGER)) return Infinity;
  return Number(length);
}

/** The new file gets the volume's permission bits exactly (not reduced by the umask) and, where it differs, its owner. */
async function keepOwnership(target: FileHandle, file: VolumeFile): Promise<void> {
  await target.chmod(file.mode).catch((err) => {
    throw sysError(err, `cannot set mode of '${file.path}' to ${file.mode.toString(8).padStart(4, '0')}`);
  });
  const uid = process.getuid?.() ?? file.uid;
  const gid = process.getgid?.() ?? file.gid;
  if (uid === file.uid && gid === file.gid) return;
  await target.chown(file.uid, file.gid).catch((err) => {
    throw sysError(err, `cannot chown '${file.path}' to (${file.uid}, ${file.gid})`);
  });
}

class Upload implements StreamIO {
  readonly direction = 'send';
  private written = 0;
  private ended = false;
  private readonly writes = new Set<Promise<void>>();
  private failure: VirError | null = null;
  /** Present on a sparse upload: a hole is a range not written, which reads as zeros in the new file. */
  readonly sendHole?: (length: number) => Promise<void>;

  constructor(
    private readonly file: VolumeFile,
    private readonly source: FileHandle,
    private readonly sourceSize: number,
    private readonly target: FileHandle,
    private readonly temp: string,
    private readonly offset: number,
    private readonly limit: number,
    private readonly release: () => void,
    sparse: boolean,
  ) {
    if (sparse) this.sendHole = (length) => this.skip(length);
  }

  private async skip(length: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (length > 0 && this.written >= this.limit) throw systemError(errno('ENOSPC', 28), STREAMS, 'cannot write to stream');
    this.written += Math.min(length, this.limit - this.written);
  }

  /**
   * Takes as much of `data` as the length limit allows; a send with the limit already reached fails as
   * libvirt's does. The bytes are copied and written behind, up to WRITES_IN_FLIGHT writes at once (each to
   * its own range of the file), as libvirt's stream thread writes behind its queue: a write's failure is
   * the answer of the next send, or of finish.
   */
  async send(data: Buffer): Promise<number> {
    if (this.failure) throw this.failure;
    if (this.written >= this.limit) throw systemError(errno('ENOSPC', 28), STREAMS, 'cannot write to stream');
    const n = Math.min(data.length, this.limit - this.written);
    const bytes = Buffer.from(data.subarray(0, n)); // the caller may reuse its buffer once send resolved
    const write = writeAt(this.target, bytes, this.offset + this.written)
      .catch((err) => {
        this.failure ??= systemError(err, STREAMS, 'cannot write to stream');
      })
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
    this.written += n;
    while (this.writes.size >= WRITES_IN_FLIGHT) await Promise.race(this.writes);
    if (this.failure) throw this.failure;
    return n;
  }

  /** Waits for the writes in flight; the first failure among them, if any, is thrown. */
  private async settleWrites(): Promise<void> {
    await Promise.all(this.writes);
    if (this.failure) throw this.failure;
  }

  /**
   * Completes the new file with what the upload did not overwrite (the old volume before `offset` and past
   * the written range), makes it durable and puts it in the volume's place. A failure removes it.
   */
  async finish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const end = this.offset + this.written;
    try {
      await this.settleWrites();
      try {
        await this.target.truncate(Math.max(this.sourceSize, end));
        await copyRange(this.source, this.target, 0, Math.min(this.offset, this.sourceSize));
        await copyRange(this.source, this.target, end, this.sourceSize);
        await this.target.sync();
      } catch (err) {
        throw asVirError(err, `cannot write to volume '${this.file.path}'`);
      }
      await this.closeFiles();
      await rename(this.temp, this.file.path).catch((err) => {
        throw sysError(err, `cannot replace volume '${this.file.path}'`);
      });
      await syncDirAsync(dirname(this.file.path)).catch((err) => {
        throw sysError(err, `cannot sync the directory of '${this.file.path}'`);
      });
    } catch (err) {
      await this.discard();
      throw err;
    } finally {
      this.release();
    }
  }

  async abort(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      await this.discard();
    } finally {
      this.release();
    }
  }

  private async discard(): Promise<void> {
    await Promise.all(this.writes);
    await this.closeFiles();
    await rm(this.temp, { force: true });
  }

  private async closeFiles(): Promise<void> {
    // FileHandle.close waits for the handle's operations in flight, so nothing writes after this.
    await Promise.all([this.source.close().catch(() => {}), this.target.close().catch(() => {})]);
  }
}

async function writeAt(target: FileHandle, bytes: Buffer, at: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) done += (await target.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
}

/** Copies [from, to) of `source` into the same place of `target`, whose range reads as zeros: chunks of zeros stay holes. */
async function copyRange(source: FileHandle, target: FileHandle, from: number, to: number): Promise<void> {
  if (to <= from) return;
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, to - from));
  const zeros = Buffer.alloc(buf.length);
  for (let at = from; at < to; ) {
    const want = Math.min(buf.length, to - at);
    const { bytesRead } = await source.read(buf, 0, want, at);
    if (bytesRead === 0) break; // the old volume shrank meanwhile: nothing more of it to keep
    const chunk = buf.subarray(0, bytesRead);
    if (!chunk.equals(zeros.subarray(0, bytesRead))) {
      for (let done = 0; done < bytesRead; ) done += (await target.write(chunk, done, bytesRead - done, at + done)).bytesWritten;
    }
    at += bytesRead;
  }
}

function asVirError(err: unknown, message: string): VirError {
  return (err as { code?: unknown })?.code && typeof (err as { code?: unknown }).code === 'string'
    ? sysError(err, message)
    : (err as VirError);
}

class Download implements StreamIO {
  readonly direction = 'recv';
  private position: number;
  private remaining: number;
  private ended = false;
  /** Present on a sparse download. */
  readonly inData?: () => Promise<{ inData: boolean; length: number }>;
  readonly sendHole?: (length: number) => Promise<void>;

  constructor(
    private readonly file: VolumeFile,
    private readonly handle: FileHandle,
    offset: number,
    limit: number,
    sparse: boolean,
  ) {
    this.position = offset;
    this.remaining = limit;
    if (sparse) {
      this.inData = () => this.scan();
      this.sendHole = async (length) => {
        const n = Math.min(length, this.remaining);
        this.position += n;
        this.remaining -= n;
      };
    }
  }

  /**
   * Whether the bytes ahead are data or a hole, and how many: blocks that read as zeros are a hole (a hole
   * of the file, or zeros written as data: the bytes are the same). {inData: false, length: 0} at the end.
   */
  private async scan(): Promise<{ inData: boolean; length: number }> {
    const block = Buffer.allocUnsafe(HOLE_BLOCK);
    const zeros = Buffer.alloc(HOLE_BLOCK);
    let kind: boolean | null = null;
    let length = 0;
    while (this.remaining - length > 0 && length < (kind === false ? HOLE_SCAN : DATA_SCAN)) {
      const want = Math.min(HOLE_BLOCK, this.remaining - length);
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(block, 0, want, this.position + length));
      } catch (err) {
        throw systemError(err, STREAMS, `cannot read from volume '${this.file.path}'`);
      }
      if (bytesRead === 0) break;
      const data = !block.subarray(0, bytesRead).equals(zeros.subarray(0, bytesRead));
      if (kind === null) kind = data;
      else if (data !== kind) break;
      length += bytesRead;
      if (bytesRead < want) break;
    }
    return { inData: kind ?? false, length };
  }

  async recv(max: number): Promise<Buffer> {
    const want = Math.min(max, this.remaining, READ_MAX);
    if (want <= 0 || this.ended) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(want);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(buf, 0, want, this.position));
    } catch (err) {
      throw systemError(err, STREAMS, `cannot read from volume '${this.file.path}'`);
    }
    if (bytesRead === 0) this.remaining = 0;
    else {
      this.position += bytesRead;
      this.remaining -= bytesRead;
    }
    return buf.subarray(0, bytesRead);
  }

  async finish(): Promise<void> {
    await this.close();
  }

  async abort(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.handle.close().catch(() => {});
  }
}
