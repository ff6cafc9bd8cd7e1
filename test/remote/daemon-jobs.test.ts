// tsvirt's own clients on tsvirtd get the whole job API over the wire (src/ts/drivers/remote/daemon-jobs.ts):
// a job started through the remote driver runs in the daemon, its local job mirrors it (the daemon's id, the
// daemon's pushed progress with no polling, cancel through the program), and it is found again by id from
// another connection and another process (tsvirsh, a C program), survives its client unless started with
// cancelOnDisconnect, and after a kill -9 and restart of the daemon is reported FAILED to a new client.
// tsvirtd runs from dist/ (`npm run build:ts`), as users run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as domainApi from '../../src/ts/api/domain.js';
import { daemonConnectionOf } from '../../src/ts/drivers/remote/daemon-jobs.js';
import { ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { connect, type Connection, type Domain, type Job, type JobProgress } from '../../src/ts/index.js';
import { RpcClient } from '../../src/ts/rpc/client.js';
import { TSVIRT_JOB_PROGRAM, tsvirt_job_procedure } from '../../src/ts/rpc/generated/job-protocol.js';
import { REMOTE_PROGRAM, remote_procedure } from '../../src/ts/rpc/generated/remote-protocol.js';
import { ensureBuilt } from '../cli/harness.js';
import { run } from '../daemon/helpers.js';
import { hasCc, Workspace } from '../native/abi/harness.js';
import { startTsvirtd, TSVIRSH, type TsvirtdProcess } from './tsvirtd-process.js';

/** A transient test domain of 256 MiB: its save takes 256 MiB / rate. */
const domainXml = (name: string) => `<domain type='test'><name>${name}</name><memory>262144</memory><os><type>hvm</type></os></domain>`;
const SLOW = '8M'; // 32 s: longer than any test waits for it
const QUICK = '256M'; // one second, with progress pushed all along

let dir: string;
let daemon: TsvirtdProcess;
const uri = (rate: string, socket = daemon.socket) => `test+unix:///default?rate=${rate}&socket=${socket}`;
const open: Connection[] = [];
const children: ChildProcess[] = [];

async function client(rate: string, socket?: string): Promise<Connection> {
  const conn = await connect(uri(rate, socket));
  open.push(conn);
  return conn;
}

/** Creates a transient domain (through a quick connection: a start moves the memory too), as seen from `conn`. */
async function transientDomain(conn: Connection, name: string, socket?: string): Promise<Domain> {
  const quick = await client(QUICK, socket);
  await quick.createDomain(domainXml(name));
  return conn.lookupDomainByName(name);
}

/** Waits until the job has reported progress from the daemon (so it certainly runs there). */
async function firstProgress(job: Job<unknown>): Promise<JobProgress> {
  for await (const p of job) if (p.state !== 'running' || p.processed > 0) return p;
  throw new Error('the job reported no progress');
}

const rejection = (job: PromiseLike<unknown>) => Promise.resolve(job).then(() => null, (err: unknown) => err as VirError);

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'wirejobs-'));
  daemon = await startTsvirtd(join(dir, 'sock'), join(dir, 'state'));
}, 120_000);
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a job started through the remote driver runs in tsvirtd', () => {
  it('reports the daemon\'s pushed progress: nothing polls (no DOMAIN_GET_JOB_INFO, no DOMAIN_GET_JOB_STATS)', async () => {
    const conn = await client(QUICK);
    const dom = await transientDomain(conn, 'pushed');
    const file = join(dir, 'pushed.save');
    const spy = vi.spyOn(RpcClient.prototype, 'call');
    try {
      const job = dom.save(file);
      const seen: JobProgress[] = [];
      for await (const p of job) seen.push(p);
      await job;
      const calls = spy.mock.calls.map(([program, proc]) => [program.program, proc]);
      const remote = calls.filter(([p]) => p === REMOTE_PROGRAM).map(([, proc]) => proc);
      expect(remote).not.toContain(remote_procedure.REMOTE_PROC_DOMAIN_GET_JOB_INFO);
      expect(remote).not.toContain(remote_procedure.REMOTE_PROC_DOMAIN_GET_JOB_STATS);
      expect(remote).not.toContain(remote_procedure.REMOTE_PROC_DOMAIN_SAVE);
      const program = calls.filter(([p]) => p === TSVIRT_JOB_PROGRAM).map(([, proc]) => proc);
      // Start, subscribe, and the figures once when the mirror starts: every later one was pushed.
      const { TSVIRT_JOB_PROC_DOMAIN_SAVE, TSVIRT_JOB_PROC_SUBSCRIBE, TSVIRT_JOB_PROC_GET_INFO } = tsvirt_job_procedure;
      expect(program).toEqual([TSVIRT_JOB_PROC_DOMAIN_SAVE, TSVIRT_JOB_PROC_SUBSCRIBE, TSVIRT_JOB_PROC_GET_INFO]);
      const running = seen.filter((p) => p.state === 'running' && p.processed > 0);
      expect(running.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < running.length; i++) expect(running[i].processed).toBeGreaterThanOrEqual(running[i - 1].processed);
      expect(running.every((p) => p.total === 256 * 1024 * 1024 && p.percent < 100)).toBe(true);
      expect(seen.at(-1)).toMatchObject({ state: 'completed', percent: 100, processed: 256 * 1024 * 1024 });
      expect(existsSync(file)).toBe(true);
      // The id is the daemon's: another connection finds the same job by it.
      const other = await client(QUICK);
      const found = other.jobById(job.id!);
      await found;
      expect(found.progress()).toMatchObject({ state: 'completed', percent: 100 });
      expect(found.operation).toBe('save');
    } finally {
      spy.mockRestore();
    }
  });

  it('every kind of job starts in the daemon: core dump, restore, network create, volume create, clone and wipe', async () => {
    const conn = await client(QUICK);
    const dom = await transientDomain(conn, 'kinds');
    const spy = vi.spyOn(RpcClient.prototype, 'call');
    try {
      await dom.coreDump(join(dir, 'kinds.dump'));
      expect(existsSync(join(dir, 'kinds.dump'))).toBe(true);
      await dom.save(join(dir, 'kinds.save'));
      const restored = await conn.restore(join(dir, 'kinds.save'));
      expect(restored.name).toBe('kinds');
      const net = await conn.createNetwork(
        "<network><name>kinds-net</name><bridge name='kindsbr0'/><ip address='192.168.250.1' netmask='255.255.255.0'/></network>",
      );
      expect(net.name).toBe('kinds-net');
      const pool = await conn.lookupStoragePool('default-pool');
      const vol = await pool.createVolume("<volume><name>kinds.img</name><capacity unit='M'>4</capacity></volume>");
      expect(vol.name).toBe('kinds.img');
      const clone = await pool.cloneVolume("<volume><name>kinds-clone.img</name><capacity unit='M'>4</capacity></volume>", vol);
      expect(clone.name).toBe('kinds-clone.img');
      await clone.wipe();
      const program = spy.mock.calls.filter(([p]) => p.program === TSVIRT_JOB_PROGRAM).map(([, proc]) => proc);
      const remote = spy.mock.calls.filter(([p]) => p.program === REMOTE_PROGRAM).map(([, proc]) => proc);
      const P = tsvirt_job_procedure;
      for (const proc of [
        P.TSVIRT_JOB_PROC_DOMAIN_CORE_DUMP,
        P.TSVIRT_JOB_PROC_DOMAIN_SAVE,
        P.TSVIRT_JOB_PROC_DOMAIN_RESTORE,
        P.TSVIRT_JOB_PROC_NETWORK_CREATE_XML,
        P.TSVIRT_JOB_PROC_STORAGE_VOL_CREATE_XML,
        P.TSVIRT_JOB_PROC_STORAGE_VOL_CREATE_XML_FROM,
        P.TSVIRT_JOB_PROC_STORAGE_VOL_WIPE,
      ])
        expect(program).toContain(proc);
      for (const proc of ['DOMAIN_CORE_DUMP', 'DOMAIN_RESTORE', 'NETWORK_CREATE_XML', 'STORAGE_VOL_CREATE_XML', 'STORAGE_VOL_WIPE'] as const)
        expect(remote).not.toContain(remote_procedure[`REMOTE_PROC_${proc}`]);
      await clone.delete();
      await vol.delete();
      await net.destroy();
      await restored.destroy();
    } finally {
      spy.mockRestore();
    }
  });

  it('a cancel goes to the daemon: the job ends CANCELLED there and here, and leaves no file', async () => {
    const conn = await client(SLOW);
    const dom = await transientDomain(conn, 'cancelled');
    const file = join(dir, 'cancelled.save');
    const job = dom.save(file);
    await firstProgress(job);
    job.cancel();
    const err = await rejection(job);
    expect(err).toBeInstanceOf(VirError);
    expect(err!.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(err!.message).toBe('operation aborted: domain save job: canceled by client');
    expect(job.progress()!.state).toBe('cancelled');
    expect(existsSync(file)).toBe(false);
    expect((await dom.info()).state).toBe(1); // still running
    const other = await client(SLOW);
    const found = other.jobById(job.id!);
    expect((await rejection(found))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(found.progress()!.state).toBe('cancelled');
    await dom.destroy();
  });

  it('is found by id and listed from a second connection; virDomainGetJobInfo and virDomainAbortJob there reach it through the daemon', async () => {
    const conn = await client(SLOW);
    const dom = await transientDomain(conn, 'shared');
    const file = join(dir, 'shared.save');
    const job = dom.save(file);
    await firstProgress(job);
    const id = job.id!;

    const other = await client(SLOW);
    const found = other.jobById(id);
    expect(await found.started()).toBe(true);
    expect(found.id).toBe(id);
    expect(found.operation).toBe('save');
    expect(found.object).toBe('shared');
    const p = found.progress()!;
    expect(p).toMatchObject({ state: 'running', type: 'bounded', total: 256 * 1024 * 1024 });
    expect(p.processed).toBeGreaterThan(0);
    const listed = await other.jobs({ state: 'running' });
    expect(listed.map((j) => j.id)).toContain(id);

    // libvirt's per-domain job view, through REMOTE procedures: the daemon knows the job.
    const seenThere = await other.lookupDomainByName('shared');
    const info = await domainApi.virDomainGetJobInfo(seenThere.handle);
    expect(info.type).toBe(1); // VIR_DOMAIN_JOB_BOUNDED
    expect(info.dataTotal).toBe(256 * 1024 * 1024);
    expect(info.dataProcessed).toBeGreaterThan(0);
    expect(await domainApi.virDomainAbortJob(seenThere.handle)).toBe(0);

    // Cancelled by another client: both mirrors end CANCELLED with the daemon's error.
    expect((await rejection(job))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(job.progress()!.state).toBe('cancelled');
    expect((await rejection(found))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(found.progress()!.state).toBe('cancelled');
    expect(existsSync(file)).toBe(false);
    expect((await domainApi.virDomainGetJobInfo(seenThere.handle)).type).toBe(0); // VIR_DOMAIN_JOB_NONE
    await dom.destroy();
  });

  it('a read-only connection finds and follows a job, and its cancel is refused as the daemon refuses it', async () => {
    const conn = await client(SLOW);
    const dom = await transientDomain(conn, 'read-only');
    const job = dom.save(join(dir, 'read-only.save'));
    await firstProgress(job);
    const ro = await connect(uri(SLOW), { readOnly: true });
    open.push(ro);
    const found = ro.jobById(job.id!);
    expect((await firstProgress(found)).state).toBe('running');
    expect(() => found.cancel()).toThrow('read only access prevents virJobCancel');
    job.cancel();
    expect((await rejection(found))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(found.progress()!.state).toBe('cancelled');
    await dom.destroy();
  });

  it('is seen from a second process: tsvirsh job-list, job-info, job-cancel and job-wait against the daemon socket', async () => {
    const conn = await client(SLOW);
    const slow = await transientDomain(conn, 'cli-slow');
    const job = slow.save(join(dir, 'cli-slow.save'));
    await firstProgress(job);
    const id = job.id!;
    const tsvirsh = (...args: string[]) => run(process.execPath, [TSVIRSH, '-c', uri(SLOW), ...args]);

    const list = await tsvirsh('job-list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^\\s*${id}\\s+save\\s+cli-slow\\s+running\\s+\\d+ %\\s*$`, 'm'));

    const info = await tsvirsh('job-info', String(id));
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/^Operation:\s+save$/m);
    expect(info.stdout).toMatch(/^State:\s+running$/m);
    expect(info.stdout).toMatch(/^Data total:\s+256\.000 MiB$/m);

    const cancel = await tsvirsh('job-cancel', String(id));
    expect(cancel).toMatchObject({ status: 0, stderr: '' });
    expect((await rejection(job))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(job.progress()!.state).toBe('cancelled');
    expect((await tsvirsh('job-info', String(id))).stdout).toMatch(/^State:\s+cancelled$/m);
    // A cancelled job cancelled again: harmless, as virJobCancel says.
    expect((await tsvirsh('job-cancel', String(id))).status).toBe(0);

    const quick = await transientDomain(await client(QUICK), 'cli-quick');
    const second = quick.save(join(dir, 'cli-quick.save'));
    await second.started();
    const wait = await tsvirsh('job-wait', String(second.id));
    expect(wait).toMatchObject({ status: 0, stderr: '' });
    // job-wait returned because the job ended (not because nothing kept tsvirsh alive).
    expect((await tsvirsh('job-info', String(second.id))).stdout).toMatch(/^State:\s+completed$/m);
    await second;
    expect((await tsvirsh('job-info', '999999')).stderr).toContain('no job with matching id 999999');
    await slow.destroy();
  });
});

/** Starts fixtures/job-starter.mjs: a client process that starts a save and waits to be killed; resolves with its job id. */
async function starterProcess(
  domain: string,
  file: string,
  mode: 'cancel-on-disconnect' | 'keep' | 'await',
  rate: string,
): Promise<{ child: ChildProcess; id: number; lines: AsyncIterableIterator<string> }> {
  const script = new URL('./fixtures/job-starter.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, uri(rate), domain, file, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  const m = first.done ? null : /^id (\d+)$/.exec(first.value);
  if (!m) throw new Error(`job-starter: ${first.done ? 'exited without a job' : first.value}`);
  return { child, id: Number(m[1]), lines };
}

describe('a client process that goes away', () => {
  it('with cancelOnDisconnect: the daemon cancels its job, and another client sees it CANCELLED with no file', async () => {
    const conn = await client(SLOW);
    await transientDomain(conn, 'cod');
    const file = join(dir, 'cod.save');
    const { child, id } = await starterProcess('cod', file, 'cancel-on-disconnect', SLOW);
    const found = conn.jobById(id);
    expect((await firstProgress(found)).state).toBe('running');
    child.kill('SIGKILL');
    expect((await rejection(found))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(found.progress()!.state).toBe('cancelled');
    expect(existsSync(file)).toBe(false);
    await (await conn.lookupDomainByName('cod')).destroy();
  });

  it('without it: the job runs on to its end, found by id from another client', async () => {
    const conn = await client(QUICK);
    await transientDomain(conn, 'kept');
    const file = join(dir, 'kept.save');
    const { child, id } = await starterProcess('kept', file, 'keep', QUICK);
    child.kill('SIGKILL');
    const found = conn.jobById(id);
    await found;
    expect(found.progress()!.state).toBe('completed');
    expect(existsSync(file)).toBe(true);
  });

  it('a script that awaits its job is kept alive by it until the daemon pushes the end, then exits', async () => {
    const conn = await client(QUICK);
    await transientDomain(conn, 'awaited');
    const file = join(dir, 'awaited.save');
    const { child, lines } = await starterProcess('awaited', file, 'await', QUICK);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect((await lines.next()).value).toBe('state completed');
    expect(await exited).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('cancelOnDisconnect of a job started in this process: cancelled when the connection is lost', async () => {
    const conn = await client(SLOW);
    await transientDomain(conn, 'cod-here');
    const starter = await connect(uri(SLOW));
    const file = join(dir, 'cod-here.save');
    const job = (await starter.lookupDomainByName('cod-here')).save(file, { cancelOnDisconnect: true });
    await firstProgress(job);
    const found = conn.jobById(job.id!);
    await found.started();
    // The starting connection dies (its socket, as when its process is killed).
    daemonConnectionOf(starter.handle.drivers)!.client.close();
    expect((await rejection(job))?.code).toBe(ErrorNumber.VIR_ERR_RPC); // this mirror lost its daemon
    expect((await rejection(found))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(found.progress()!.state).toBe('cancelled');
    expect(existsSync(file)).toBe(false);
    await starter.close();
    await (await conn.lookupDomainByName('cod-here')).destroy();
  });
});

describe('a daemon restart', () => {
  it('after kill -9, a new client finds the job that was running FAILED, by id and in the list, and its partial output gone', async () => {
    const socket = join(dir, 'restart-sock');
    const state = join(dir, 'restart-state');
    let d = await startTsvirtd(socket, state);
    try {
      const conn = await client(SLOW, socket);
      const domain = await transientDomain(conn, 'restarted', socket);
      const file = join(dir, 'restarted.save');
      const job = domain.save(file);
      await firstProgress(job);
      const id = job.id!;
      await d.kill();
      expect((await rejection(job))?.code).toBe(ErrorNumber.VIR_ERR_RPC); // the connection is gone
      expect(job.progress()!.state).toBe('failed');

      d = await startTsvirtd(socket, state);
      const fresh = await client(SLOW, socket);
      const found = fresh.jobById(id);
      const err = await rejection(found);
      expect(err?.message).toBe('operation aborted: domain save job: tsvirtd stopped while the job was running');
      expect(found.progress()!.state).toBe('failed');
      expect(found.id).toBe(id);
      expect((await fresh.jobs({ state: 'finished' })).map((j) => j.id)).toContain(id);
      expect(existsSync(file)).toBe(false);
    } finally {
      await d.stop();
    }
  });
});

describe.skipIf(!hasCc)('a C program through tsvirt-run', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('virDomainSaveJob, virJobGetInfo, virJobLookupByID and virConnectListAllJobs on test+unix:///default?socket=S', async () => {
    const conn = await client(QUICK);
    await transientDomain(conn, 'c-job');
    const file = join(dir, 'c-job.save');
    await transientDomain(conn, 'c-tied');
    const tiedFile = join(dir, 'c-tied.save');
    const program = ws.buildForTsvirt(new URL('./c/daemon-job-client.c', import.meta.url).pathname);
    const r = await ws.runTsvirt(program, [uri(QUICK), 'c-job', file, uri(SLOW), 'c-tied', tiedFile]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const id = Number(/^id=(\d+)$/m.exec(r.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(r.stdout).toContain('info type=0 state=0 total=268435456\n'); // VIR_JOB_BOUNDED, VIR_JOB_RUNNING
    expect(r.stdout).toContain(`found id=${id} operation=save same=1\n`);
    expect(r.stdout).toContain('listed=1\n');
    expect(r.stdout).toContain('wait=1\nwait found=1\nfound state=1 percent=100 processed=total:1\n');
    // The id is the daemon's: this process finds the same, completed job.
    const found = conn.jobById(id);
    await found;
    expect(found).toMatchObject({ operation: 'save', object: 'c-job' });
    expect(existsSync(file)).toBe(true);
    // VIR_JOB_START_CANCEL_ON_DISCONNECT from C: the program exited while its job ran, so the daemon cancelled it.
    const tied = /^tied id=(\d+) state=0$/m.exec(r.stdout);
    expect(tied).not.toBeNull();
    const cancelled = conn.jobById(Number(tied![1]));
    expect((await rejection(cancelled))?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(cancelled.progress()!.state).toBe('cancelled');
    expect(existsSync(tiedFile)).toBe(false);
    await (await conn.lookupDomainByName('c-tied')).destroy();
  });
});
