import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ErrorNumber, VirError, connect, type Connection } from '../../src/ts/index.js';

/** Connection.jobById and Connection.jobs: jobs found again from another connection to the same instance. */

const dir = mkdtempSync(join(tmpdir(), 'tsvirt-job-lookup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const opened: Connection[] = [];
async function open(uri: string): Promise<Connection> {
  const conn = await connect(uri);
  opened.push(conn);
  return conn;
}
afterEach(async () => {
  for (const conn of opened.splice(0)) await conn.close();
});

async function rejection(promise: PromiseLike<unknown>): Promise<VirError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(VirError);
    return err as VirError;
  }
  throw new Error('expected a rejection');
}

describe('Connection.jobById', () => {
  it('follows a job started on another connection, to its end', async () => {
    const starter = await open('test:///default?rate=4G');
    const watcher = await open('test:///default');
    const dom = await starter.lookupDomain('test');
    const save = dom.save(join(dir, 'a.save'));
    expect(await save.started()).toBe(true);
    const found = watcher.jobById(save.id!);
    expect(await found.started()).toBe(true);
    expect({ id: found.id, operation: found.operation, object: found.object }).toEqual({ id: save.id, operation: 'save', object: 'test' });
    await expect(found).resolves.toBeUndefined();
    expect(found.progress()?.state).toBe('completed');
    await save;
    dom.free();
  });

  it('rejects with the job error of a job that failed, and with the lookup error for an id nobody has', async () => {
    const conn = await open('test:///default?rate=0');
    const restore = conn.restore(join(dir, 'nosuch.save'));
    await rejection(restore);
    const found = conn.jobById(restore.id!);
    expect((await rejection(found)).message).toBe(restore.error!.message);
    for (const id of [0, -1, 2 ** 31 - 1]) {
      const missing = conn.jobById(id);
      expect(await missing.started()).toBe(false);
      expect(missing.progress()).toBeNull();
      expect((await rejection(missing)).code).toBe(ErrorNumber.VIR_ERR_INVALID_ARG);
    }
  });
});

describe('Connection.jobs', () => {
  it('lists the instance jobs with their state, filtered', async () => {
    const conn = await open('test:///default?rate=1M');
    const other = await open('test:///default');
    const dom = await conn.lookupDomain('test');
    const save = dom.save(join(dir, 'b.save'));
    await save.started();
    const mine = async (state?: 'running' | 'finished') =>
      (await other.jobs({ state })).filter((job) => job.id === save.id).map((job) => [job.operation, job.object, job.progress()?.state]);
    expect(await mine()).toEqual([['save', 'test', 'running']]);
    expect(await mine('running')).toEqual([['save', 'test', 'running']]);
    expect(await mine('finished')).toEqual([]);
    save.cancel();
    await rejection(save);
    expect(await mine('finished')).toEqual([['save', 'test', 'cancelled']]);
    dom.free();
  });
});
