import { describe, expect, it } from 'vitest';
import { VirConnect } from '../../src/ts/core/handles.js';
import type { ConnectionDrivers } from '../../src/ts/drivers/driver.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { JobState, JobType, VirJob } from '../../src/ts/jobs/job.js';
import { LocalJobs } from '../../src/ts/jobs/local-jobs.js';
import { RETAINED_FINISHED_JOBS, findJob } from '../../src/ts/jobs/registry.js';
import { ManualWork, tick } from './fixtures.js';

/** A connection to a driver instance of its own, whose jobs LocalJobs finds. */
function instanceConnection(jobs = new LocalJobs(ErrorDomain.VIR_FROM_TEST)) {
  const drivers: ConnectionDrivers = { hypervisor: { name: 'none' }, uri: 'none:///', close: () => {}, jobs };
  return { conn: new VirConnect('none:///', drivers, false), jobs };
}

function start(conn: VirConnect): { job: VirJob; work: ManualWork } {
  const work = new ManualWork();
  const job = new VirJob({ operation: 'test', label: 'test', type: JobType.BOUNDED, total: 10, errorDomain: ErrorDomain.VIR_FROM_TEST, conn }, work.run);
  return { job, work };
}

/** Starts a job, lets it complete and releases it: only retention keeps it findable. */
async function finishedAndReleased(conn: VirConnect): Promise<number> {
  const { job, work } = start(conn);
  work.finish();
  await job.whenDone();
  job.unref();
  return job.id;
}

function lookupError(jobs: LocalJobs, conn: VirConnect, id: number): VirError {
  try {
    jobs.jobLookupByID(conn, id);
  } catch (err) {
    if (err instanceof VirError) return err;
    throw err;
  }
  throw new Error(`job ${id} was found`);
}

describe('the job registry', () => {
  it('gives positive ids, unique and increasing', () => {
    const { conn } = instanceConnection();
    const started = Array.from({ length: 5 }, () => start(conn));
    const ids = started.map(({ job }) => job.id);
    expect(ids[0]).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const { work } of started) work.finish();
  });

  it(`forgets the oldest released finished job beyond ${RETAINED_FINISHED_JOBS}, never a running or held one`, async () => {
    const { conn, jobs } = instanceConnection();
    const running = start(conn);
    const held = start(conn);
    held.work.finish();
    await held.job.whenDone();
    const released: number[] = [];
    for (let i = 0; i < RETAINED_FINISHED_JOBS + 2; i++) released.push(await finishedAndReleased(conn));

    expect(findJob(released[0]!)).toBeUndefined();
    expect(findJob(released[1]!)).toBeUndefined();
    expect(lookupError(jobs, conn, released[0]!).message).toBe(`invalid argument: no job with matching id ${released[0]}`);
    for (const id of released.slice(2)) expect(findJob(id)?.id).toBe(id);
    expect(jobs.jobLookupByID(conn, running.job.id)).toBe(running.job);
    expect(jobs.jobLookupByID(conn, held.job.id)).toBe(held.job);
    // the connection holds only what is still held: the running job, the held one and their lookups
    running.job.unref();
    held.job.unref();
    running.work.finish();
    await running.job.whenDone();
    running.job.unref();
    await tick();
    held.job.unref();
    expect(conn.refs).toBe(1);
  });

  it('takes a found job out of retention while held, and puts it back, newest, when released again', async () => {
    const { conn, jobs } = instanceConnection();
    const first = await finishedAndReleased(conn);
    const found = jobs.jobLookupByID(conn, first);
    expect(found.alive).toBe(true);
    expect(found.state).toBe(JobState.COMPLETED);
    // while held, it outlives any number of releases
    for (let i = 0; i < RETAINED_FINISHED_JOBS + 1; i++) await finishedAndReleased(conn);
    expect(findJob(first)).toBe(found);
    found.unref();
    for (let i = 0; i < RETAINED_FINISHED_JOBS - 1; i++) await finishedAndReleased(conn);
    expect(findJob(first)).toBe(found);
    await finishedAndReleased(conn);
    expect(findJob(first)).toBeUndefined();
  });

  it('shows a job only to the instance that runs it', () => {
    const mine = instanceConnection();
    const theirs = instanceConnection();
    const { job, work } = start(mine.conn);
    const err = lookupError(theirs.jobs, theirs.conn, job.id);
    expect({ code: err.code, domain: err.domain }).toEqual({ code: ErrorNumber.VIR_ERR_INVALID_ARG, domain: ErrorDomain.VIR_FROM_TEST });
    expect(theirs.jobs.connectListAllJobs(theirs.conn, 0)).toEqual([]);
    const listed = mine.jobs.connectListAllJobs(mine.conn, 0);
    expect(listed).toEqual([job]);
    listed[0]!.unref();
    work.finish();
  });
});
