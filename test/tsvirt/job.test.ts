import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorNumber, VirError, type Connection, type JobProgress } from '../../src/ts/index.js';
import { SLOW, runningJobs, testNode } from './node.js';

/** Job<T>, the idiomatic face of a job: await, iterate, cancel, AbortSignal, `await using`, errors. */

let node: ReturnType<typeof testNode>;
let conn: Connection;
beforeEach(() => {
  node = testNode();
});
afterEach(async () => {
  await conn?.close();
  node.remove();
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

function expectAborted(err: VirError, message = 'operation aborted: domain save job: canceled by client'): void {
  expect(err.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
  expect(err.message).toBe(message);
}

describe('await', () => {
  it('resolves with the result once the job completed', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const path = join(node.dir, 'vm1.save');
    const save = dom.save(path);
    expect(await save).toBeUndefined();
    expect(existsSync(path)).toBe(true);
    expect((await dom.state()).name).toBe('shutoff');
    expect(save.progress()).toMatchObject({ state: 'completed', percent: 100 });
    expect(save.operation).toBe('save');
    expect(save.id).toBeGreaterThan(0);
    const restored = await conn.restore(path);
    expect(restored.name).toBe('vm1');
    expect(await restored.isRunning()).toBe(true);
  });

  it('rejects with the VirError of a job that could not start, and of one that failed', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    await dom.destroy();
    const refused = dom.save(join(node.dir, 'x.save'));
    const err = await rejection(refused);
    expect(err.code).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
    expect(err.message).toBe('Requested operation is not valid: domain is not running');
    expect(refused.progress()).toBeNull();
    expect(refused.error).toBeNull(); // there was no job to fail

    const missing = conn.restore(join(node.dir, 'missing.save'));
    const failed = await rejection(missing);
    expect(missing.error).toBe(failed);
    expect(missing.progress()?.state).toBe('failed');
  });

  it('then, catch and finally behave as a promise', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    let finished = false;
    await expect(dom.save(join(node.dir, 'a.save')).finally(() => (finished = true))).resolves.toBeUndefined();
    expect(finished).toBe(true);
    const code = await dom.save(join(node.dir, 'b.save')).catch((err) => (err as VirError).code);
    expect(code).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
    expect(await dom.start().then(() => 'started')).toBe('started');
  });
});

describe('async iteration', () => {
  it('yields running snapshots, percent never down nor 100 before the end, then exactly one final snapshot', async () => {
    conn = await node.open('1G');
    const dom = await conn.lookupDomain('vm1');
    const seen: JobProgress[] = [];
    for await (const p of dom.save(join(node.dir, 'vm1.save'))) seen.push(p);
    const final = seen.filter((p) => p.state !== 'running');
    expect(final).toHaveLength(1);
    expect(seen.at(-1)).toMatchObject({ state: 'completed', percent: 100, processed: 256 * 2 ** 20, remainingMs: 0 });
    const running = seen.slice(0, -1);
    expect(running.length).toBeGreaterThan(0);
    for (const p of running) expect(p.percent).toBeLessThan(100);
    const percents = running.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('yields one final snapshot for a job that already ended, and nothing for one that never started', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const save = dom.save(join(node.dir, 'vm1.save'));
    await save;
    const after: JobProgress[] = [];
    for await (const p of save) after.push(p);
    expect(after.map((p) => p.state)).toEqual(['completed']);

    const refused = dom.save(join(node.dir, 'again.save')); // the domain is shut off now
    const none: JobProgress[] = [];
    for await (const p of refused) none.push(p);
    expect(none).toEqual([]);
    await rejection(refused);
  });

  it('a cancelled job ends the iteration with one cancelled snapshot', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const save = dom.save(join(node.dir, 'vm1.save'));
    const states: string[] = [];
    for await (const p of save) {
      states.push(p.state);
      if (p.processed > 0) save.cancel();
    }
    expect(states.at(-1)).toBe('cancelled');
    expect(states.filter((s) => s !== 'running')).toHaveLength(1);
    expectAborted(await rejection(save));
  });
});

describe('cancel', () => {
  it('cancels a running job: it rejects with libvirt\'s operation-aborted error, and nothing is left', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const path = join(node.dir, 'vm1.save');
    const save = dom.save(path);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(save.progress()?.state).toBe('running');
    save.cancel();
    save.cancel(); // harmless to repeat
    expectAborted(await rejection(save));
    expect(save.error?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(existsSync(path)).toBe(false);
    expect(await dom.isRunning()).toBe(true);
    save.cancel(); // and after the end
  });

  it('cancels a job in the same tick as the call that started it', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const save = dom.save(join(node.dir, 'vm1.save'));
    save.cancel();
    expectAborted(await rejection(save));
    expect(await dom.isRunning()).toBe(true);
  });

  it('cancelling a completed job changes nothing', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const save = dom.save(join(node.dir, 'vm1.save'));
    await save;
    save.cancel();
    await expect(save).resolves.toBeUndefined();
  });
});

describe('AbortSignal', () => {
  it('an abort in the same tick as the call cancels the job (it was lost: the listener came a tick late)', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const controller = new AbortController();
    const path = join(node.dir, 'vm1.save');
    const save = dom.save(path, { signal: controller.signal });
    controller.abort();
    expectAborted(await rejection(save));
    expect(existsSync(path)).toBe(false);
    expect(await dom.isRunning()).toBe(true);
  });

  it('an abort while the job runs cancels it', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const controller = new AbortController();
    const save = dom.save(join(node.dir, 'vm1.save'), { signal: controller.signal });
    for await (const p of save) if (p.processed > 0) controller.abort();
    expectAborted(await rejection(save));
  });

  it('a signal aborted before the call starts nothing and rejects with operation aborted', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const path = join(node.dir, 'vm1.save');
    const save = dom.save(path, { signal: AbortSignal.abort() });
    expectAborted(await rejection(save), 'operation aborted: job canceled by client before it started');
    expect(save.progress()).toBeNull();
    expect(await runningJobs(conn)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(await dom.isRunning()).toBe(true);
  });

  it('an abort after the job completed changes nothing', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const controller = new AbortController();
    const save = dom.save(join(node.dir, 'vm1.save'), { signal: controller.signal });
    await save;
    controller.abort();
    await expect(save).resolves.toBeUndefined();
    expect((await dom.state()).name).toBe('shutoff');
  });
});

describe('await using', () => {
  it('cancels a job still running when the scope ends, and waits for it', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const path = join(node.dir, 'vm1.save');
    let seen: ReturnType<typeof dom.save>;
    {
      await using save = dom.save(path);
      seen = save;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen.progress()?.state).toBe('cancelled');
    expect(await runningJobs(conn)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(await dom.isRunning()).toBe(true);
    await rejection(seen);
  });

  it('leaves a completed job as it was', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    {
      await using save = dom.save(join(node.dir, 'vm1.save'));
      await save;
    }
    expect((await dom.state()).name).toBe('shutoff');
  });
});

it('releases the job handle once it ended: the connection closes with nothing left', async () => {
  conn = await node.open();
  const dom = await conn.lookupDomain('vm1');
  await dom.save(join(node.dir, 'vm1.save'));
  dom.free();
  expect(await conn.close()).toBe(0);
});
