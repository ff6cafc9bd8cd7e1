// Jobs outlive their clients and the daemon: a client that disconnects does not cancel its jobs (they finish
// and are found again by id) unless it asked with TSVIRT_JOB_START_CANCEL_ON_DISCONNECT; on SIGTERM tsvirtd
// finishes or cancels its jobs within a bounded grace and records them; after kill -9 and a restart every job
// that was running is FAILED with a clear error, its partial output removed, and ids continue above it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { ensureBuilt, REPO } from '../cli/harness.js';
import { startDaemon, type TestDaemon } from './helpers.js';
import { EVENT, JOB_STATE, JobTestClient } from './job-client.js';

const BIN = join(REPO, 'bin/tsvirtd.js');
const SLOW = 'test:///default?rate=64M'; // 2 GiB: 32 s, far longer than any test waits
const MEDIUM = 'test:///default?rate=4G'; // 2 GiB: half a second
const CANCEL_ON_DISCONNECT = 1;

let dir: string;
const clients: JobTestClient[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jobrpc-survival-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function client(socket: string, uri: string): Promise<JobTestClient> {
  const c = await JobTestClient.open(socket, uri);
  clients.push(c);
  return c;
}

async function save(c: JobTestClient, to: string, jobFlags = 0): Promise<number> {
  return (await c.ok('DOMAIN_SAVE', { dom: await c.domain(), to, flags: 0, job_flags: jobFlags })).job.id;
}

describe('a client that goes away', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d.stop();
  });

  it('leaves its job running: it finishes, and another connection finds it by id', async () => {
    const a = await client(d.socket, MEDIUM);
    const to = join(dir, 'left-running.save');
    const id = await save(a, to);
    a.raw.socket.destroy(); // killed: no CONNECT_CLOSE
    await a.raw.waitFor(() => a.raw.closed);
    const b = await client(d.socket, MEDIUM);
    expect((await b.ok('LOOKUP_BY_ID', { id })).job.id).toBe(id);
    expect(await b.ok('WAIT', { id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect(existsSync(to)).toBe(true);
    // Restore, so the next test finds the domain running.
    expect(await b.ok('WAIT', { id: (await b.ok('DOMAIN_RESTORE', { from: to, flags: 0, job_flags: 0 })).job.id })).toEqual({ state: JOB_STATE.COMPLETED });
  });

  it('cancels the jobs it started with TSVIRT_JOB_START_CANCEL_ON_DISCONNECT, and only those', async () => {
    const watcher = await client(d.socket, SLOW);
    const a = await client(d.socket, SLOW);
    const to = join(dir, 'cancelled-on-disconnect.save');
    const id = await save(a, to, CANCEL_ON_DISCONNECT);
    await watcher.ok('SUBSCRIBE', { id });
    await watcher.waitForEvent((e) => e.id === id && e.event === EVENT.PROGRESS);
    a.raw.socket.destroy();
    const end = await watcher.waitForEvent((e) => e.id === id && e.event === EVENT.END);
    expect(end.info.state).toBe(JOB_STATE.CANCELLED);
    expect(end.error?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(existsSync(to)).toBe(false);
  });

  it('cancels them when it closes its connection too, and not a job that was started without the flag by another client', async () => {
    const other = await client(d.socket, SLOW);
    const a = await client(d.socket, SLOW);
    const id = await save(other, join(dir, 'other.save'));
    // The domain is busy with `other`'s save: a second domain for `a`'s.
    const fast = await client(d.socket, MEDIUM);
    const xml = "<domain type='test'><name>cod</name><memory>262144</memory><os><type>hvm</type></os></domain>";
    expect(await fast.ok('WAIT', { id: (await fast.ok('DOMAIN_CREATE_XML', { xml_desc: xml, flags: 0, job_flags: 0 })).job.id })).toEqual({ state: JOB_STATE.COMPLETED });
    const to = join(dir, 'cod.save');
    const flagged = (await a.ok('DOMAIN_SAVE', { dom: await a.domain('cod'), to, flags: 0, job_flags: CANCEL_ON_DISCONNECT })).job.id;
    await a.remote('REMOTE_PROC_CONNECT_CLOSE');
    expect(await other.ok('WAIT', { id: flagged })).toEqual({ state: JOB_STATE.CANCELLED });
    expect(existsSync(to)).toBe(false);
    expect((await other.ok('GET_INFO', { id })).info.state).toBe(JOB_STATE.RUNNING);
    await other.ok('CANCEL', { id });
    expect(await other.ok('WAIT', { id })).toEqual({ state: JOB_STATE.CANCELLED });
  });
});

/** A tsvirtd process on `socket` keeping its journal in `state`. */
function daemonProcess(socket: string, state: string, extra: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [BIN, '--listen', socket, '--no-readonly', '--state-dir', state, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const waitForLog = async (text: string) => {
    for (let i = 0; i < 400 && !stderr.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    if (!stderr.includes(text)) throw new Error(`no '${text}' in tsvirtd's log:\n${stderr}`);
  };
  return { child, exited, waitForLog, stderr: () => stderr };
}

type Journal = { pid: number; lastId: number; jobs: { id: number; state: number; output: string | null }[] };
const readJournal = (state: string): Journal => JSON.parse(readFileSync(join(state, 'jobs.json'), 'utf8'));

describe('tsvirtd stopping', () => {
  const running: ReturnType<typeof daemonProcess>[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  });
  const start = async (socket: string, state: string, extra: string[] = []) => {
    const p = daemonProcess(socket, state, extra);
    running.push(p);
    await p.waitForLog('listening on');
    return p;
  };

  it('on SIGTERM finishes what ends within the grace, cancels the rest, records both; they are found after a restart', async () => {
    const socket = join(dir, 'term-sock');
    const state = join(dir, 'term-state');
    const p = await start(socket, state, ['--shutdown-grace', '2']);
    const c = await client(socket, SLOW);
    const slow = join(dir, 'term-slow.save');
    const slowId = await save(c, slow);
    // A second domain, started as a job that ends well within the grace.
    const quick = await client(socket, MEDIUM);
    const xml = "<domain type='test'><name>quick</name><memory>262144</memory><os><type>hvm</type></os></domain>";
    const quickId = (await quick.ok('DOMAIN_CREATE_XML', { xml_desc: xml, flags: 0, job_flags: 0 })).job.id;
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stderr()).toContain(`cancelling 1 job still running: ${slowId} (save)`);
    expect(existsSync(slow)).toBe(false);
    const journal = readJournal(state);
    expect(journal.jobs.find((j) => j.id === slowId)?.state).toBe(JOB_STATE.CANCELLED);
    expect(journal.jobs.find((j) => j.id === quickId)?.state).toBe(JOB_STATE.COMPLETED);

    const again = await start(socket, state);
    const c2 = await client(socket, SLOW);
    expect((await c2.ok('LOOKUP_BY_ID', { id: slowId })).job).toEqual({ id: slowId, operation: 'save', type: 0 });
    expect((await c2.ok('GET_INFO', { id: slowId })).info.state).toBe(JOB_STATE.CANCELLED);
    expect((await c2.ok('GET_ERROR', { id: slowId })).error.message).toBe('operation aborted: domain save job: canceled because tsvirtd stopped');
    expect(await c2.ok('WAIT', { id: quickId })).toEqual({ state: JOB_STATE.COMPLETED });
    const listed = (await c2.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 0 })).jobs.map((j: { id: number }) => j.id);
    expect(listed).toEqual(expect.arrayContaining([slowId, quickId]));
    const next = await save(c2, join(dir, 'term-next.save'));
    expect(next).toBeGreaterThan(Math.max(slowId, quickId));
    await c2.ok('CANCEL', { id: next });
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('after kill -9 and a restart, every job that was running is FAILED with a clear error, its partial output removed, and ids continue', async () => {
    const socket = join(dir, 'kill-sock');
    const state = join(dir, 'kill-state');
    const p = await start(socket, state);
    const c = await client(socket, SLOW);
    const out = join(dir, 'killed.save');
    const existing = join(dir, 'existing.dump');
    writeFileSync(existing, 'a file the dump job did not create');
    const saveId = await save(c, out);
    // A dump over a file that existed before: that file is not the job's to remove.
    const fast = await client(socket, MEDIUM);
    const third = "<domain type='test'><name>third</name><memory>262144</memory><os><type>hvm</type></os></domain>";
    const started = (await fast.ok('DOMAIN_CREATE_XML', { xml_desc: third, flags: 0, job_flags: 0 })).job.id;
    expect(await fast.ok('WAIT', { id: started })).toEqual({ state: JOB_STATE.COMPLETED });
    const thirdDom = await c.domain('third');
    const dumpId = (await c.ok('DOMAIN_CORE_DUMP', { dom: thirdDom, to: existing, dumpflags: 0, flags: 0, job_flags: 0 })).job.id;
    // A job started through libvirt's own procedure (as virsh would), on a second domain.
    const xml = "<domain type='test'><name>second</name><memory>1048576</memory><os><type>hvm</type></os></domain>";
    const define = await c.remote('REMOTE_PROC_DOMAIN_DEFINE_XML', { xml });
    const second = await client(socket, SLOW);
    second.raw.send('REMOTE_PROC_DOMAIN_CREATE', { dom: define.dom }); // blocking: never answered before the kill
    // Wait until the journal names every running job (the REMOTE one from its first progress).
    let journal: Journal;
    for (;;) {
      journal = readJournal(state);
      if (journal.jobs.filter((j) => j.state === JOB_STATE.RUNNING).length >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const runningIds = journal.jobs.filter((j) => j.state === JOB_STATE.RUNNING).map((j) => j.id);
    expect(runningIds).toEqual(expect.arrayContaining([saveId, dumpId]));
    expect(journal.jobs.find((j) => j.id === saveId)?.output).toBe(out);
    expect(journal.jobs.find((j) => j.id === dumpId)?.output).toBe(null);
    p.child.kill('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');
    // What a writer in place, or the named staging on a filesystem without unnamed files, leaves behind.
    writeFileSync(out, 'half a save image');
    const staged = `${out}.tsvirt-${journal.pid}-0123abcd.part`;
    writeFileSync(staged, 'half a save image');
    const othersPart = `${out}.tsvirt-${journal.pid + 1}-0123abcd.part`;
    writeFileSync(othersPart, 'not ours');

    const again = await start(socket, state);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(staged)).toBe(false);
    expect(existsSync(othersPart)).toBe(true);
    expect(readFileSync(existing, 'utf8')).toBe('a file the dump job did not create');
    expect(again.stderr()).toContain(`job ${saveId} (save of test) was running when tsvirtd stopped: reported failed`);

    const c2 = await client(socket, SLOW);
    for (const id of runningIds) {
      expect((await c2.ok('LOOKUP_BY_ID', { id })).job.id).toBe(id);
      expect((await c2.ok('GET_INFO', { id })).info.state).toBe(JOB_STATE.FAILED);
      expect(await c2.ok('WAIT', { id })).toEqual({ state: JOB_STATE.FAILED });
      const { error } = await c2.ok('GET_ERROR', { id });
      expect(error).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, domain: ErrorDomain.VIR_FROM_TEST });
      expect(error.message).toMatch(/^operation aborted: domain (save|start|core dump) job: tsvirtd stopped while the job was running$/);
      const cancel = await c2.call('CANCEL', { id });
      expect(cancel.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_INVALID });
      await c2.ok('SUBSCRIBE', { id });
      expect((await c2.waitForEvent((e) => e.id === id)).info.state).toBe(JOB_STATE.FAILED);
    }
    const listed = (await c2.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 2 })).jobs.map((j: { id: number }) => j.id);
    expect(listed).toEqual(expect.arrayContaining(runningIds));
    expect((await c2.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 1 })).jobs).toEqual([]);
    const next = await save(c2, join(dir, 'after-restart.save'));
    expect(next).toBeGreaterThan(Math.max(...runningIds, journal.lastId));
    // Another driver instance does not see them.
    const storage = join(dir, 'kill-embed');
    mkdirSync(storage);
    const other = await client(socket, `tsvirt:///embed?root=${storage}`);
    expect((await other.call('LOOKUP_BY_ID', { id: saveId })).value.message).toBe(`invalid argument: no job with matching id ${saveId}`);
    // A second restart does not report them again, nor remove a file made since at the same path.
    writeFileSync(out, 'made after the restart');
    again.child.kill('SIGKILL');
    await again.exited;
    const restarted = await start(socket, state);
    // Only the save started after the first restart was running this time.
    expect(restarted.stderr().match(/was running when tsvirtd stopped/g)).toHaveLength(1);
    expect(restarted.stderr()).toContain(`job ${next} (save of test) was running when tsvirtd stopped`);
    expect(readFileSync(out, 'utf8')).toBe('made after the restart');
    const c3 = await client(socket, SLOW);
    expect((await c3.ok('GET_INFO', { id: saveId })).info.state).toBe(JOB_STATE.FAILED);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });
});
