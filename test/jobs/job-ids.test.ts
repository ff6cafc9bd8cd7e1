// What a daemon needs of the engine to survive a restart: ids that continue above a floor it read back from
// its journal, and a cancel that says who cancelled.
import { describe, expect, it } from 'vitest';
import { ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState, lastJobId, reserveJobIds } from '../../src/ts/jobs/job.js';
import { startJob } from './fixtures.js';

describe('job ids across a restart', () => {
  it('continue above a reserved id, and a lower reservation changes nothing', async () => {
    const { job: first, work } = startJob();
    expect(lastJobId()).toBe(first.id);
    reserveJobIds(first.id + 1000);
    const { job: second, work: w2 } = startJob();
    expect(second.id).toBe(first.id + 1001);
    reserveJobIds(5);
    reserveJobIds(Number.NaN);
    const { job: third, work: w3 } = startJob();
    expect(third.id).toBe(second.id + 1);
    expect(lastJobId()).toBe(third.id);
    for (const w of [work, w2, w3]) w.finish();
  });
});

describe('cancel with a reason', () => {
  it("names the reason instead of the client in the job's error; the first request's reason counts", async () => {
    const { job, work } = startJob();
    job.cancel('canceled because tsvirtd stopped');
    job.cancel('another reason');
    job.cancel();
    work.fail(work.control.signal.reason);
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.error!.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(job.error!.message).toBe('operation aborted: test job: canceled because tsvirtd stopped');
  });
});
