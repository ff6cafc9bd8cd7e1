import { randomBytes } from '../../core/random.js';
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Durable small-file updates for the driver's state: a reader (this process or another) sees either the
 * old content or the new, never a torn file, and a completed update survives a crash. The content goes to
 * a temporary file in the same directory, which is synced, renamed over the target, and the directory is
 * synced so that the rename itself is on disk.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    try {
      const buffer = Buffer.from(data, 'utf8');
      for (let done = 0; done < buffer.length; ) done += writeSync(fd, buffer, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed or never written: nothing of ours is left behind.
    }
    throw err;
  }
  syncDir(dir);
}

/** Removes `path` durably; a file that is already gone is not an error. */
export function removeFileDurably(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  syncDir(dirname(path));
}

/** Makes the directory's entries (creations, renames, removals) durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** syncDir for code on the event loop's critical path (jobs): the fsync runs off the JS thread. */
export async function syncDirAsync(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
