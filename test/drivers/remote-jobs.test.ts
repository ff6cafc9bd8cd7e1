// The remote driver's jobs without QEMU, against a scripted daemon that holds each save or dump call until the
// test answers it: one polling loop per domain shared by every job watching it, progress read from the job
// figures (DOMAIN_GET_JOB_STATS, or DOMAIN_GET_JOB_INFO when stats are unsupported, and the job-completed event),
// at most four long calls outstanding per connection while polls still get through, cancel as
// DOMAIN_ABORT_JOB (retried while the daemon has no job yet; an abort that loses the race leaves the job
// completed with the cancel's error), cancels refused where libvirt cannot abort, and a daemon that dies
// mid-job failing every job with an RPC error.
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { virDomainCoreDumpFlags } from '../../src/ts/core/enums.generated.js';
import { callSlotDefaults } from '../../src/ts/drivers/remote/call-slots.js';
import { jobWatchDefaults, pollingLoops } from '../../src/ts/drivers/remote/job-watch.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { connect, type Connection, type Job, type JobProgress } from '../../src/ts/index.js';
import * as virt from '../../src/ts/libvirt.js';
import { remote_domain_event_callback_job_completed_msg, remote_procedure, type remote_typed_param } from '../../src/ts/rpc/generated/remote-protocol.js';
import { virNetMessageError } from '../../src/ts/rpc/generated/virnet-protocol.js';
import { encodePacketWith, VIR_NET_ERROR, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { remoteProgram } from '../../src/ts/rpc/programs.js';
import { type Call, FakeDaemon } from '../remote/fake-daemon.js';
import { startLibvirtd } from '../support/libvirtd.mjs';

const UUIDS: Record<string, Buffer> = {
  a: Buffer.from('11111111111111111111111111111111', 'hex'),
  b: Buffer.from('22222222222222222222222222222222', 'hex'),
};
const GiB = 1024 ** 3;

/** What the scripted daemon knows of each domain's job: the remaining bytes its stats report. */
interface DomainJob {
  remaining: number;
}

class JobDaemon {
  readonly fake: FakeDaemon;
  /** Long calls (save, dump, restore) waiting for the test's answer, in arrival order. */
  readonly held: Call[] = [];
  readonly aborts: Call[] = [];
  readonly polls: Record<string, number> = {};
  readonly jobs = new Map<string, DomainJob>();
  statsSupported = true;
  /**
   * libvirtd's max_client_requests: calls of the client it reads at once. Held calls count; past the limit,
   * further calls stay unread (here: queued) until a held one is answered.
   */
  maxClientRequests = Infinity;
  private readonly unread: Call[] = [];
  /** What DOMAIN_ABORT_JOB does; default: answers OK and fails the domain's held call as libvirt does. */
  onAbort: (call: Call) => void = (call) => {
    call.reply();
    const held = this.held.find((c) => c.args.dom?.name === call.args.dom.name);
    if (held) this.take(held) && replyError(held, ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_QEMU, "operation aborted: job 'domain save' canceled by client");
  };
  private waiters: (() => void)[] = [];

  constructor() {
    this.fake = new FakeDaemon({ onCall: (call) => this.serve(call) });
  }

  private serve(call: Call): void {
    if (this.held.length >= this.maxClientRequests) {
      this.unread.push(call);
      return;
    }
    const name = call.name.replace('REMOTE_PROC_', '');
    switch (name) {
      case 'DOMAIN_LOOKUP_BY_NAME':
        call.reply({ dom: { name: call.args.name, uuid: UUIDS[call.args.name], id: 1 } });
        break;
      case 'DOMAIN_SAVE':
      case 'DOMAIN_SAVE_FLAGS':
      case 'DOMAIN_CORE_DUMP':
      case 'DOMAIN_RESTORE':
        this.held.push(call);
        break;
      case 'DOMAIN_SAVE_IMAGE_GET_XML_DESC':
        call.reply({ xml: '<domain><name>a</name></domain>' });
        break;
      case 'DOMAIN_GET_JOB_STATS': {
        const domain = call.args.dom.name as string;
        if (!this.statsSupported) {
          replyError(call, ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_QEMU, 'this function is not supported by the connection driver: virDomainGetJobStats');
          break;
        }
        this.polls[domain] = (this.polls[domain] ?? 0) + 1;
        const job = this.jobs.get(domain);
        call.reply(job ? { type: 2, params: stats(GiB, job.remaining) } : { type: 0, params: [] });
        break;
      }
      case 'DOMAIN_GET_JOB_INFO': {
        const domain = call.args.dom.name as string;
        this.polls[domain] = (this.polls[domain] ?? 0) + 1;
        const job = this.jobs.get(domain);
        const z = 0n;
        call.reply({
          type: job ? 2 : 0,
          timeElapsed: 5n,
          timeRemaining: z,
          dataTotal: job ? BigInt(GiB) : z,
          dataProcessed: job ? BigInt(GiB - job.remaining) : z,
          dataRemaining: job ? BigInt(job.remaining) : z,
          memTotal: z,
          memProcessed: z,
          memRemaining: z,
          fileTotal: z,
          fileProcessed: z,
          fileRemaining: z,
        });
        break;
      }
      case 'DOMAIN_ABORT_JOB':
        this.aborts.push(call);
        this.onAbort(call);
        break;
      case 'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY':
        call.reply({ callbackID: 40 + call.args.eventID });
        break;
      default:
        replyError(call, ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, `fake: ${name}`);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Removes a held call (true if it was held). */
  take(call: Call): boolean {
    const at = this.held.indexOf(call);
    if (at >= 0) this.held.splice(at, 1);
    // A request slot freed: the daemon reads what waited (after this reply is written).
    if (at >= 0 && this.unread.length) setImmediate(() => this.unread.splice(0).forEach((c) => this.serve(c)));
    return at >= 0;
  }

  /** Answers the first held call of `domain` with success. */
  finish(domain: string): void {
    const call = this.held.find((c) => c.args.dom?.name === domain || (domain === 'restore' && c.name.endsWith('RESTORE')))!;
    this.take(call);
    call.reply();
  }

  /** Resolves once `check` holds, re-checked after every call the daemon serves. */
  async until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Sends the job-completed event for `domain` to every client. */
  jobCompleted(domain: string): void {
    const header = { prog: remoteProgram.program, vers: remoteProgram.version, proc: remote_procedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK };
    const msg = { callbackID: 40 + 21, dom: { name: domain, uuid: UUIDS[domain], id: 1 }, params: stats(GiB, 0) };
    for (const s of this.fake.clients) s.write(encodePacketWith(header, remote_domain_event_callback_job_completed_msg, msg));
  }
}

function stats(total: number, remaining: number): remote_typed_param[] {
  const ul = (field: string, v: number): remote_typed_param => ({ field, value: { type: 4, ul: BigInt(v) } });
  return [{ field: 'operation', value: { type: 1, i: 4 } }, ul('time_elapsed', 10), ul('data_total', total), ul('data_processed', total - remaining), ul('data_remaining', remaining)];
}

function replyError(call: Call, code: number, domain: number, message: string): void {
  const header = { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_ERROR };
  call.socket.write(
    encodePacketWith(header, virNetMessageError, { code, domain, message, level: 2, dom: null, str1: null, str2: null, str3: null, int1: -1, int2: -1, net: null }),
  );
}

/** The job's snapshots until it has one that satisfies `check`. */
async function progressUntil(job: Job<unknown>, check: (p: JobProgress) => boolean): Promise<JobProgress> {
  for await (const p of job) if (check(p)) return p;
  throw new Error('the job ended first');
}

function errorOf(err: unknown) {
  expect(err).toBeInstanceOf(VirError);
  return { code: (err as VirError).code, message: (err as VirError).message };
}

const outcome = (job: Job<unknown>) =>
  job.then(
    () => 'completed',
    (e: unknown) => e,
  );

let daemon: JobDaemon;
let conn: Connection;

/** Answers every long call as it arrives until all `jobs` have ended; their outcomes. */
async function finishAll(jobs: Job<unknown>[]): Promise<unknown[]> {
  let done = false;
  const all = Promise.all(jobs.map(outcome)).finally(() => (done = true));
  while (!done) {
    while (daemon.held.length) daemon.finish(daemon.held[0].args.dom.name);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return all;
}
const defaults = { interval: jobWatchDefaults.intervalMs, limit: callSlotDefaults.limit };

beforeEach(async () => {
  jobWatchDefaults.intervalMs = 10;
  daemon = new JobDaemon();
  await daemon.fake.listen();
  conn = await connect(daemon.fake.uri);
});

afterEach(async () => {
  jobWatchDefaults.intervalMs = defaults.interval;
  callSlotDefaults.limit = defaults.limit;
  await conn.close();
  await daemon.fake.stop();
});


describe('progress', () => {
  it('comes from the daemon’s job figures, through one polling loop per domain whatever the number of jobs', async () => {
    const [a, b] = [await conn.lookupDomainByName('a'), await conn.lookupDomainByName('b')];
    daemon.jobs.set('a', { remaining: GiB });
    daemon.jobs.set('b', { remaining: GiB });
    const jobs = [a.save('/x/a1'), a.save('/x/a2'), b.save('/x/b1')];
    await daemon.until(() => daemon.held.length === 3);
    expect(pollingLoops()).toBe(2);
    daemon.jobs.get('a')!.remaining = GiB / 4;
    // Both jobs on `a` see the same figure from the one loop: total less remaining, as virsh --verbose shows it.
    for (const job of jobs.slice(0, 2)) {
      expect(await progressUntil(job, (p) => p.processed > 0)).toMatchObject({ state: 'running', type: 'bounded', percent: 75, processed: (3 * GiB) / 4, total: GiB });
    }
    // Polls of `a` are one loop's: no more than `b`'s one job gets, give or take a poll in flight.
    const polled = (d: string) => daemon.polls[d] ?? 0;
    const before = { a: polled('a'), b: polled('b') };
    await daemon.until(() => polled('b') >= before.b + 5);
    expect(polled('a') - before.a).toBeLessThanOrEqual(polled('b') - before.b + 1);
    for (const d of ['a', 'a', 'b']) daemon.finish(d);
    for (const job of jobs) expect(await outcome(job)).toBe('completed');
    expect(jobs.map((j) => j.progress()!.percent)).toEqual([100, 100, 100]);
    expect(pollingLoops()).toBe(0);
  });

  it('never goes down and stays below 100 % until the call returns; the job-completed event brings the final figure', async () => {
    const a = await conn.lookupDomainByName('a');
    daemon.jobs.set('a', { remaining: GiB / 2 });
    const job = a.save('/x/a');
    await progressUntil(job, (p) => p.percent === 50);
    // A daemon figure that went backwards does not move the job back.
    daemon.jobs.get('a')!.remaining = GiB;
    const polls = daemon.polls.a;
    await daemon.until(() => daemon.polls.a >= polls + 3);
    expect(job.progress()!.percent).toBe(50);
    daemon.jobCompleted('a');
    const last = await progressUntil(job, (p) => p.processed === GiB);
    expect(last).toMatchObject({ state: 'running', percent: 99 });
    daemon.finish('a');
    await job;
    expect(job.progress()).toMatchObject({ state: 'completed', percent: 100, processed: GiB });
  });

  it('falls back to DOMAIN_GET_JOB_INFO when the daemon has no job stats', async () => {
    daemon.statsSupported = false;
    const a = await conn.lookupDomainByName('a');
    daemon.jobs.set('a', { remaining: GiB / 8 });
    const job = a.save('/x/a');
    expect(await progressUntil(job, (p) => p.processed > 0)).toMatchObject({ percent: 87, total: GiB });
    daemon.finish('a');
    await job;
  });

  it('is never made up: a restore is unbounded, -1 % until it completes', async () => {
    const job = conn.restore('/x/a.save');
    await daemon.until(() => daemon.held.length === 1);
    expect(job.progress()).toMatchObject({ state: 'running', type: 'unbounded', percent: -1, total: 0 });
    daemon.finish('restore');
    expect((await job).name).toBe('a');
  });
});

describe('call slots', () => {
  it('keep at most three long calls outstanding; polls get through meanwhile; the rest wait in order', async () => {
    const doms = await Promise.all(['a', 'b'].map((n) => conn.lookupDomainByName(n)));
    daemon.jobs.set('a', { remaining: GiB });
    const jobs = Array.from({ length: 6 }, (_, i) => doms[i % 2].save(`/x/${i}`));
    await daemon.until(() => daemon.held.length === 3);
    // Polls are answered while three saves are held.
    const polls = daemon.polls.a ?? 0;
    await daemon.until(() => (daemon.polls.a ?? 0) >= polls + 3);
    expect(daemon.held.map((c) => c.args.to)).toEqual(['/x/0', '/x/1', '/x/2']);
    // A waiting job cancelled: it ends at once, nothing was ever sent for it.
    jobs[5].cancel();
    expect(errorOf(await outcome(jobs[5]))).toEqual({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: domain save job: canceled by client' });
    // One done: the next waiting job's call goes out.
    daemon.finish('a');
    await daemon.until(() => daemon.held.some((c) => c.args.to === '/x/3'));
    expect(daemon.held).toHaveLength(3);
    expect(await finishAll(jobs.slice(0, 5))).toEqual(Array(5).fill('completed'));
    expect(daemon.fake.calls.filter((c) => c === 'REMOTE_PROC_DOMAIN_SAVE')).toHaveLength(5);
    expect(daemon.aborts).toHaveLength(0);
  });

  it('against libvirtd’s limit of 5 requests per client: three saves out and one poll, progress still arrives; five slots would starve it', async () => {
    daemon.maxClientRequests = 5;
    const doms = await Promise.all(['a', 'b'].map((n) => conn.lookupDomainByName(n)));
    daemon.jobs.set('a', { remaining: GiB / 2 });
    const jobs = Array.from({ length: 6 }, (_, i) => doms[i % 2].save(`/x/${i}`));
    expect(await progressUntil(jobs[0], (p) => p.processed > 0)).toMatchObject({ percent: 50 });
    expect(daemon.held).toHaveLength(3);
    expect(await finishAll(jobs)).toEqual(Array(6).fill('completed'));

    // The same with five slots on a fresh connection: all five requests are saves, the polls stay unread.
    callSlotDefaults.limit = 5;
    const c2 = await connect(daemon.fake.uri);
    try {
      const d2 = await c2.lookupDomainByName('a');
      const polls = daemon.polls.a;
      const starved = Array.from({ length: 5 }, (_, i) => d2.save(`/y/${i}`));
      await daemon.until(() => daemon.held.length === 5);
      await new Promise((resolve) => setTimeout(resolve, 20 * jobWatchDefaults.intervalMs));
      expect(daemon.polls.a).toBe(polls);
      expect(starved[0].progress()!.processed).toBe(0);
      await finishAll(starved);
    } finally {
      await c2.close();
    }
  });
});

describe('cancel', () => {
  it('sends DOMAIN_ABORT_JOB; the job ends cancelled when the call fails aborted', async () => {
    const a = await conn.lookupDomainByName('a');
    daemon.jobs.set('a', { remaining: GiB / 2 });
    const job = a.save('/x/a');
    await progressUntil(job, (p) => p.processed > 0);
    job.cancel();
    expect(errorOf(await outcome(job))).toEqual({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: domain save job: canceled by client' });
    expect(daemon.aborts).toHaveLength(1);
    expect(job.progress()!.state).toBe('cancelled');
    expect(job.cancelError).toBeNull();
  });

  it('by another client (virsh domjobabort): the call fails aborted, the job ends cancelled', async () => {
    const a = await conn.lookupDomainByName('a');
    const job = a.save('/x/a');
    await daemon.until(() => daemon.held.length === 1);
    const held = daemon.held[0];
    daemon.take(held);
    replyError(held, ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_QEMU, "operation aborted: job 'domain save' canceled by client");
    expect(errorOf(await outcome(job))).toEqual({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: domain save job: canceled by client' });
    expect(job.progress()!.state).toBe('cancelled');
    expect(daemon.aborts).toHaveLength(0);
  });

  it('tries the abort again while the daemon has not begun the job yet', async () => {
    const a = await conn.lookupDomainByName('a');
    const job = a.save('/x/a');
    await daemon.until(() => daemon.held.length === 1);
    const normal = daemon.onAbort;
    daemon.onAbort = (call) => {
      if (daemon.aborts.length < 3) replyError(call, ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU, 'Requested operation is not valid: no job is active on the domain');
      else normal(call);
    };
    job.cancel();
    expect(errorOf(await outcome(job)).code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(daemon.aborts).toHaveLength(3);
  });

  it('that loses the race: the call succeeded, so the job completed, and keeps why the cancel failed', async () => {
    const a = await conn.lookupDomainByName('a');
    daemon.jobs.set('a', { remaining: 1 });
    const job = a.save('/x/a');
    await progressUntil(job, (p) => p.processed > 0);
    daemon.onAbort = (call) => {
      // The save ended on the daemon just before the abort arrived.
      daemon.finish('a');
      replyError(call, ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU, 'Requested operation is not valid: no job is active on the domain');
    };
    job.cancel();
    expect(await outcome(job)).toBe('completed');
    expect(job.progress()).toMatchObject({ state: 'completed', percent: 100 });
    expect(job.cancelError?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
  });

  it('is refused where libvirt cannot abort: a memory-only dump, a restore once sent', async () => {
    const a = await conn.lookupDomainByName('a');
    const dump = a.coreDump('/x/a.core', { flags: virDomainCoreDumpFlags.VIR_DUMP_MEMORY_ONLY });
    const restore = conn.restore('/x/a.save');
    await Promise.all([dump.started(), restore.started()]);
    expect(() => dump.cancel()).toThrow(expect.objectContaining({ code: ErrorNumber.VIR_ERR_OPERATION_INVALID, message: 'Requested operation is not valid: cannot abort memory-only dump' }));
    expect(() => restore.cancel()).toThrow(expect.objectContaining({ code: ErrorNumber.VIR_ERR_OPERATION_INVALID }));
    // Through a signal the refusal has nobody to reach: the job runs on.
    const controller = new AbortController();
    const signalled = a.coreDump('/x/b.core', { flags: virDomainCoreDumpFlags.VIR_DUMP_MEMORY_ONLY, signal: controller.signal });
    await signalled.started();
    controller.abort();
    await daemon.until(() => daemon.held.length === 3);
    for (const call of [...daemon.held]) daemon.take(call) && call.reply();
    expect(await Promise.all([dump, restore, signalled].map(outcome))).toEqual(['completed', 'completed', 'completed']);
    expect(daemon.aborts).toHaveLength(0);
  });
});

describe('the C-style face', () => {
  it('virJobCancel of a memory-only dump returns -1 with the refusal; of a save, 0 and the job ends cancelled', async () => {
    virt.virSetErrorFunc(null, () => {});
    const c = (await virt.virConnectOpen.async(daemon.fake.uri))!;
    const dom = (await virt.virDomainLookupByName.async(c, 'a'))!;
    const dump = virt.virDomainCoreDumpJob(dom, '/x/a.core', virDomainCoreDumpFlags.VIR_DUMP_MEMORY_ONLY, 0)!;
    expect(virt.virJobCancel(dump)).toBe(-1);
    expect(virt.virGetLastErrorCode()).toBe(ErrorNumber.VIR_ERR_OPERATION_INVALID);
    expect(virt.virGetLastErrorMessage()).toBe('Requested operation is not valid: cannot abort memory-only dump');
    const other = (await virt.virDomainLookupByName.async(c, 'b'))!;
    const save = virt.virDomainSaveJob(other, '/x/b.save', 0)!;
    await daemon.until(() => daemon.held.length === 2);
    expect(virt.virJobCancel(save)).toBe(0);
    expect(await virt.virJobWait(save)).toBe(3); // VIR_JOB_CANCELLED
    daemon.finish('a');
    expect(await virt.virJobWait(dump)).toBe(1); // VIR_JOB_COMPLETED
    virt.virJobFree(save);
    virt.virJobFree(dump);
    virt.virDomainFree(dom);
    virt.virDomainFree(other);
    virt.virConnectClose(c);
  });
});

describe('a daemon that dies mid-job', () => {
  it('fails every job with an RPC error, waiting ones too, and stops polling', async () => {
    callSlotDefaults.limit = 2;
    const c2 = await connect(daemon.fake.uri);
    try {
      const a = await c2.lookupDomainByName('a');
      daemon.jobs.set('a', { remaining: GiB / 2 });
      const jobs = [a.save('/x/1'), a.save('/x/2'), a.save('/x/3')];
      await progressUntil(jobs[0], (p) => p.processed > 0);
      expect(daemon.held).toHaveLength(2);
      daemon.fake.hangUp();
      for (const job of jobs) {
        const err = errorOf(await outcome(job));
        expect(err.code).toBe(ErrorNumber.VIR_ERR_RPC);
        expect(job.progress()!.state).toBe('failed');
      }
      expect(pollingLoops()).toBe(0);
    } finally {
      await c2.close();
    }
  });
});

describe('against a real libvirtd (its test driver)', () => {
  /** A domain of libvirt's test driver, transient. */
  const domainXml = (name: string) => `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;

  it('saves blocked in the daemon (FIFO targets) hold three of its five request slots; polls, calls and the other saves still get through', async () => {
    const real = await startLibvirtd();
    const c = await connect(real.uris.test);
    try {
      const doms = [];
      for (let i = 0; i < 5; i++) doms.push(await c.createDomain(domainXml(`blocked${i}`)));
      // libvirtd's test driver opens the save target before writing: a FIFO nobody reads keeps the call there.
      const fifos = doms.map((_, i) => join(real.filesDir, `blocked${i}.save`));
      for (const fifo of fifos) {
        execFileSync('mkfifo', [fifo]);
        chmodSync(fifo, 0o666);
        await real.giveToDaemon(fifo);
      }
      const jobs = doms.map((d, i) => d.save(fifos[i]));
      // Three calls are out (two jobs wait for a slot); the daemon still reads this client's calls.
      const info = await (await c.lookupDomainByName('test')).info();
      expect(info.state).toBe(1);
      expect(pollingLoops()).toBeGreaterThanOrEqual(3);
      // Reading the FIFOs lets the saves finish; the waiting jobs' calls go out as slots free.
      const drained = fifos.map(
        (fifo) =>
          new Promise<number>((resolve, reject) => {
            let bytes = 0;
            createReadStream(fifo)
              .on('data', (chunk) => (bytes += chunk.length))
              .on('end', () => resolve(bytes))
              .on('error', reject);
          }),
      );
      expect(await Promise.all(jobs.map(outcome))).toEqual(Array(5).fill('completed'));
      for (const bytes of await Promise.all(drained)) expect(bytes).toBeGreaterThan(0);
      expect(pollingLoops()).toBe(0);
    } finally {
      await c.close();
      await real.stop();
    }
  });
});
