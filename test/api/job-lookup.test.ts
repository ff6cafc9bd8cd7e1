import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { virConnectClose } from '../../src/ts/api/connect.js';
import { virDomainFree, virDomainLookupByName, virDomainRestoreJob, virDomainSaveJob } from '../../src/ts/api/domain.js';
import {
  virConnectListAllJobs,
  virJobCancel,
  virJobFree,
  virJobGetConnect,
  virJobGetDomain,
  virJobGetError,
  virJobGetID,
  virJobGetInfo,
  virJobLookupByID,
  virJobWait,
} from '../../src/ts/api/job.js';
import { virConnectListAllJobsFlags } from '../../src/ts/core/enums.generated.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { expectError, now, open } from './helpers.js';

const { VIR_CONNECT_LIST_JOBS_RUNNING: RUNNING, VIR_CONNECT_LIST_JOBS_FINISHED: FINISHED } = virConnectListAllJobsFlags;
const { VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_INVALID } = ErrorNumber;

const dir = mkdtempSync(join(tmpdir(), 'tsvirt-job-lookup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1 MiB/s: the default domain's 2 GiB never finish during a test. */
const SLOW = 'test:///default?rate=1M';

function saveJob(conn: VirConnect, name = 'test'): VirJob {
  const dom = now(virDomainLookupByName(conn, name));
  const job = now(virDomainSaveJob(dom, join(dir, `${name}-${Math.random()}.save`), 0));
  virDomainFree(dom);
  return job;
}

/** A job that fails at once: restoring from a file that does not exist. */
async function failedJob(conn: VirConnect): Promise<VirJob> {
  const job = now(virDomainRestoreJob(conn, join(dir, 'nosuch.save'), 0));
  await virJobWait(job);
  return job;
}

const ids = (jobs: VirJob[]) => jobs.map((job) => job.id);

function freeAll(jobs: VirJob[]): void {
  for (const job of jobs) virJobFree(job);
}

describe('job ids', () => {
  it('are positive, unique and increasing; virJobGetID answers them', async () => {
    const conn = await open('test:///default?rate=0');
    const first = await failedJob(conn);
    const second = await failedJob(conn);
    expect(virJobGetID(first)).toBeGreaterThan(0);
    expect(virJobGetID(second)).toBeGreaterThan(virJobGetID(first));
    virJobFree(first);
    await expectError(() => virJobGetID(first), VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_DOMAIN, 'invalid job pointer in virJobGetID');
    virJobFree(second);
  });
});

describe('virJobLookupByID', () => {
  it('finds a running job from a second connection to the same driver instance', async () => {
    const starter = await open(SLOW);
    const job = saveJob(starter);
    const other = await open('test:///default');
    const found = now(virJobLookupByID(other, job.id));
    expect(found).toBe(job);
    expect(virJobGetInfo(found).state).toBe(JobState.RUNNING);
    // The job keeps the connection it was started through.
    const jobConn = virJobGetConnect(found);
    expect(jobConn).toBe(starter);
    virConnectClose(jobConn);
    expect(virJobCancel(found)).toBe(0);
    expect(await virJobWait(job)).toBe(JobState.CANCELLED);
    freeAll([found, job]);
  });

  it('does not see jobs of another driver instance', async () => {
    const starter = await open(SLOW);
    const job = saveJob(starter);
    const file = join(dir, 'node.xml');
    writeFileSync(file, "<node><domain type='test'><name>vm1</name><memory>1024</memory><os><type>hvm</type></os></domain></node>");
    const elsewhere = await open(`test://${file}`);
    await expectError(
      () => virJobLookupByID(elsewhere, job.id),
      VIR_ERR_INVALID_ARG,
      ErrorDomain.VIR_FROM_TEST,
      `invalid argument: no job with matching id ${job.id}`,
    );
    expect(ids(now(virConnectListAllJobs(elsewhere, 0)))).toEqual([]);
    const storage = await open(`tsvirt:///embed?root=${join(dir, 'root')}`);
    await expectError(
      () => virJobLookupByID(storage, job.id),
      VIR_ERR_INVALID_ARG,
      ErrorDomain.VIR_FROM_STORAGE,
      `invalid argument: no job with matching id ${job.id}`,
    );
    virJobCancel(job);
    await virJobWait(job);
    virJobFree(job);
  });

  it.each([
    [0, 'id in virJobLookupByID must be greater than zero'],
    [-1, 'id in virJobLookupByID must be greater than zero'],
    [1.5, 'id in virJobLookupByID must be greater than zero'],
    [2 ** 31 - 1, 'invalid argument: no job with matching id 2147483647'],
  ])('refuses id %d', async (id, message) => {
    const conn = await open();
    const domain = message.startsWith('id in') ? ErrorDomain.VIR_FROM_DOMAIN : ErrorDomain.VIR_FROM_TEST;
    await expectError(() => virJobLookupByID(conn, id), VIR_ERR_INVALID_ARG, domain, message);
  });

  it('refuses a closed connection', async () => {
    const conn = await open();
    virConnectClose(conn);
    await expectError(() => virJobLookupByID(conn, 1), ErrorNumber.VIR_ERR_INVALID_CONN, ErrorDomain.VIR_FROM_DOMAIN, 'invalid connection pointer in virJobLookupByID');
  });

  it('finds a finished job after its last handle was freed, bound to the finder, holding no connection', async () => {
    const starter = await open('test:///default?rate=0');
    const keeper = await open('test:///default'); // keeps the driver instance (test:///default's state) alive
    const job = await failedJob(starter);
    const id = job.id;
    virJobFree(job);
    expect(virConnectClose(starter)).toBe(0); // retention keeps no connection open

    const found = now(virJobLookupByID(keeper, id));
    expect(virJobGetInfo(found).state).toBe(JobState.FAILED);
    expect(virJobGetError(found)?.message).toContain('nosuch.save');
    const conn = virJobGetConnect(found);
    expect(conn).toBe(keeper);
    virConnectClose(conn);
    expect(virJobGetDomain(found)).toBeNull();
    expect(virJobFree(found)).toBe(0);
    expect(keeper.refs).toBe(1); // the found job let go of the finder's connection again
    // and stays findable
    const again = now(virJobLookupByID(keeper, id));
    expect(virJobGetID(again)).toBe(id);
    virJobFree(again);
  });

  it('gives a found save job a handle on its domain through the finder', async () => {
    const starter = await open('test:///default?rate=0');
    const keeper = await open('test:///default');
    const job = saveJob(starter);
    expect(await virJobWait(job)).toBe(JobState.COMPLETED);
    virJobFree(job);
    virConnectClose(starter);
    const found = now(virJobLookupByID(keeper, job.id));
    const dom = virJobGetDomain(found)!;
    expect(dom.name).toBe('test');
    expect(dom.conn).toBe(keeper);
    virDomainFree(dom);
    virJobFree(found);
  });

  it('does not see the jobs of an earlier test:///default once all its connections closed', async () => {
    const conn = await open('test:///default?rate=0');
    const job = await failedJob(conn);
    virJobFree(job);
    virConnectClose(conn);
    const fresh = await open('test:///default');
    await expectError(() => virJobLookupByID(fresh, job.id), VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_TEST, `invalid argument: no job with matching id ${job.id}`);
  });
});

describe('cancelling a job found by id', () => {
  it('is an error once the job completed or failed, and harmless once it was cancelled', async () => {
    const conn = await open(SLOW);
    const failed = await failedJob(conn);
    const found = now(virJobLookupByID(conn, failed.id));
    await expectError(
      () => virJobCancel(found),
      VIR_ERR_OPERATION_INVALID,
      ErrorDomain.VIR_FROM_TEST,
      `Requested operation is not valid: job ${failed.id} (restore) has already failed`,
    );
    const running = saveJob(conn);
    virJobCancel(running);
    await virJobWait(running);
    const cancelled = now(virJobLookupByID(conn, running.id));
    expect(virJobCancel(cancelled)).toBe(0);
    freeAll([failed, found, running, cancelled]);
  });
});

describe('virConnectListAllJobs', () => {
  it('lists the instance jobs oldest first, filtered by state', async () => {
    const conn = await open(SLOW);
    const other = await open('test:///default');
    const failed = await failedJob(conn);
    const running = saveJob(other);
    const mine = (jobs: VirJob[]) => {
      const found = ids(jobs).filter((id) => id === failed.id || id === running.id);
      freeAll(jobs);
      return found;
    };
    expect(mine(now(virConnectListAllJobs(conn, 0)))).toEqual([failed.id, running.id]);
    expect(mine(now(virConnectListAllJobs(conn, RUNNING | FINISHED)))).toEqual([failed.id, running.id]);
    expect(mine(now(virConnectListAllJobs(conn, RUNNING)))).toEqual([running.id]);
    expect(mine(now(virConnectListAllJobs(other, FINISHED)))).toEqual([failed.id]);
    for (const job of now(virConnectListAllJobs(conn, RUNNING))) {
      expect(job.running).toBe(true);
      virJobFree(job);
    }
    await expectError(
      () => virConnectListAllJobs(conn, 4),
      VIR_ERR_INVALID_ARG,
      ErrorDomain.VIR_FROM_TEST,
      'unsupported flags (0x4) in function virConnectListAllJobs',
    );
    await expectError(
      () => virConnectListAllJobs(conn, -1),
      VIR_ERR_INVALID_ARG,
      ErrorDomain.VIR_FROM_DOMAIN,
      'flags in virConnectListAllJobs must be an unsigned int, not -1',
    );
    virJobCancel(running);
    await virJobWait(running);
    freeAll([failed, running]);
  });
});
