import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  type BigIntStats,
  type Dirent,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorDomain, systemError } from '../../errors/index.js';
import { isVolumeName, volumePath } from './volume-name.js';

/**
 * What the pool's directory says about a volume. Nothing is cached: every lookup reads the directory, so
 * every connection (in this process or another) sees the files as they are.
 *
 * Only regular files are volumes. Symbolic links are not followed anywhere, so a link in the pool
 * directory can never expose a file outside it; files are opened with O_NOFOLLOW and checked with fstat
 * on the descriptor that is then used.
 */
export interface VolumeFile {
  name: string;
  /** The pool's target path joined with the name: also the volume's key, as in libvirt's dir backend. */
  path: string;
  /** 'raw', or an image format recognised by its magic ('qcow2', 'qcow'). */
  format: string;
  /** Bytes the guest sees: the virtual size of an image format, the file size of raw. */
  capacity: number;
  /** Bytes allocated on disk (st_blocks × 512). */
  allocation: number;
  /** The file size. */
  physical: number;
  mode: number;
  uid: number;
  gid: number;
  /** libvirt's timestamp format: seconds.nanoseconds. */
  atime: string;
  mtime: string;
  ctime: string;
}

/** Names of the volume files in `dir`, sorted; partial files and anything but regular files are skipped. */
export function listVolumeNames(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw systemError(err, ErrorDomain.VIR_FROM_NONE, `cannot open directory '${dir}'`);
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!isVolumeName(entry.name)) continue;
    if (entry.isFile() || (typeUnknown(entry) && isRegular(dir, entry.name))) names.push(entry.name);
  }
  return names.sort();
}

/** Some filesystems do not report entry types in readdir (DT_UNKNOWN): lstat decides for those. */
function typeUnknown(entry: Dirent): boolean {
  return !(
    entry.isFile() ||
    entry.isDirectory() ||
    entry.isSymbolicLink() ||
    entry.isFIFO() ||
    entry.isSocket() ||
    entry.isBlockDevice() ||
    entry.isCharacterDevice()
  );
}

function isRegular(dir: string, name: string): boolean {
  try {
    return lstatSync(volumePath(dir, name)).isFile();
  } catch {
    return false;
  }
}

/** The volume `name` of the pool at `dir`, or null when there is no such regular file. */
export function readVolume(dir: string, name: string): VolumeFile | null {
  if (!isVolumeName(name)) return null;
  const path = volumePath(dir, name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    // ELOOP: a symbolic link; ENOENT: gone; EACCES and others: not usable as a volume either.
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ELOOP')) return null;
    throw systemError(err, ErrorDomain.VIR_FROM_STORAGE, `cannot open volume '${path}'`);
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile()) return null;
    const image = probeImage(fd);
    return describe(name, path, st, image);
  } finally {
    closeSync(fd);
  }
}

function describe(name: string, path: string, st: BigIntStats, image: ImageHeader | null): VolumeFile {
  const size = Number(st.size);
  return {
    name,
    path,
    format: image?.format ?? 'raw',
    capacity: image?.virtualSize ?? size,
    allocation: Number(st.blocks) * 512,
    physical: size,
    mode: Number(st.mode) & 0o7777,
    uid: Number(st.uid),
    gid: Number(st.gid),
    atime: timestamp(st.atimeNs),
    mtime: timestamp(st.mtimeNs),
    ctime: timestamp(st.ctimeNs),
  };
}

function timestamp(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const rest = ns % 1_000_000_000n;
  return `${seconds}.${rest.toString().padStart(9, '0')}`;
}

interface ImageHeader {
  format: string;
  virtualSize: number;
}

/**
 * Recognises QEMU's qcow family by its magic ("QFI\xfb"): version 1 is 'qcow', 2 and 3 are 'qcow2'. Both
 * keep the virtual size as a big-endian u64 at offset 24. Everything else is raw, as for libvirt without
 * a format hint.
 */
function probeImage(fd: number): ImageHeader | null {
  const header = Buffer.alloc(32);
  let got: number;
  try {
    got = readSync(fd, header, 0, header.length, 0);
  } catch {
    return null;
  }
  if (got < 32 || header.readUInt32BE(0) !== 0x514649fb) return null;
  const version = header.readUInt32BE(4);
  if (version < 1 || version > 3) return null;
  const size = header.readBigUInt64BE(24);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { format: version === 1 ? 'qcow' : 'qcow2', virtualSize: Number(size) };
}

/**
 * Opens the volume file itself, never a symbolic link in its place, and proves that what was opened is a
 * regular file. The caller owns the descriptor. Null when the name is not (or no longer) a volume.
 */
export function openVolumeFile(path: string, flags: number): { fd: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ELOOP')) return null;
    throw systemError(err, ErrorDomain.VIR_FROM_STORAGE, `cannot open volume '${path}'`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    return null;
  }
  return { fd, size: st.size };
}

/** The asynchronous twin of openVolumeFile, for long work on the file. */
export async function openVolumeHandle(path: string, flags: number): Promise<{ handle: FileHandle; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ELOOP')) return null;
    throw systemError(err, ErrorDomain.VIR_FROM_STORAGE, `cannot open volume '${path}'`);
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    return null;
  }
  return { handle, size: st.size };
}

export function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}
