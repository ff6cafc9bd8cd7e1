import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJob } from '../jobs/fixtures.js';
import { runInProcess } from './harness.js';

/**
 * tsvirsh's job commands (tsvirt extensions: virsh has none): job-list, job-info, job-cancel, job-wait on
 * jobs found by id. tsvirsh runs in this process, so the ids it will hand out follow this process's counter.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsvirsh-job-commands-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const URI = ['-c', 'test:///default'];
/** 1 MiB/s: the domain's 2 GiB never finish during a test. */
const NEVER = { TSVIRT_TEST_RATE: '1M' };

/** The id the next job of this process gets. */
function nextJobId(): number {
  const { job, work } = startJob();
  work.finish();
  return job.id + 1;
}

describe('job-list, job-info, job-cancel and job-wait on a running job', () => {
  it('list it, show it, cancel it, and wait for it to end cancelled', async () => {
    const id = nextJobId();
    const input = [`save --async test ${dir}/a.save`, 'job-list', `job-info ${id}`, `job-cancel ${id}`, `job-wait ${id}`, `job-cancel ${id}`, 'job-list --finished'];
    const r = await runInProcess(URI, { stdin: `${input.join('\n')}\n`, env: NEVER });
    const table = (state: string) =>
      new RegExp(`virsh # job-list.*\n Id +Operation +Object +State +Progress\n-+\n ${id} +save +test +${state} +\\d+ %\n\n`);
    expect(r.stdout).toMatch(table('running'));
    expect(r.stdout).toMatch(
      new RegExp(
        `virsh # job-info ${id}\nId: +${id}\nOperation: +save\nObject: +test\nState: +running\nProgress: +\\d+ %\n` +
          'Time elapsed: +\\d+ +ms\nTime remaining: +\\d+ +ms\nData processed: +[\\d.]+ \\w+\nData remaining: +[\\d.]+ \\w+\n' +
          'Data total: +2\\.000 GiB\n\n',
      ),
    );
    expect(r.stdout).toContain(`virsh # job-cancel ${id}\nJob ${id} is being cancelled\n\n`);
    expect(r.stdout).toMatch(table('cancelled'));
    expect(r.stderr).toContain(`error: Job ${id} (save) was cancelled\nerror: operation aborted: domain save job: canceled by client\n`);
    // the second job-cancel succeeds: cancelling a cancelled job is harmless
    expect(r.stderr.match(/Failed to cancel/g)).toBeNull();
  });

  it('job-wait --verbose shows the progress and ends with status 0 once the job completed', async () => {
    const id = nextJobId();
    const input = [`save --async test ${dir}/a.save`, `job-wait --verbose ${id}`];
    const r = await runInProcess(URI, { stdin: `${input.join('\n')}\n`, env: { TSVIRT_TEST_RATE: '2G' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Job ${id} (save) completed\n`);
    expect(r.stderr).toMatch(/Save: \[100 %\]\n$/);
  });
});

describe('job commands on finished jobs and bad ids', () => {
  it('job-info shows the error of a failed job; job-cancel of a completed one fails', async () => {
    const id = nextJobId();
    const input = [`restore --async ${dir}/nosuch.save`, `job-wait ${id}`, `job-info ${id}`, `save --async test ${dir}/b.save`, `job-wait ${id + 1}`, `job-cancel ${id + 1}`];
    const r = await runInProcess(URI, { stdin: `${input.join('\n')}\n` });
    expect(r.stdout).toContain(`Id:               ${id}\nOperation:        restore\nObject:           -\nState:            failed\n`);
    expect(r.stdout).toContain(`Error:            cannot read domain image '${dir}/nosuch.save': No such file or directory\n`);
    expect(r.stdout).toContain(`Job ${id + 1} (save) completed\n`);
    expect(r.stderr).toContain(`error: Job ${id} (restore) failed\n`);
    expect(r.stderr).toContain(
      `error: Failed to cancel job ${id + 1}\nerror: Requested operation is not valid: job ${id + 1} (save) has already completed\n`,
    );
  });

  it('job-wait exits with status 1 and the job error when the job failed', async () => {
    const id = nextJobId();
    const r = await runInProcess([...URI, `restore --async ${dir}/nosuch.save; job-wait ${id}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: Job ${id} (restore) failed\nerror: cannot read domain image '${dir}/nosuch.save': No such file or directory\n`);
  });

  it.each([
    ['job-info 0', "error: failed to get job '0'\nerror: id in virJobLookupByID must be greater than zero\n"],
    ['job-wait -3', "error: failed to get job '-3'\nerror: id in virJobLookupByID must be greater than zero\n"],
    ['job-cancel 2147483647', "error: failed to get job '2147483647'\nerror: invalid argument: no job with matching id 2147483647\n"],
    ['job-info abc', "error: Numeric value 'abc' for <id> option is malformed or out of range\n"],
    ['job-info 99999999999', "error: Numeric value '99999999999' for <id> option is malformed or out of range\n"],
  ])('%s', async (command, stderr) => {
    const r = await runInProcess([...URI, command]);
    expect(r).toEqual({ status: 1, stdout: '\n', stderr });
  });

  it('job-list is empty on a fresh test:///default; help lists the commands in their own group', async () => {
    const r = await runInProcess([...URI, 'job-list; help job']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ Id   Operation   Object   State   Progress\n-+\n\n/);
    expect(r.stdout).toContain(" Jobs (tsvirt extension) (help keyword 'job'):\n    job-cancel ");
  });
});
