// The job program's progress pushes: the latency contract (the first change after a quiet spell goes out at
// once, later ones within one push interval, the newest figures, the end at once), coalescing, and a client
// that never reads: it is sent no progress beyond a bounded backlog, while the others are served.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { type JobControl, JobType, VirJob } from '../../src/ts/jobs/job.js';
import { JobProgram, type JobClient } from '../../src/ts/daemon/job-program.js';
import { tsvirt_job_event_msg, tsvirt_job_procedure } from '../../src/ts/rpc/generated/job-protocol.js';
import { decodePacket } from '../../src/ts/rpc/packet.js';
import { tsvirtJobProgram } from '../../src/ts/rpc/programs.js';
import { decodeXdr } from '../../src/ts/rpc/xdr.js';
import { startDaemon, type TestDaemon } from './helpers.js';
import { EVENT, JOB_STATE, JobTestClient } from './job-client.js';

const procedure = (name: keyof typeof tsvirt_job_procedure) => tsvirtJobProgram.procedures.get(tsvirt_job_procedure[name])!;

/** A job on an in-process test:///default connection whose progress the test reports itself. */
function manualJob(conn: VirConnect, total = 1000) {
  let control!: JobControl;
  let finish!: () => void;
  const job = new VirJob({ operation: 'save', label: 'domain save', type: JobType.BOUNDED, total, errorDomain: ErrorDomain.VIR_FROM_TEST, conn }, (c) => {
    control = c;
    return new Promise<void>((resolve, reject) => {
      finish = resolve;
      c.signal.addEventListener('abort', () => reject(c.signal.reason));
    });
  });
  return { job, control, finish };
}

/** A client of the job program that records what is pushed to it, with a backlog the test sets. */
function fakeClient(conn: VirConnect) {
  const pushed: { id: number; event: number; processed: bigint; state: number }[] = [];
  let backlog = 0;
  const client: JobClient = {
    id: 1,
    connection: () => conn,
    push(packet) {
      const p = decodePacket(packet);
      expect(p.header.proc).toBe(tsvirt_job_procedure.TSVIRT_JOB_PROC_EVENT);
      const msg = decodeXdr(tsvirt_job_event_msg, p.payload);
      pushed.push({ id: msg.id, event: msg.event, processed: msg.info.dataProcessed, state: msg.info.state });
    },
    backlog: () => backlog,
  };
  return { client, pushed, setBacklog: (n: number) => (backlog = n) };
}

let conn: VirConnect | null = null;
afterEach(() => {
  vi.useRealTimers();
  if (conn) virConnectClose(conn);
  conn = null;
});

describe('progress push contract (fake clock)', () => {
  it('pushes the first change at once, coalesces a burst into one push of the newest figures one interval later, and the end at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    conn = (await virConnectOpen('test:///default')) as VirConnect;
    const program = new JobProgram({ pushIntervalMs: 20 });
    const { client, pushed } = fakeClient(conn);
    const jobs = program.client(client);
    const { job, control, finish } = manualJob(conn);
    await jobs.call(procedure('TSVIRT_JOB_PROC_SUBSCRIBE'), { id: job.id });

    control.progress(10);
    expect(pushed).toEqual([{ id: job.id, event: EVENT.PROGRESS, processed: 10n, state: JOB_STATE.RUNNING }]); // no wait at all

    for (let i = 11; i <= 300; i++) control.progress(i); // a burst within the interval
    expect(pushed).toHaveLength(1);
    vi.advanceTimersByTime(19);
    expect(pushed).toHaveLength(1);
    vi.advanceTimersByTime(1); // one interval after the previous push: the newest figures
    expect(pushed.map((p) => p.processed)).toEqual([10n, 300n]);

    vi.advanceTimersByTime(100); // nothing changed: nothing is pushed
    expect(pushed).toHaveLength(2);
    control.progress(400); // quiet for longer than an interval: at once again
    expect(pushed.at(-1)!.processed).toBe(400n);

    control.progress(500); // due in 20 ms ...
    finish(); // ... but the job ends first: the end goes at once, and the due progress never does
    await job.whenDone();
    expect(pushed.at(-1)).toEqual({ id: job.id, event: EVENT.END, processed: 1000n, state: JOB_STATE.COMPLETED });
    vi.advanceTimersByTime(100);
    expect(pushed.filter((p) => p.event === EVENT.END)).toHaveLength(1);
    expect(pushed.at(-1)!.event).toBe(EVENT.END);
    jobs.close();
  });

  it('holds progress back from a client with a backlog and sends the newest once it has read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    conn = (await virConnectOpen('test:///default')) as VirConnect;
    const program = new JobProgram({ pushIntervalMs: 20, pushBacklogBytes: 1000 });
    const { client, pushed, setBacklog } = fakeClient(conn);
    const jobs = program.client(client);
    const { job, control } = manualJob(conn);
    await jobs.call(procedure('TSVIRT_JOB_PROC_SUBSCRIBE'), { id: job.id });
    setBacklog(5000);
    control.progress(1);
    for (let i = 0; i < 10; i++) {
      control.progress(2 + i);
      vi.advanceTimersByTime(20);
    }
    expect(pushed).toHaveLength(0);
    setBacklog(0);
    vi.advanceTimersByTime(20);
    expect(pushed.map((p) => p.processed)).toEqual([11n]);
    // Unsubscribed: nothing more, the end neither.
    await jobs.call(procedure('TSVIRT_JOB_PROC_UNSUBSCRIBE'), { id: job.id });
    control.progress(50);
    job.cancel();
    await job.whenDone();
    vi.advanceTimersByTime(100);
    expect(pushed).toHaveLength(1);
    jobs.close();
  });

  it('a closed client is told nothing more', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    conn = (await virConnectOpen('test:///default')) as VirConnect;
    const { client, pushed } = fakeClient(conn);
    const jobs = new JobProgram().client(client);
    const { job, control } = manualJob(conn);
    await jobs.call(procedure('TSVIRT_JOB_PROC_SUBSCRIBE'), { id: job.id });
    control.progress(1);
    control.progress(2);
    jobs.close();
    vi.advanceTimersByTime(100);
    job.cancel();
    await job.whenDone();
    expect(pushed.map((p) => p.processed)).toEqual([1n]);
  });
});

describe('progress push through tsvirtd', () => {
  let d: TestDaemon | null = null;
  const clients: JobTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await d?.stop();
    d = null;
  });

  it('a client that never reads gets at most a bounded backlog of progress; it still hears the end once it reads, the others are served', async () => {
    d = await startDaemon({ jobs: { pushIntervalMs: 1, pushBacklogBytes: 16 * 1024 } });
    conn = (await virConnectOpen('test:///default')) as VirConnect;
    const sleeper = await JobTestClient.open(d.socket, 'test:///default');
    const reader = await JobTestClient.open(d.socket, 'test:///default');
    clients.push(sleeper, reader);
    const running = Array.from({ length: 20 }, () => manualJob(conn!, 1e12));
    for (const { job } of running) {
      await sleeper.ok('SUBSCRIBE', { id: job.id });
      await reader.ok('SUBSCRIBE', { id: job.id });
    }
    sleeper.raw.socket.pause(); // never reads from here on
    const session = d.daemon.clients.find((s) => s.id === Math.min(...d!.daemon.clients.map((c) => c.id)))!;
    let processed = 0;
    let peak = 0;
    // Enough progress to fill the kernel's socket buffers many times over if every change were sent.
    for (let round = 0; round < 400; round++) {
      for (const { control } of running) control.progress(++processed);
      await new Promise((r) => setTimeout(r, 2));
      peak = Math.max(peak, session.queuedOutput);
    }
    const packet = 28 + 4 + 4 + 56 + 4; // header, id, event, info, no error
    // The backlog did build up to the limit (the socket buffers were full), and stopped there.
    expect(peak).toBeGreaterThan(16 * 1024 - packet);
    expect(peak).toBeLessThanOrEqual(16 * 1024 + running.length * packet);
    expect(sleeper.raw.closed).toBe(false);
    // The reader got the newest figures of every job.
    const last = running.at(-1)!.job.id;
    await reader.waitForEvent((e) => e.id === last && e.info.dataProcessed === BigInt(processed));
    for (const { job, finish } of running) {
      finish();
      await job.whenDone();
    }
    sleeper.raw.socket.resume();
    for (const { job } of running) await sleeper.waitForEvent((e) => e.id === job.id && e.event === EVENT.END);
    expect(sleeper.events.filter((e) => e.event === EVENT.END)).toHaveLength(running.length);
  });
});
