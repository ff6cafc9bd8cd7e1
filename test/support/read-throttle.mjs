// Throttled disk reads for the cancel tests and bench/cancel.mjs (plain ESM so benches can import it too).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Runs fn with this process's reads from the disk holding `file` throttled to `bps` (cgroup v1 blkio), so a
 * copy is slow enough for a cancel to land mid-way; false when the machine offers no such cgroup.
 */
export async function withReadThrottle(file, bps, fn) {
  const root = '/sys/fs/cgroup/blkio';
  const dev = statSync(file).dev;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & ~0xff);
  if (!existsSync(join(root, 'cgroup.procs')) || !existsSync(`/sys/dev/block/${major}:${minor}`)) return false;
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => /^\d+:([^:]*,)?blkio(,[^:]*)?:/.test(l));
  const home = join(root, line ? line.slice(line.lastIndexOf(':') + 1) : '/');
  const group = join(root, `tsvirt-read-throttle-${process.pid}`);
  try {
    await mkdir(group);
    await writeFile(join(group, 'blkio.throttle.read_bps_device'), `${major}:${minor} ${bps}`);
    await writeFile(join(group, 'cgroup.procs'), String(process.pid));
  } catch {
    await rmdir(group).catch(() => {});
    return false;
  }
  try {
    await fn();
  } finally {
    await writeFile(join(home, 'cgroup.procs'), String(process.pid));
    await rmdir(group);
  }
  return true;
}
