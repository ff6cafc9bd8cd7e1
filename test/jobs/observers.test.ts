import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirDomain, type DomainRef } from '../../src/ts/core/handles.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { JobState, JobType, VirJob, observeAllJobs, type JobEvent } from '../../src/ts/jobs/job.js';
import { LISTENER_WARNING_CODE, ObserverSet } from '../../src/ts/jobs/observers.js';
import { bareConnection, bareDomain, startJob, tick } from './fixtures.js';

/** The job engine as the daemon needs it: many observers per job, none able to hurt the engine. */

let warnings: Error[];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

const listenerWarnings = () => warnings.filter((w) => (w as Error & { code?: string }).code === LISTENER_WARNING_CODE);

describe('a listener that throws', () => {
  it('affects neither its job, nor the other listeners, nor other jobs; it is reported once', async () => {
    const a = startJob({ total: 100 });
    const b = startJob({ total: 100 });
    const seen: JobEvent[] = [];
    const bSeen: JobEvent[] = [];
    a.job.subscribe(() => {
      throw new Error('listener bug');
    });
    a.job.subscribe((_job, event) => void seen.push(event));
    b.job.subscribe((_job, event) => void bSeen.push(event));
    a.work.control.progress(10);
    a.work.control.progress(20);
    b.work.control.progress(30);
    a.work.finish('a');
    b.work.finish('b');
    await Promise.all([a.job.whenDone(), b.job.whenDone()]);
    await tick();
    expect(a.job.state).toBe(JobState.COMPLETED);
    expect(a.job.result).toBe('a');
    expect(b.job.state).toBe(JobState.COMPLETED);
    expect(seen).toEqual(['progress', 'progress', 'end']);
    expect(bSeen).toEqual(['progress', 'end']);
    // Thrown three times (two progress events and the end), reported once.
    expect(listenerWarnings()).toHaveLength(1);
    expect(listenerWarnings()[0]!.message).toContain('listener bug');
  });

  it('throwing at the end still lets the waiters and the job reach their end', async () => {
    const { job, work } = startJob();
    job.subscribe((_job, event) => {
      if (event === 'end') throw new TypeError('end handler bug');
    });
    const waited = job.whenDone();
    job.cancel();
    work.fail(new Error('stopped'));
    await waited;
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.alive).toBe(true); // the owner's reference; the work's own one was dropped
    expect(job.refs).toBe(1);
    await tick();
    expect(listenerWarnings()).toHaveLength(1);
  });

  it('an async listener that rejects is reported, not left as an unhandled rejection', async () => {
    const { job, work } = startJob();
    job.subscribe(async () => {
      throw new Error('async listener bug');
    });
    work.finish();
    await job.whenDone();
    await tick();
    expect(listenerWarnings()).toHaveLength(1);
    expect(listenerWarnings()[0]!.message).toContain('async listener bug');
  });

  it('an observer of all jobs that throws does not stop the jobs or their own listeners', async () => {
    const stop = observeAllJobs(() => {
      throw new Error('global observer bug');
    });
    try {
      const { job, work } = startJob();
      let ends = 0;
      job.subscribe((_job, event) => void (event === 'end' && ends++));
      work.finish();
      await job.whenDone();
      expect(job.state).toBe(JobState.COMPLETED);
      expect(ends).toBe(1);
    } finally {
      stop();
    }
    await tick();
    expect(listenerWarnings()).toHaveLength(1);
  });
});

describe('the observer set', () => {
  it('takes any number of observers, each leaving with its own unsubscribe, once', async () => {
    const { job, work } = startJob({ total: 100 });
    const calls: string[] = [];
    const listener = (name: string) => () => void calls.push(name);
    const offs = ['a', 'b', 'c'].map((name) => job.subscribe(listener(name)));
    const same = () => void calls.push('same');
    const offSame1 = job.subscribe(same);
    job.subscribe(same); // the same function twice: two subscriptions
    work.control.progress(1);
    expect(calls.sort()).toEqual(['a', 'b', 'c', 'same', 'same']);
    calls.length = 0;
    offs[1]!();
    offs[1]!(); // a second call removes nothing else
    offSame1();
    offSame1();
    work.control.progress(2);
    expect(calls.sort()).toEqual(['a', 'c', 'same']);
    work.finish();
    await job.whenDone();
  });

  it('a listener removed during a notification is not called; one added is called from the next one', () => {
    const set = new ObserverSet<[string]>();
    const calls: string[] = [];
    let offB: () => void = () => {};
    set.add((event) => {
      calls.push(`a:${event}`);
      offB();
      set.add((e) => void calls.push(`late:${e}`));
    });
    offB = set.add((event) => void calls.push(`b:${event}`));
    set.notify('1');
    expect(calls).toEqual(['a:1']);
    calls.length = 0;
    set.notify('2');
    expect(calls).toEqual(['a:2', 'late:2']);
  });

  it('observeAllJobs sees every job until it unsubscribes', async () => {
    const seen: Array<[number, JobEvent]> = [];
    const stop = observeAllJobs((job, event) => void seen.push([job.id, event]));
    const a = startJob();
    const b = startJob();
    a.work.control.progress(5);
    a.work.finish();
    b.work.finish();
    await Promise.all([a.job.whenDone(), b.job.whenDone()]);
    stop();
    const c = startJob();
    c.work.finish();
    await c.job.whenDone();
    expect(seen).toEqual([
      [a.job.id, 'progress'],
      [a.job.id, 'end'],
      [b.job.id, 'end'],
    ]);
  });
});

describe('result adoption', () => {
  const ref: DomainRef = { name: 'made', uuid: '00000000-0000-0000-0000-0000000000aa', id: 7 };
  const spec = (conn: VirJob['conn']) => ({
    operation: 'restore',
    label: 'domain restore',
    type: JobType.BOUNDED,
    errorDomain: ErrorDomain.VIR_FROM_TEST,
    conn,
    produces: 'domain' as const,
  });

  it('a completed job holds a handle on what it made before anyone is told it ended', async () => {
    const { conn } = bareConnection();
    let finish!: (ref: DomainRef) => void;
    const job = new VirJob(spec(conn), () => new Promise<DomainRef>((resolve) => (finish = resolve)));
    let seenAtEnd: VirDomain | null = null;
    job.subscribe((j, event) => {
      if (event === 'end') seenAtEnd = j.domain;
    });
    expect(job.domain).toBeNull();
    finish(ref);
    await job.whenDone();
    expect(seenAtEnd).toBeInstanceOf(VirDomain);
    expect(job.domain!.name).toBe('made');
    expect(job.domain!.alive).toBe(true);
    const made = job.domain!;
    job.unref(); // the job's reference on what it made goes with it
    expect(made.alive).toBe(false);
  });

  it('replaces the domain the job worked on, and adopts nothing from a failed or cancelled job', async () => {
    const { conn } = bareConnection();
    const worked = bareDomain(conn);
    const job = new VirJob({ ...spec(conn), domain: worked }, async () => ref);
    worked.unref();
    await job.whenDone();
    expect(worked.alive).toBe(false);
    expect(job.domain!.name).toBe('made');

    const failed = new VirJob(spec(conn), async () => {
      throw new Error('x');
    });
    const cancelled = new VirJob(spec(conn), async () => (await tick(), ref));
    cancelled.cancel();
    await Promise.all([failed.whenDone(), cancelled.whenDone()]);
    expect(failed.domain).toBeNull();
    expect(cancelled.state).toBe(JobState.CANCELLED);
    expect(cancelled.domain).toBeNull();
  });
});

it('the work-facing side of a job is private to the engine', () => {
  const { job, work } = startJob();
  for (const name of ['report', 'markCommitted', 'signal', 'isCancelRequested', 'run', 'finish', 'emit'])
    expect(name in job, name).toBe(false);
  expect(Object.keys(job).filter((key) => !['id', 'operation', 'label', 'type', 'errorDomain', 'owner', 'daemonId'].includes(key))).toEqual([]);
  work.finish();
});
