import { close, constants, fchmod, fchown, fsync, write, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { linkUnnamedFile, openUnnamedFile } from '../../native/tmpfile.js';
import { randomBytes } from '../../core/random.js';
import { ErrorDomain, systemError as reportSystemError } from '../../errors/index.js';
import type { JobControl } from '../../jobs/job.js';
import { openWaitingForPeer } from './fifo.js';

// node:fs/promises on first use: a short tsvirsh command on the test driver does no file I/O (~0.8 ms of its start).
const fsp = () => process.getBuiltinModule('node:fs/promises');

/**
 * How the test driver writes a job's output file (a save image, a core dump): libvirt's outcome for every kind
 * of target, and tsvirt's guarantee wherever the target allows it.
 *
 * - A regular file, or no file yet, in a directory this process may write: the content goes to an unnamed
 *   file in that directory, linked under the final name only past the job's point of no return. Nothing
 *   half-written ever carries the name, and a process killed meanwhile leaves nothing behind. A file that is
 *   replaced keeps its permission bits and, where allowed, its owner; through a symbolic link, the file it
 *   points to is replaced and the link stays a link.
 * - Anything else is opened and written in place, as libvirt does (open with O_WRONLY|O_CREAT|O_TRUNC,
 *   following links): a character device stays a device, a FIFO's reader gets the bytes (the open waits for a
 *   reader, as libvirt's does, but a cancel ends the wait), a dangling link creates its target, and an
 *   existing file in a directory this process may not write is overwritten. A directory fails as in libvirt
 *   (`Is a directory`). An existing file is truncated only past the point of no return.
 */

/** How a failure to open or to write the file is reported, in the test driver's words for that file. */
export interface FileFailures {
  open: string;
  write: string;
}

const FROM = ErrorDomain.VIR_FROM_TEST;
const systemError = (err: unknown, message: string) => reportSystemError(err, FROM, message);
const writeAt = promisify(write);
const syncFd = promisify(fsync);
const closeFd = promisify(close);
const chmodFd = promisify(fchmod);
const chownFd = promisify(fchown);

/** Writes `content` to `path` for a job, committing the job at its point of no return. */
export async function writeOutputFile(control: JobControl, path: string, content: Buffer, failures: FileFailures): Promise<void> {
  const target = await inspect(path);
  if (target.replaceable) {
    const staged = await stage(target.file, content, target.existing, failures);
    if (staged) {
      if (control.cancelRequested) {
        await staged.discard();
        throw control.signal.reason;
      }
      control.commit();
      await staged.publish();
      return;
    }
  }
  await writeInPlace(control, path, target.existing, content, failures);
}

type Target = { replaceable: true; file: string; existing: Stats | null } | { replaceable: false; existing: Stats | null };

/** Whether `path` can be replaced by renaming a new file over it, and which file that is (links followed). */
async function inspect(path: string): Promise<Target> {
  let existing: Stats;
  try {
    existing = await fsp().stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { replaceable: false, existing: null };
    const dangling = await fsp().lstat(path).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    return dangling ? { replaceable: false, existing: null } : { replaceable: true, file: path, existing: null };
  }
  if (!existing.isFile()) return { replaceable: false, existing };
  try {
    return { replaceable: true, file: await fsp().realpath(path), existing };
  } catch {
    return { replaceable: false, existing };
  }
}

interface Staged {
  /** Puts the complete file under its name, replacing what was there. */
  publish(): Promise<void>;
  discard(): Promise<void>;
}

/** Codes that mean the directory is not ours to write, while a file in it may be. */
const DIRECTORY_DENIED = new Set(['EACCES', 'EPERM']);

/**
 * The complete, synced content beside `file`, not yet under its name; null when the directory refuses new
 * files but `file` exists, so the caller writes it in place as libvirt would.
 */
async function stage(file: string, content: Buffer, existing: Stats | null, failures: FileFailures): Promise<Staged | null> {
  let fd: number | null;
  try {
    fd = await openUnnamedFile(dirname(file), 0o600);
  } catch (err) {
    if (existing && DIRECTORY_DENIED.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw systemError(err, failures.open);
  }
  if (fd === null) return stageNamed(file, content, existing, failures);
  const unnamed = fd;
  try {
    await writeAll(unnamed, content);
    if (existing) await keepAccess(unnamed, existing);
    await syncFd(unnamed);
  } catch (err) {
    await closeFd(unnamed).catch(() => {});
    throw systemError(err, failures.write);
  }
  return {
    async publish() {
      try {
        await linkUnnamedFile(unnamed, file).catch(async (err) => {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          // link() never replaces: give the file a passing name, then rename it over the old one.
          const passing = partName(file);
          await linkUnnamedFile(unnamed, passing);
          await fsp().rename(passing, file).catch(async (renameErr) => {
            await fsp().unlink(passing).catch(() => {});
            throw renameErr;
          });
        });
      } catch (err) {
        throw systemError(err, failures.write);
      } finally {
        await closeFd(unnamed).catch(() => {});
      }
    },
    async discard() {
      await closeFd(unnamed).catch(() => {});
    },
  };
}

/**
 * For filesystems without unnamed files: a named temporary file beside `file`, renamed over it on publish. A
 * process killed before then leaves that `.part` file behind; this is the only case where it can.
 */
async function stageNamed(file: string, content: Buffer, existing: Stats | null, failures: FileFailures): Promise<Staged | null> {
  const temp = partName(file);
  let handle: FileHandle;
  try {
    handle = await fsp().open(temp, 'wx', 0o600);
  } catch (err) {
    if (existing && DIRECTORY_DENIED.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw systemError(err, failures.open);
  }
  try {
    await handle.writeFile(content);
    if (existing) await keepAccess(handle.fd, existing);
    await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => {});
    await fsp().unlink(temp).catch(() => {});
    throw systemError(err, failures.write);
  }
  return {
    async publish() {
      try {
        await fsp().rename(temp, file);
      } catch (err) {
        await fsp().unlink(temp).catch(() => {});
        throw systemError(err, failures.write);
      }
    },
    async discard() {
      await fsp().unlink(temp).catch(() => {});
    },
  };
}

function partName(file: string): string {
  return `${file}.tsvirt-${process.pid}-${randomBytes(4).toString('hex')}.part`;
}

/** A replaced file keeps its mode, and its owner where this process may give it (as libvirt's O_TRUNC would). */
async function keepAccess(fd: number, existing: Stats): Promise<void> {
  await chmodFd(fd, existing.mode & 0o7777);
  await chownFd(fd, existing.uid, existing.gid).catch(() => {});
}

async function writeAll(fd: number, content: Buffer): Promise<void> {
  for (let done = 0; done < content.length; ) done += (await writeAt(fd, content, done, content.length - done)).bytesWritten;
}

/**
 * libvirt's way: open the target itself and write. The open does not truncate, so a cancel before the point of
 * no return leaves an existing file as it was; a regular file is truncated once committed.
 */
async function writeInPlace(
  control: JobControl,
  path: string,
  existing: Stats | null,
  content: Buffer,
  failures: FileFailures,
): Promise<void> {
  const handle = await openWaitingForPeer(control, path, constants.O_WRONLY | constants.O_CREAT, existing).catch((err) => {
    throw err === control.signal.reason ? err : systemError(err, failures.open);
  });
  try {
    if (control.cancelRequested) throw control.signal.reason;
    control.commit();
    try {
      if ((await handle.stat()).isFile()) await handle.truncate(0);
      await handle.writeFile(content);
      await handle.close();
    } catch (err) {
      throw systemError(err, failures.write);
    }
  } finally {
    await handle.close().catch(() => {});
  }
}
