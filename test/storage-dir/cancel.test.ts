import { existsSync, readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  virStorageVolCreateXMLFromJob,
  virStorageVolCreateXMLJob,
  virStorageVolDelete,
  virStorageVolLookupByName,
  virStorageVolWipeJob,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool, VirStorageVol } from '../../src/ts/core/handles.js';
import { ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { makeFile, MiB, openImagesPool, partialFiles, sha256, sleep, volXml } from './helpers.js';

/**
 * A storage job reaches its terminal state only once it has cleaned up: whenever a cancel lands (before the
 * task starts, while it moves data, in its final fsync, while the volume is published), nobody who sees the
 * job ended may find its partial file, and a cancelled wipe writes nothing more.
 */

let close: () => Promise<void>;
let conn: VirConnect;
let pool: VirStoragePool;
let dir: string;

beforeAll(async () => {
  ({ conn, pool, dir, close } = await openImagesPool('cancel'));
  await makeFile(join(dir, 'dense'), 16 * MiB);
  await makeFile(join(dir, 'target'), 16 * MiB);
});
afterAll(() => close());

const cloneXml = (name: string) => `<volume><name>${name}</name><capacity>0</capacity></volume>`;
const partialsNow = () => readdirSync(dir).filter((n) => n.startsWith('.tsvirt-partial-'));

/** What the directory holds at the very moment the job tells its listeners it ended. */
function atEnd<T>(job: VirJob, look: () => T): Promise<T> {
  return new Promise((resolve) => {
    job.subscribe((_job, event) => {
      if (event === 'end') resolve(look());
    });
  });
}

/** A cancel after a random delay (none, a few ms, or most of the job), as a user's Ctrl-C lands anywhere. */
async function cancelSomewhere(job: VirJob, maxMs: number): Promise<void> {
  const delay = Math.floor(Math.random() * maxMs);
  if (delay > 0) await sleep(delay);
  if (job.running) job.cancel();
}

async function lookup(name: string): Promise<VirStorageVol> {
  return virStorageVolLookupByName(pool, name);
}

describe('a cancelled job ends only after its cleanup', () => {
  it('clone: no partial file when the job is seen to end, wherever the cancel lands', async () => {
    const source = await lookup('dense');
    const states: JobState[] = [];
    for (let i = 0; i < 60; i++) {
      const name = `clone${i}`;
      const job = await virStorageVolCreateXMLFromJob(pool, cloneXml(name), source, 0, 0);
      const seen = atEnd(job, partialsNow);
      await cancelSomewhere(job, 40);
      expect(await seen, `iteration ${i}`).toEqual([]);
      await job.whenDone();
      expect(partialsNow()).toEqual([]);
      states.push(job.state);
      if (job.state === JobState.CANCELLED) {
        expect(job.error?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
        expect(existsSync(join(dir, name))).toBe(false);
      } else {
        // The cancel came after the point of no return (or after the end): the clone is whole.
        expect(job.state).toBe(JobState.COMPLETED);
        expect(await sha256(join(dir, name))).toBe(await sha256(join(dir, 'dense')));
        await virStorageVolDelete(await lookup(name), 0);
      }
      job.unref();
    }
    expect(states).toContain(JobState.CANCELLED);
    expect((await readdir(dir)).sort()).toEqual(['dense', 'target']);
  });

  it('create: no partial file when the job is seen to end, wherever the cancel lands', async () => {
    for (let i = 0; i < 40; i++) {
      const name = `new${i}`;
      const job = await virStorageVolCreateXMLJob(pool, volXml(name, 32 * MiB), 0, 0);
      const seen = atEnd(job, partialsNow);
      await cancelSomewhere(job, 20);
      expect(await seen, `iteration ${i}`).toEqual([]);
      await job.whenDone();
      if (job.state === JobState.CANCELLED) expect(existsSync(join(dir, name))).toBe(false);
      else await virStorageVolDelete(await lookup(name), 0);
      job.unref();
    }
    expect((await readdir(dir)).sort()).toEqual(['dense', 'target']);
  });

  it('wipe: once the job is seen to end, nothing writes to the volume any more', async () => {
    const target = await lookup('target');
    const path = join(dir, 'target');
    for (let i = 0; i < 20; i++) {
      const job = await virStorageVolWipeJob(target, 8 /* random data, so every pass changes the file */, 0);
      const seen = atEnd(job, () => statSync(path, { bigint: true }).mtimeNs);
      await cancelSomewhere(job, 30);
      const mtimeAtEnd = await seen;
      const hashAtEnd = await sha256(path);
      await sleep(30);
      expect(statSync(path, { bigint: true }).mtimeNs, `iteration ${i}`).toBe(mtimeAtEnd);
      expect(await sha256(path)).toBe(hashAtEnd);
      expect([JobState.CANCELLED, JobState.COMPLETED]).toContain(job.state);
      job.unref();
    }
    expect(statSync(path).size).toBe(16 * MiB);
  });

  it('a failed job, too, ends after its partial file is gone', async () => {
    // ext4 files end at 16 TiB: the native task fails at once, after creating its partial file.
    for (let i = 0; i < 10; i++) {
      const job = await virStorageVolCreateXMLJob(pool, volXml(`huge${i}`, 300 * 2 ** 40, 0), 0, 0);
      const seen = atEnd(job, partialsNow);
      expect(await seen).toEqual([]);
      expect(job.state).toBe(JobState.FAILED);
      expect(job.error?.message).toMatch(/^cannot extend file '.*\/huge\d+': File too large$/);
      job.unref();
    }
    expect(await partialFiles(dir)).toEqual([]);
  });
});
