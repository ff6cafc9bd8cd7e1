import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isPartialName, newPartialName, removeDeadPartials } from '../../src/ts/drivers/storage-dir/partial.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsvirt-partial-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('names partial files after this process, uniquely', () => {
  const a = newPartialName();
  const b = newPartialName();
  expect(a).not.toBe(b);
  expect(a).toMatch(new RegExp(`^\\.tsvirt-partial-${process.pid}-\\d+-[0-9a-f]{16}$`));
  expect(isPartialName(a)).toBe(true);
  expect(isPartialName('disk.img')).toBe(false);
});

it('removes the partial files of dead processes only', async () => {
  const mine = newPartialName();
  const [, , start] = /^\.tsvirt-partial-(\d+)-(\d+)-/.exec(mine)!;
  // A process that has exited: its pid no longer runs (or runs something started later).
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const deadOne = `.tsvirt-partial-${dead}-1-00ff`;
  // This pid, but a start time from before: a reused pid, so its builder is gone too.
  const reused = `.tsvirt-partial-${process.pid}-${Number(start) - 1}-00ff`;
  const foreign = '.tsvirt-partial-not-ours';
  await mkdir(join(dir, '.tsvirt-partial-1-1-dd')); // not a file: left alone
  for (const name of [mine, deadOne, reused, foreign, 'volume']) await writeFile(join(dir, name), '');

  expect(removeDeadPartials(dir).sort()).toEqual([deadOne, reused].sort());
  expect((await readdir(dir)).sort()).toEqual([foreign, '.tsvirt-partial-1-1-dd', mine, 'volume'].sort());
  expect(removeDeadPartials(join(dir, 'missing'))).toEqual([]);
});
