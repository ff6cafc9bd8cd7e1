import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  virStorageVolCreateXMLFromJob,
  virStorageVolCreateXMLJob,
  virStorageVolLookupByName,
  virStorageVolWipeJob,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { makeFile, MiB, openImagesPool, sleep, volXml } from './helpers.js';

/**
 * The order of a storage job's end, made deterministic: the native tasks are replaced by tasks the test ends
 * by hand, so a task can be kept "in its final fsync" (deaf to the cancel) for as long as the test likes. The
 * job must wait for it: it reaches CANCELLED or FAILED only once the task has ended and its partial file is
 * gone. (cancel.test.ts runs the real tasks, with cancels at random points.)
 */

interface HandTask {
  target: string;
  cancelRequested: boolean;
  /** Ends the task as the native one would: a cancelled or failed task removes the file it created first. */
  end(outcome: 'done' | 'cancelled' | 'failed', removeOwnFile?: boolean): void;
}

const hand = vi.hoisted(() => ({ tasks: [] as HandTask[] }));

vi.mock('../../src/ts/native/copy.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/ts/native/copy.js')>();
  const { writeFileSync, rmSync } = await import('node:fs');
  const { ErrorDomain, ErrorNumber, virError } = await import('../../src/ts/errors/index.js');
  const start = (target: string, creates: boolean, signal?: AbortSignal) => {
    if (creates) writeFileSync(target, 'half-built', { flag: 'wx' });
    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const task = {
      target,
      cancelRequested: false,
      end(outcome: 'done' | 'cancelled' | 'failed', removeOwnFile = true) {
        if (outcome === 'done') return settle.resolve();
        if (creates && removeOwnFile) rmSync(target, { force: true });
        settle.reject(
          outcome === 'failed'
            ? virError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE, `failed writing to file '${target}': No space left on device`)
            : virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_STORAGE, 'job canceled by client'),
        );
      },
    };
    signal?.addEventListener('abort', () => (task.cancelRequested = true), { once: true });
    hand.tasks.push(task);
    return { done, progress: () => ({ processed: 0, total: 0 }), cancel: () => (task.cancelRequested = true) };
  };
  return {
    ...real,
    startClone: (o: { target: string; signal?: AbortSignal }) => start(o.target, true, o.signal),
    startAllocate: (o: { target: string; signal?: AbortSignal }) => start(o.target, true, o.signal),
    startWipe: (o: { target: string; signal?: AbortSignal }) => start(o.target, false, o.signal),
  };
});

let close: () => Promise<void>;
let conn: VirConnect;
let pool: VirStoragePool;
let dir: string;

beforeAll(async () => {
  ({ conn, pool, dir, close } = await openImagesPool('cancel-order'));
  await makeFile(join(dir, 'source'), MiB);
});
afterAll(() => close());
beforeEach(() => {
  hand.tasks.length = 0;
});

const partialsNow = () => readdirSync(dir).filter((n) => n.startsWith('.tsvirt-partial-'));

/** The partial files present at the very moment the job tells its listeners it ended. */
function partialsAtEnd(job: VirJob): Promise<string[]> {
  return new Promise((resolve) => job.subscribe((_job, event) => event === 'end' && resolve(partialsNow())));
}

async function startedTask(): Promise<HandTask> {
  while (hand.tasks.length === 0) await sleep(1);
  return hand.tasks[0]!;
}

const cloneXml = (name: string) => `<volume><name>${name}</name><capacity>0</capacity></volume>`;
const starts = {
  clone: async (name: string) =>
    virStorageVolCreateXMLFromJob(pool, cloneXml(name), await virStorageVolLookupByName(pool, 'source'), 0, 0),
  create: (name: string) => virStorageVolCreateXMLJob(pool, volXml(name, MiB), 0, 0),
};

describe.each(Object.entries(starts))('%s', (kind, start) => {
  it('a cancel during the final fsync: the job waits for the task, then ends CANCELLED with nothing left', async () => {
    const name = `${kind}-fsync`;
    const job = await start(name);
    const atEnd = partialsAtEnd(job);
    const task = await startedTask();
    job.cancel();
    expect(task.cancelRequested).toBe(true);
    await sleep(150); // the task is deaf to the cancel meanwhile (its fsync cannot be interrupted)
    expect(job.state).toBe(JobState.RUNNING);
    expect(existsSync(task.target)).toBe(true);
    task.end('done'); // the fsync returns: the data is whole, but the cancel came first
    expect(await atEnd).toEqual([]);
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.error?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(existsSync(join(dir, name))).toBe(false);
    job.unref();
  });

  it('a task that stops on the cancel: CANCELLED once its file is gone', async () => {
    const job = await start(`${kind}-stops`);
    const atEnd = partialsAtEnd(job);
    const task = await startedTask();
    job.cancel();
    task.end('cancelled');
    expect(await atEnd).toEqual([]);
    expect(job.state).toBe(JobState.CANCELLED);
    job.unref();
  });

  it('a task that fails: FAILED only once its partial file is gone, even one the task left behind', async () => {
    const job = await start(`${kind}-fails`);
    const atEnd = partialsAtEnd(job);
    const task = await startedTask();
    task.end('failed', false);
    expect(await atEnd).toEqual([]);
    expect(job.state).toBe(JobState.FAILED);
    expect(job.error?.message).toBe(`failed writing to file '${join(dir, `${kind}-fails`)}': No space left on device`);
    job.unref();
  });
});

it('wipe: a cancelled wipe ends only once its task has stopped writing', async () => {
  const job = await virStorageVolWipeJob(await virStorageVolLookupByName(pool, 'source'), 0, 0);
  const task = await startedTask();
  job.cancel();
  await sleep(150);
  expect(job.state).toBe(JobState.RUNNING);
  task.end('cancelled');
  await job.whenDone();
  expect(job.state).toBe(JobState.CANCELLED);
  expect(job.error?.message).toBe('operation aborted: volume wipe job: canceled by client');
  job.unref();
});
