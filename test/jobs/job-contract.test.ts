import { describe, expect, it } from 'vitest';
import { ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { ManualClock } from '../../src/ts/jobs/clock.js';
import { JobState, JobType, VirJob } from '../../src/ts/jobs/job.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { bareConnection, bareDomain, startJob, tick } from './fixtures.js';

/** The eight promises of ENGINEERING.md's job contract, each tested, races included. */

describe('1. exactly one terminal state, and it is final', () => {
  it('completes once; a later cancel neither changes the state nor passes silently', async () => {
    const { job, work } = startJob();
    work.finish('result');
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.result).toBe('result');
    expect(() => job.cancel()).toThrow(VirError);
    expect(job.state).toBe(JobState.COMPLETED);
  });

  it('fails once with the work error, as a VirError in the driver error domain', async () => {
    const { job, work } = startJob();
    work.fail(new Error('disk on fire'));
    await job.whenDone();
    expect(job.state).toBe(JobState.FAILED);
    expect(job.error).toBeInstanceOf(VirError);
    expect(job.error!.code).toBe(ErrorNumber.VIR_ERR_INTERNAL_ERROR);
    expect(job.error!.domain).toBe(ErrorDomain.VIR_FROM_TEST);
    expect(job.error!.message).toBe('internal error: disk on fire');
  });

  it('work that finishes after a cancel request still ends CANCELLED, not COMPLETED', async () => {
    const { job, work } = startJob();
    job.cancel();
    work.finish();
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.result).toBeUndefined();
  });

  it('work that throws synchronously fails the job instead of escaping', async () => {
    const { conn } = bareConnection();
    const job = new VirJob(
      { operation: 'x', label: 'x', type: JobType.UNBOUNDED, errorDomain: ErrorDomain.VIR_FROM_TEST, conn },
      () => {
        throw new VirError(ErrorNumber.VIR_ERR_OPERATION_FAILED, ErrorDomain.VIR_FROM_TEST, 'operation failed: nope');
      },
    );
    await job.whenDone();
    expect(job.state).toBe(JobState.FAILED);
    expect(job.error!.code).toBe(ErrorNumber.VIR_ERR_OPERATION_FAILED);
  });
});

describe('2. cancel is an idempotent request that returns at once', () => {
  it('aborts the signal once, ends CANCELLED with VIR_ERR_OPERATION_ABORTED', async () => {
    const { job, work } = startJob();
    let aborts = 0;
    work.control.signal.addEventListener('abort', () => aborts++);
    job.cancel();
    job.cancel();
    job.cancel();
    expect(job.state).toBe(JobState.RUNNING); // the request returns before the work has stopped
    expect(aborts).toBe(1);
    work.fail(work.control.signal.reason);
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.error!.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(job.error!.message).toBe('operation aborted: test job: canceled by client');
    expect(() => job.cancel()).not.toThrow(); // cancelling a cancelled job is still harmless
  });

  it('a job past its point of no return completes despite the request', async () => {
    const { job, work } = startJob();
    work.control.commit();
    job.cancel();
    expect(work.control.signal.aborted).toBe(false);
    work.finish();
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
  });

  it('the signal read after the request is already aborted', async () => {
    const { job, work } = startJob();
    job.cancel();
    expect(work.control.cancelRequested).toBe(true);
    expect(work.control.signal.aborted).toBe(true);
    work.fail(new Error('stopped'));
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
  });
});

describe('2b. cancels the work cannot carry out', () => {
  it('refused: cancel throws the reason, nothing is requested, the job runs on and completes', async () => {
    const { job, work } = startJob();
    work.control.refuseCancel('cannot abort memory-only dump');
    expect(job.uncancellable).toBe('cannot abort memory-only dump');
    let thrown: unknown = null;
    try {
      job.cancel();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(VirError);
    expect((thrown as VirError).code).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
    expect((thrown as VirError).message).toBe('Requested operation is not valid: cannot abort memory-only dump');
    expect(work.control.signal.aborted).toBe(false);
    expect(work.control.cancelRequested).toBe(false);
    work.finish();
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.uncancellable).toBeNull();
  });

  it('a refusal after a cancel was requested changes nothing: the request stands', async () => {
    const { job, work } = startJob();
    job.cancel();
    work.control.refuseCancel('too late to refuse');
    expect(() => job.cancel()).not.toThrow();
    work.fail(work.control.signal.reason);
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
  });

  it('too late: the work committed after the request, the job completes and keeps why the cancel failed', async () => {
    const { job, work } = startJob();
    job.cancel();
    expect(work.control.signal.aborted).toBe(true);
    work.control.commit();
    const why = new VirError(ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU, 'Requested operation is not valid: no job is active on the domain');
    work.control.cancelFailed(why);
    work.finish('saved');
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.error).toBeNull();
    expect(job.cancelError).toBe(why);
  });

  it('cancelFailed without a cancel request is ignored', async () => {
    const { job, work } = startJob();
    work.control.cancelFailed(new VirError(ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU, 'x'));
    work.finish();
    await job.whenDone();
    expect(job.cancelError).toBeNull();
  });

  it('cancelled elsewhere (another client aborted the work): the job ends CANCELLED; ignored once committed', async () => {
    const a = startJob();
    a.work.control.cancelledElsewhere();
    a.work.fail(new Error('aborted by someone'));
    await a.job.whenDone();
    expect(a.job.state).toBe(JobState.CANCELLED);
    expect(a.job.error!.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    const b = startJob();
    b.work.control.commit();
    b.work.control.cancelledElsewhere();
    b.work.finish();
    await b.job.whenDone();
    expect(b.job.state).toBe(JobState.COMPLETED);
  });
});

describe('3. the completion notification fires exactly once', () => {
  for (const ending of ['complete', 'fail', 'cancel'] as const) {
    it(`after ${ending}`, async () => {
      const { job, work } = startJob();
      const ends: number[] = [];
      job.subscribe((_j, event) => event === 'end' && ends.push(job.state));
      const waiters = [job.whenDone(), job.whenDone()];
      if (ending === 'complete') work.finish();
      if (ending === 'fail') work.fail(new Error('x'));
      if (ending === 'cancel') {
        job.cancel();
        job.cancel();
        work.fail(new Error('x'));
      }
      await Promise.all(waiters);
      await job.whenDone(); // after the end: resolves at once
      await tick();
      expect(ends).toHaveLength(1);
    });
  }
});

describe('4. progress', () => {
  it('processed bytes never go down, the total may be revised, percent stays below 100 until done', async () => {
    const { job, work } = startJob({ total: 1000 });
    work.control.progress(600);
    work.control.progress(400); // stale report: ignored
    expect(job.getInfo().dataProcessed).toBe(600);
    work.control.progress(999);
    expect(job.getInfo().percentComplete).toBe(99);
    work.control.progress(1500, 2000); // total revised upward
    expect(job.getInfo()).toMatchObject({ dataTotal: 2000, dataProcessed: 1500, dataRemaining: 500, percentComplete: 75 });
    work.control.progress(2000);
    expect(job.getInfo().percentComplete).toBe(99); // all bytes moved, but not yet complete
    work.finish();
    await job.whenDone();
    expect(job.getInfo()).toMatchObject({ percentComplete: 100, dataRemaining: 0, state: JobState.COMPLETED });
  });

  it('an unbounded job reports no percent and no time remaining', async () => {
    const { job, work } = startJob({ type: JobType.UNBOUNDED, total: 0 });
    work.control.progress(100);
    expect(job.getInfo()).toMatchObject({ type: JobType.UNBOUNDED, percentComplete: -1, timeRemaining: 0 });
    work.finish();
    await job.whenDone();
  });

  it('progress after the end is ignored', async () => {
    const { job, work } = startJob({ total: 100 });
    work.fail(new Error('x'));
    await job.whenDone();
    work.control.progress(50);
    expect(job.getInfo().dataProcessed).toBe(0);
  });
});

describe('5. stats and error stay readable until the handle is freed', () => {
  it('keeps elapsed time, figures and error after the end', async () => {
    const clock = new ManualClock(1000);
    const { job, work } = startJob({ clock, total: 100 });
    clock.advance(250);
    work.control.progress(40);
    work.fail(new Error('late failure'));
    await job.whenDone();
    clock.advance(10_000); // time passing after the end does not change the record
    expect(job.getInfo()).toMatchObject({ timeElapsed: 250, dataProcessed: 40, state: JobState.FAILED });
    expect(job.error!.message).toBe('internal error: late failure');
  });
});

describe('6. an operation invalid in the job state fails with a typed error', () => {
  it('cancel of a completed or failed job is VIR_ERR_OPERATION_INVALID', async () => {
    for (const end of ['finish', 'fail'] as const) {
      const { job, work } = startJob();
      if (end === 'finish') work.finish();
      else work.fail(new Error('x'));
      await job.whenDone();
      try {
        job.cancel();
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(VirError);
        expect((err as VirError).code).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
      }
    }
  });
});

describe('7. a job holds references to what it works on', () => {
  it('closing the connection and freeing the domain while the job runs is safe', async () => {
    const { conn, closed } = bareConnection();
    const dom = bareDomain(conn);
    let control!: import('../../src/ts/jobs/job.js').JobControl;
    let finish!: () => void;
    const job = new VirJob(
      { operation: 'save', label: 'domain save', type: JobType.BOUNDED, errorDomain: ErrorDomain.VIR_FROM_TEST, conn, domain: dom },
      (c) => ((control = c), new Promise<void>((r) => (finish = r))),
    );
    dom.unref();
    expect(conn.unref()).toBeGreaterThan(0); // virConnectClose: references remain
    expect(closed()).toBe(false);
    expect(dom.alive).toBe(true); // the job's own reference
    job.unref(); // freed by its owner while running: the work's reference keeps it going
    expect(job.alive).toBe(true);
    control.progress(10);
    finish();
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.alive).toBe(false);
    expect(dom.alive).toBe(false);
    expect(closed()).toBe(true); // the last reference went with the job
  });

  it('a finished job keeps its connection until freed', async () => {
    const { conn, closed } = bareConnection();
    const job = new VirJob(
      { operation: 'x', label: 'x', type: JobType.UNBOUNDED, errorDomain: ErrorDomain.VIR_FROM_TEST, conn },
      async () => 1,
    );
    await job.whenDone();
    conn.unref();
    expect(closed()).toBe(false);
    job.unref();
    expect(closed()).toBe(true);
  });
});

describe('8. time remaining comes from a sliding-window rate', () => {
  it('is unknown (0) at first, then follows the current rate, not the average', async () => {
    const clock = new ManualClock(0);
    const { job, work } = startJob({ clock, total: 100_000 });
    expect(job.getInfo().timeRemaining).toBe(0);
    // 10 s at 1000 B/s
    for (let t = 1; t <= 10; t++) {
      clock.advance(1000);
      work.control.progress(t * 1000);
    }
    expect(job.getInfo().timeRemaining).toBe(90_000);
    // the rate jumps to 10,000 B/s; a cumulative average would still say ~45 s after 6 s
    for (let t = 1; t <= 6; t++) {
      clock.advance(1000);
      work.control.progress(10_000 + t * 10_000);
    }
    expect(job.getInfo().dataRemaining).toBe(30_000);
    expect(job.getInfo().timeRemaining).toBe(3000);
    work.finish();
    await job.whenDone();
    expect(job.getInfo().timeRemaining).toBe(0);
  });

  it('elapsed time comes from the injected monotonic clock', () => {
    const clock = new ManualClock(5);
    const { job } = startJob({ clock });
    clock.advance(1234);
    expect(job.getInfo().timeElapsed).toBe(1234);
  });
});

describe('many jobs on one connection', () => {
  it('run independently and all end', async () => {
    const { conn } = bareConnection();
    const jobs = Array.from({ length: 200 }, (_, i) =>
      new VirJob(
        { operation: 'x', label: 'x', type: JobType.BOUNDED, total: 10, errorDomain: ErrorDomain.VIR_FROM_TEST, conn },
        async (c) => {
          await tick();
          if (i % 3 === 0) throw new Error('boom');
          c.progress(10);
          return i;
        },
      ),
    );
    jobs[1]!.cancel();
    await Promise.all(jobs.map((j) => j.whenDone()));
    expect(jobs.filter((j) => j.state === JobState.FAILED)).toHaveLength(67);
    expect(jobs[1]!.state).toBe(JobState.CANCELLED);
    expect(jobs.filter((j) => j.state === JobState.COMPLETED)).toHaveLength(132);
    expect(conn.refs).toBe(201); // its creator's and one per job, until the jobs are freed
  });
});
