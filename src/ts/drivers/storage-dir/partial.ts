import { randomBytes } from '../../core/random.js';
import { readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Volumes under construction live in their pool's directory under a temporary name until they are
 * complete, so a volume never appears under its final name half-written. The name records which process
 * builds it: its pid and the time it started (the pid alone could have been reused by an unrelated process
 * after a crash). On startup the driver removes the partial files whose process is gone; the partial files
 * of live processes, this one's included, are left alone.
 *
 *   .tsvirt-partial-<pid>-<start time in clock ticks since boot>-<random hex>
 */
export const PARTIAL_PREFIX = '.tsvirt-partial-';
const PARTIAL_PATTERN = /^\.tsvirt-partial-(\d+)-(\d+)-[0-9a-f]+$/;

export function isPartialName(name: string): boolean {
  return name.startsWith(PARTIAL_PREFIX);
}

let ownStartTime: string | undefined;

/** A fresh partial-file name owned by this process. */
export function newPartialName(): string {
  ownStartTime ??= processStartTime(process.pid) ?? '0';
  return `${PARTIAL_PREFIX}${process.pid}-${ownStartTime}-${randomBytes(8).toString('hex')}`;
}

/** Removes the partial files in `dir` whose builder is dead; returns their names. */
export function removeDeadPartials(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // a pool directory that is missing or unreadable has nothing to clean
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = PARTIAL_PATTERN.exec(name);
    if (!match) continue;
    const [, pid, started] = match;
    if (processStartTime(Number(pid)) === started) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // Another process cleaned it first, or it is not ours to remove (a directory): leave it.
    }
  }
  return removed;
}

/** Field 22 of /proc/PID/stat, or undefined when no such process runs. */
function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}
