// tsvirt's job program through tsvirtd, as a raw client over the socket speaks it with src/ts/rpc's codecs:
// starting a save on test:///default, its info, pushed progress, cancel (no file), wait, the error of a failed
// job, the same job found and listed from a second connection, the local API's errors for unknown ids,
// read-only clients, and bad arguments.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { startDaemon, type TestDaemon } from './helpers.js';
import { EVENT, JOB_STATE, JobTestClient } from './job-client.js';

const GiB2 = 2n * 1024n * 1024n * 1024n;
/** Slow enough that a save is still running while the test looks at it (2 GiB at 64 MiB/s: 32 s). */
const SLOW = 'test:///default?rate=64M';
/** Fast: a save of the built-in domain's 2 GiB ends within a few ticks. */
const FAST = 'test:///default?rate=64G';

let d: TestDaemon;
let dir: string;
const clients: JobTestClient[] = [];

beforeEach(async () => {
  d = await startDaemon();
  dir = mkdtempSync(join(tmpdir(), 'jobrpc-program-'));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await d.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function client(uri: string | null = SLOW, socket = d.socket): Promise<JobTestClient> {
  const c = await JobTestClient.open(socket, uri ?? undefined);
  clients.push(c);
  return c;
}

async function startSave(c: JobTestClient, to: string, jobFlags = 0) {
  return (await c.ok('DOMAIN_SAVE', { dom: await c.domain(), to, flags: 0, job_flags: jobFlags })).job as { id: number; operation: string; type: number };
}

describe('the job program', () => {
  it('answers nothing before CONNECT_OPEN', async () => {
    const c = await client(null);
    const r = await c.call('GET_INFO', { id: 1 });
    expect(r.ok).toBe(false);
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INTERNAL_ERROR, domain: ErrorDomain.VIR_FROM_RPC, message: 'internal error: connection not open' });
  });

  it('starts a save, reports its info, pushes progress, cancels it (no file) and waits for it', async () => {
    const c = await client();
    const to = join(dir, 'test.save');
    const job = await startSave(c, to);
    expect(job.id).toBeGreaterThan(0);
    expect(job).toMatchObject({ operation: 'save', type: 0 });

    const { info } = await c.ok('GET_INFO', { id: job.id });
    expect(info).toMatchObject({ type: 0, state: JOB_STATE.RUNNING, dataTotal: GiB2 });
    expect(info.percentComplete).toBeGreaterThanOrEqual(0);
    expect(info.percentComplete).toBeLessThan(100);

    await c.ok('SUBSCRIBE', { id: job.id });
    await c.waitForEvent((e) => e.id === job.id && e.event === EVENT.PROGRESS && e.info.dataProcessed > 0n);
    const progress = c.events.filter((e) => e.event === EVENT.PROGRESS);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.info.dataProcessed >= progress[i - 1]!.info.dataProcessed).toBe(true);

    await c.ok('CANCEL', { id: job.id });
    const end = await c.waitForEvent((e) => e.id === job.id && e.event === EVENT.END);
    expect(end.info.state).toBe(JOB_STATE.CANCELLED);
    expect(end.error).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, domain: ErrorDomain.VIR_FROM_TEST, message: 'operation aborted: domain save job: canceled by client' });
    expect(c.events.filter((e) => e.event === EVENT.END)).toHaveLength(1);
    expect(await c.ok('WAIT', { id: job.id })).toEqual({ state: JOB_STATE.CANCELLED });
    expect(existsSync(to)).toBe(false);
    // Cancel again is harmless; the error stays readable.
    await c.ok('CANCEL', { id: job.id });
    expect((await c.ok('GET_ERROR', { id: job.id })).error.message).toBe('operation aborted: domain save job: canceled by client');
  });

  it('waits for a job to complete, then names its objects; a completed job has no error and cannot be cancelled', async () => {
    const c = await client(FAST);
    const to = join(dir, 'fast.save');
    const job = await startSave(c, to);
    expect(await c.ok('WAIT', { id: job.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect(existsSync(to)).toBe(true);
    const { info } = await c.ok('GET_INFO', { id: job.id });
    expect(info).toMatchObject({ state: JOB_STATE.COMPLETED, percentComplete: 100, dataProcessed: GiB2 });
    expect(await c.ok('GET_ERROR', { id: job.id })).toEqual({ error: null });
    const objects = await c.ok('GET_OBJECTS', { id: job.id });
    expect(objects.dom.name).toBe('test');
    expect([objects.net, objects.vol]).toEqual([null, null]);
    const cancel = await c.call('CANCEL', { id: job.id });
    expect(cancel.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_INVALID, message: `Requested operation is not valid: job ${job.id} (save) has already completed` });
    // Subscribing to a job that ended pushes its end at once.
    await c.ok('SUBSCRIBE', { id: job.id });
    expect((await c.waitForEvent((e) => e.id === job.id)).event).toBe(EVENT.END);

    // Restore it: a job that produces a domain.
    const restore = (await c.ok('DOMAIN_RESTORE', { from: to, flags: 0, job_flags: 0 })).job;
    expect(restore.operation).toBe('restore');
    expect(await c.ok('WAIT', { id: restore.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect((await c.ok('GET_OBJECTS', { id: restore.id })).dom.name).toBe('test');
  });

  it('reports the error of a failed job', async () => {
    const c = await client(FAST);
    const missing = join(dir, 'missing.save');
    const job = (await c.ok('DOMAIN_RESTORE', { from: missing, flags: 0, job_flags: 0 })).job;
    expect(await c.ok('WAIT', { id: job.id })).toEqual({ state: JOB_STATE.FAILED });
    const { error } = await c.ok('GET_ERROR', { id: job.id });
    expect(error.domain).toBe(ErrorDomain.VIR_FROM_TEST);
    expect(error.message).toContain(missing);
    expect((await c.ok('GET_INFO', { id: job.id })).info.state).toBe(JOB_STATE.FAILED);
  });

  it('finds and lists a job from a second connection, and cancels it from there', async () => {
    const a = await client();
    const b = await client();
    const job = await startSave(a, join(dir, 'shared.save'));
    expect(await b.ok('LOOKUP_BY_ID', { id: job.id })).toEqual({ job });
    const all = await b.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 0 });
    expect(all.jobs).toContainEqual(job);
    expect(all.ret).toBe(all.jobs.length);
    const running = await b.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 1 });
    expect(running.jobs.map((j: { id: number }) => j.id)).toContain(job.id);
    const count = await b.ok('CONNECT_LIST_ALL_JOBS', { need_results: 0, flags: 0 });
    expect(count).toEqual({ jobs: [], ret: all.ret });
    await a.ok('SUBSCRIBE', { id: job.id });
    await b.ok('CANCEL', { id: job.id });
    expect((await a.waitForEvent((e) => e.id === job.id && e.event === EVENT.END)).info.state).toBe(JOB_STATE.CANCELLED);
    const finished = await b.ok('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags: 2 });
    expect(finished.jobs.map((j: { id: number }) => j.id)).toContain(job.id);
  });

  it("answers an unknown id with the local API's errors", async () => {
    const c = await client();
    for (const proc of ['GET_INFO', 'CANCEL', 'WAIT', 'GET_ERROR', 'LOOKUP_BY_ID', 'GET_OBJECTS', 'SUBSCRIBE'] as const) {
      const r = await c.call(proc, { id: 987654 });
      expect(r.ok).toBe(false);
      expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INVALID_ARG, domain: ErrorDomain.VIR_FROM_TEST, message: 'invalid argument: no job with matching id 987654' });
    }
    const zero = await c.call('LOOKUP_BY_ID', { id: 0 });
    expect(zero.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INVALID_ARG, message: 'id in virJobLookupByID must be greater than zero' }); // as virJobLookupByID says in-process
    const unsub = await c.call('UNSUBSCRIBE', { id: 5 });
    expect(unsub.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INVALID_ARG, message: 'invalid argument: job 5 is not subscribed' });
  });

  it("refuses bad arguments with the job function's or the protocol's error", async () => {
    const c = await client();
    const dom = await c.domain();
    const flags = await c.call('DOMAIN_SAVE', { dom, to: join(dir, 'x'), flags: 0, job_flags: 6 });
    expect(flags.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INVALID_ARG, message: 'invalid argument: unsupported job flags (0x6) in TSVIRT_JOB_PROC_DOMAIN_SAVE' });
    const relative = await c.call('DOMAIN_CORE_DUMP', { dom, to: '', dumpflags: 0, flags: 1, job_flags: 0 });
    expect(relative.ok).toBe(false);
    expect(relative.value.message).toMatch(/virDomainCoreDumpJob/);
    const other = await c.call('DOMAIN_SAVE', { dom: { ...dom, name: 'nosuch', uuid: Buffer.alloc(16, 1) }, to: join(dir, 'y'), flags: 0, job_flags: 0 });
    expect(other.value.code).toBe(ErrorNumber.VIR_ERR_NO_DOMAIN);
    // Arguments that do not decode, a procedure that is not a call, one that does not exist, a wrong version.
    const short = c.send('GET_INFO', undefined);
    expect((await c.reply(short)).value).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, domain: ErrorDomain.VIR_FROM_RPC });
    expect((await c.call('EVENT')).value).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, message: 'unknown procedure: 20' });
    expect((await c.call(99)).value).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, message: 'unknown procedure: 99' });
    const v2 = c.send('GET_INFO', { id: 1 }, { vers: 2 });
    expect((await c.reply(v2)).value.message).toBe(`Cannot find program ${0x7473766a} version 2`);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('lets read-only clients find and watch jobs, not start or cancel them', async () => {
    const rw = await client();
    const ro = await client(SLOW, d.readOnlySocket);
    const job = await startSave(rw, join(dir, 'ro.save'));
    expect((await ro.ok('LOOKUP_BY_ID', { id: job.id })).job).toEqual(job);
    expect((await ro.ok('GET_INFO', { id: job.id })).info.state).toBe(JOB_STATE.RUNNING);
    const cancel = await ro.call('CANCEL', { id: job.id });
    expect(cancel.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_DENIED, message: 'operation forbidden: read only access prevents virJobCancel' });
    const start = await ro.call('DOMAIN_SAVE', { dom: await ro.domain(), to: join(dir, 'ro2.save'), flags: 0, job_flags: 0 });
    expect(start.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_DENIED, message: 'operation forbidden: read only access prevents virDomainSaveJob' });
    await rw.ok('CANCEL', { id: job.id });
    expect(await ro.ok('WAIT', { id: job.id })).toEqual({ state: JOB_STATE.CANCELLED });
  });
});

describe('every job variant through the job program', () => {
  it('starts network and domain creation jobs with the arguments of their job functions', async () => {
    const c = await client(FAST);
    const netXml = "<network><name>jobnet</name><bridge name='virbr9'/><ip address='192.168.149.1' netmask='255.255.255.0'/></network>";
    const created = (await c.ok('NETWORK_CREATE_XML', { xml: netXml, flags: 0, job_flags: 0 })).job;
    expect(created.operation).toBe('network-start');
    expect(await c.ok('WAIT', { id: created.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect((await c.ok('GET_OBJECTS', { id: created.id })).net.name).toBe('jobnet');

    const net = (await c.remote('REMOTE_PROC_NETWORK_LOOKUP_BY_NAME', { name: 'default' })).net;
    await c.remote('REMOTE_PROC_NETWORK_DESTROY', { net });
    const started = (await c.ok('NETWORK_CREATE', { net, flags: 0, job_flags: 0 })).job;
    expect(await c.ok('WAIT', { id: started.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect((await c.remote('REMOTE_PROC_NETWORK_IS_ACTIVE', { net })).active).toBe(1);

    const domXml = "<domain type='test'><name>jobdom</name><memory>262144</memory><os><type>hvm</type></os></domain>";
    const xmlJob = (await c.ok('DOMAIN_CREATE_XML', { xml_desc: domXml, flags: 0, job_flags: 0 })).job;
    expect(await c.ok('WAIT', { id: xmlJob.id })).toEqual({ state: JOB_STATE.COMPLETED });
    const dom = (await c.ok('GET_OBJECTS', { id: xmlJob.id })).dom;
    expect(dom.name).toBe('jobdom');
    const dump = join(dir, 'jobdom.dump');
    const dumpJob = (await c.ok('DOMAIN_CORE_DUMP', { dom, to: dump, dumpflags: 0, flags: 0, job_flags: 0 })).job;
    expect(dumpJob.operation).toBe('dump');
    expect(await c.ok('WAIT', { id: dumpJob.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect(existsSync(dump)).toBe(true);
    const defined = await c.remote('REMOTE_PROC_DOMAIN_DEFINE_XML', { xml: domXml.replace('jobdom', 'jobdef') });
    const createJob = (await c.ok('DOMAIN_CREATE', { dom: defined.dom, flags: 0, job_flags: 0 })).job;
    expect(createJob.operation).toBe('start');
    expect(await c.ok('WAIT', { id: createJob.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect((await c.remote('REMOTE_PROC_DOMAIN_IS_ACTIVE', { dom: defined.dom })).active).toBe(1);
  });

  it('starts volume create, clone and wipe jobs on a directory pool', async () => {
    const root = join(dir, 'embed');
    const c = await client(`tsvirt:///embed?root=${root}`);
    const poolDir = join(dir, 'pool');
    const pool = (await c.remote('REMOTE_PROC_STORAGE_POOL_DEFINE_XML', { xml: `<pool type='dir'><name>p</name><target><path>${poolDir}</path></target></pool>`, flags: 0 })).pool;
    await c.remote('REMOTE_PROC_STORAGE_POOL_BUILD', { pool, flags: 0 });
    await c.remote('REMOTE_PROC_STORAGE_POOL_CREATE', { pool, flags: 0 });
    const volXml = (name: string) => `<volume><name>${name}</name><capacity>1048576</capacity><allocation>1048576</allocation></volume>`;
    const create = (await c.ok('STORAGE_VOL_CREATE_XML', { pool, xml: volXml('a.img'), createflags: 0, flags: 0, job_flags: 0 })).job;
    expect(create.operation).toBe('volume-create');
    expect(await c.ok('WAIT', { id: create.id })).toEqual({ state: JOB_STATE.COMPLETED });
    const vol = (await c.ok('GET_OBJECTS', { id: create.id })).vol;
    expect(vol).toMatchObject({ pool: 'p', name: 'a.img' });
    const clone = (await c.ok('STORAGE_VOL_CREATE_XML_FROM', { pool, xml: volXml('b.img'), clonevol: vol, createflags: 0, flags: 0, job_flags: 0 })).job;
    expect(clone.operation).toBe('volume-clone');
    expect(await c.ok('WAIT', { id: clone.id })).toEqual({ state: JOB_STATE.COMPLETED });
    expect(existsSync(join(poolDir, 'b.img'))).toBe(true);
    const wipe = (await c.ok('STORAGE_VOL_WIPE', { vol, algorithm: 0, flags: 0, job_flags: 0 })).job;
    expect(wipe.operation).toBe('volume-wipe');
    expect(await c.ok('WAIT', { id: wipe.id })).toEqual({ state: JOB_STATE.COMPLETED });
    const reserved = await c.call('STORAGE_VOL_WIPE', { vol, algorithm: 0, flags: 1, job_flags: 0 });
    expect(reserved.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INVALID_ARG, message: 'unsupported flags (0x1) in function storageVolWipePattern' }); // the driver's words, as in-process
    // The test driver's connections do not see the directory pool's jobs, nor the other way round.
    const t = await client(FAST);
    expect((await t.call('LOOKUP_BY_ID', { id: create.id })).value.message).toBe(`invalid argument: no job with matching id ${create.id}`);
  });
});
