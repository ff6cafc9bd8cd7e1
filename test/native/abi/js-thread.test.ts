import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, describe, expect, it } from 'vitest';
import { structTypes } from '../../../src/ffi/abi-types.js';
import { installBridge } from '../../../src/ffi/bridge.js';
import { eventLoopHolds } from '../../../src/ffi/keep-alive.js';
import { nativeLibrary } from '../../../src/ts/native/library.js';

// The C ABI called on the JavaScript thread itself (through koffi, in this process): what can be answered
// there is answered at once; what would have to wait for the drivers, which run on this very thread, fails
// instead of hanging.

const bridge = installBridge();
const lib = nativeLibrary();
const c = {
  open: lib.func('void *virConnectOpen(const char *name)'),
  close: lib.func('int virConnectClose(void *conn)'),
  lookup: lib.func('void *virDomainLookupByName(void *conn, const char *name)'),
  getConnect: lib.func('void *virDomainGetConnect(void *dom)'),
  getName: lib.func('const char *virDomainGetName(void *dom)'),
  getInfo: lib.func('int virDomainGetInfo(void *dom, _Out_ virDomainInfo *info)'),
  isActive: lib.func('int virDomainIsActive(void *dom)'),
  free: lib.func('int virDomainFree(void *dom)'),
  numOfDomains: lib.func('int virConnectNumOfDomains(void *conn)'),
  defineXML: lib.func('void *virDomainDefineXML(void *conn, const char *xml)'),
  createXML: lib.func('void *virDomainCreateXML(void *conn, const char *xml, unsigned int flags)'),
  create: lib.func('int virDomainCreate(void *dom)'),
  undefine: lib.func('int virDomainUndefine(void *dom)'),
  poolCreateXML: lib.func('void *virStoragePoolCreateXML(void *conn, const char *xml, unsigned int flags)'),
  poolDestroy: lib.func('int virStoragePoolDestroy(void *pool)'),
  poolFree: lib.func('int virStoragePoolFree(void *pool)'),
  volLookup: lib.func('void *virStorageVolLookupByName(void *pool, const char *name)'),
  volResize: lib.func('int virStorageVolResize(void *vol, unsigned long long capacity, unsigned int flags)'),
  volInfo: lib.func('int virStorageVolGetInfo(void *vol, _Out_ virStorageVolInfo *info)'),
  volFree: lib.func('int virStorageVolFree(void *vol)'),
  streamNew: lib.func('void *virStreamNew(void *conn, unsigned int flags)'),
  streamSend: lib.func('int virStreamSend(void *st, const char *data, size_t nbytes)'),
  streamRecv: lib.func('int virStreamRecv(void *st, _Out_ uint8_t *data, size_t nbytes)'),
  streamSendAll: lib.func('int virStreamSendAll(void *st, void *handler, void *opaque)'),
  streamFinish: lib.func('int virStreamFinish(void *st)'),
  streamAbort: lib.func('int virStreamAbort(void *st)'),
  streamFree: lib.func('int virStreamFree(void *st)'),
  volUpload: lib.func('int virStorageVolUpload(void *vol, void *st, unsigned long long offset, unsigned long long length, unsigned int flags)'),
  save: lib.func('int virDomainSave(void *dom, const char *to)'),
  saveJob: lib.func('void *virDomainSaveJob(void *dom, const char *to, unsigned int flags)'),
  jobInfo: lib.func('int virJobGetInfo(void *job, _Out_ virJobInfo *info)'),
  jobWait: lib.func('int virJobWait(void *job)'),
  jobFree: lib.func('int virJobFree(void *job)'),
  setCallback: lib.func('int virJobSetCallback(void *job, void *cb, void *opaque, void *freecb)'),
  errorCode: lib.func('int virGetLastErrorCode(void)'),
  errorMessage: lib.func('const char *virGetLastErrorMessage(void)'),
  setErrorFunc: lib.func('void virSetErrorFunc(void *data, void *handler)'),
  eventRegisterDefaultImpl: lib.func('int virEventRegisterDefaultImpl(void)'),
  eventRunDefaultImpl: lib.func('int virEventRunDefaultImpl(void)'),
};
const JobCallback = koffi.proto('void abi_test_job_callback(void *job, int state, void *opaque)');
const FreeCallback = koffi.proto('void abi_test_free_callback(void *opaque)');
const SourceCallback = koffi.proto('int abi_test_stream_source(void *st, void *data, size_t nbytes, void *opaque)');
const ErrorCallback = koffi.proto('void abi_test_error_callback(void *data, void *error)');

const VIR_ERR_OPERATION_INVALID = 55;
const VIR_ERR_NO_DOMAIN = 42;
const VIR_DOMAIN_RUNNING = 1;
const VIR_JOB_RUNNING = 0;
const VIR_JOB_COMPLETED = 1;
const VIR_STORAGE_VOL_RESIZE_ALLOCATE = 1;

const dir = mkdtempSync(join(tmpdir(), 'tsvirt-js-thread-'));
// Errors stay quiet on stderr; what they are is read back through virGetLastError*.
const quiet = koffi.register(() => {}, koffi.pointer(ErrorCallback));
c.setErrorFunc(null, quiet);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the C ABI on the JavaScript thread', () => {
  it('answers calls that need no waiting at once', () => {
    const conn = c.open('test:///default');
    const dom = c.lookup(conn, 'test');
    expect(dom).not.toBeNull();
    expect(c.getConnect(dom)).toBe(conn);
    expect(c.getName(dom)).toBe('test');
    const info: Record<string, unknown> = {};
    expect(c.getInfo(dom, info)).toBe(0);
    expect(info).toEqual({ state: VIR_DOMAIN_RUNNING, maxMem: 8388608, memory: 2097152, nrVirtCpu: 2, cpuTime: expect.anything() });
    expect(c.lookup(conn, 'nosuch')).toBeNull();
    expect(c.errorCode()).toBe(VIR_ERR_NO_DOMAIN);
    expect(c.free(dom)).toBe(0);
    expect(c.close(conn)).toBe(0);
    expect(bridge.liveHandles()).toEqual({ native: 0, table: 0 });
  });

  it('refuses a blocking call before it starts anything', () => {
    const conn = c.open('test:///default');
    const dom = c.lookup(conn, 'test');
    expect(c.save(dom, join(dir, 'refused.save'))).toBe(-1);
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);
    expect(c.errorMessage()).toBe(
      "Requested operation is not valid: virDomainSave would wait on the thread that runs tsvirt's drivers; call it from another thread",
    );
    expect(c.isActive(dom)).toBe(1);
    c.free(dom);
    c.close(conn);
  });

  it('refuses to run the event loop, which nothing could wake while this thread waits in it', () => {
    expect(c.eventRegisterDefaultImpl()).toBe(0);
    expect(c.eventRunDefaultImpl()).toBe(-1);
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);
    expect(c.errorMessage()).toBe(
      "Requested operation is not valid: virEventRunDefaultImpl would wait on the thread that runs tsvirt's drivers; call it from another thread",
    );
  });

  it('refuses a blocking call before its operation starts: the state stays as it was', async () => {
    const conn = c.open('test:///default');
    const before = c.numOfDomains(conn);
    const xml = "<domain type='test'><name>refused</name><memory>1024</memory><os><type>hvm</type></os></domain>";
    expect(c.createXML(conn, xml, 0)).toBeNull();
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);

    const defined = c.defineXML(conn, xml.replace('refused', 'defined-only'));
    expect(defined).not.toBeNull();
    expect(c.create(defined)).toBe(-1);
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);

    // Whatever a refused call might have started has had time to finish.
    await sleep(50);
    expect(c.numOfDomains(conn)).toBe(before);
    expect(c.lookup(conn, 'refused')).toBeNull();
    expect(c.isActive(defined)).toBe(0);
    expect(c.undefine(defined)).toBe(0);
    c.free(defined);
    c.close(conn);
  });

  it('refuses a preallocating resize, which completes later, before it touches the volume', async () => {
    const root = join(dir, 'embed');
    const poolDir = join(dir, 'pool');
    mkdirSync(poolDir);
    writeFileSync(join(poolDir, 'disk.raw'), Buffer.alloc(1024 * 1024));
    const conn = c.open(`tsvirt:///embed?root=${root}`);
    expect(conn).not.toBeNull();
    const pool = c.poolCreateXML(conn, `<pool type='dir'><name>js-thread</name><target><path>${poolDir}</path></target></pool>`, 0);
    expect(pool).not.toBeNull();
    const vol = c.volLookup(pool, 'disk.raw');
    expect(vol).not.toBeNull();

    expect(c.volResize(vol, 4 * 1024 * 1024, VIR_STORAGE_VOL_RESIZE_ALLOCATE)).toBe(-1);
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);
    expect(c.errorMessage()).toContain('virStorageVolResize would wait on the thread that runs');
    await sleep(50);
    expect(statSync(join(poolDir, 'disk.raw')).size).toBe(1024 * 1024);
    const info: Record<string, number> = {};
    expect(c.volInfo(vol, info)).toBe(0);
    expect(info.capacity).toBe(1024 * 1024);

    // Without preallocation a resize completes at once, so it is served here.
    expect(c.volResize(vol, 2 * 1024 * 1024, 0)).toBe(0);
    expect(statSync(join(poolDir, 'disk.raw')).size).toBe(2 * 1024 * 1024);

    c.volFree(vol);
    expect(c.poolDestroy(pool)).toBe(0);
    c.poolFree(pool);
    c.close(conn);
  });

  it('refuses the stream calls that wait, before they start anything, and serves the others', async () => {
    const root = join(dir, 'embed-streams');
    const poolDir = join(dir, 'stream-pool');
    mkdirSync(poolDir);
    writeFileSync(join(poolDir, 'disk.raw'), Buffer.alloc(4096, 7));
    const conn = c.open(`tsvirt:///embed?root=${root}`);
    const pool = c.poolCreateXML(conn, `<pool type='dir'><name>js-streams</name><target><path>${poolDir}</path></target></pool>`, 0);
    const vol = c.volLookup(pool, 'disk.raw');
    expect(vol).not.toBeNull();
    const st = c.streamNew(conn, 0);
    expect(st).not.toBeNull();
    const refused = (name: string) => {
      expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);
      expect(c.errorMessage()).toBe(`Requested operation is not valid: ${name} would wait on the thread that runs tsvirt's drivers; call it from another thread`);
    };
    expect(c.volUpload(vol, st, 0, 0, 0)).toBe(-1);
    refused('virStorageVolUpload');
    expect(c.streamSend(st, 'abc', 3)).toBe(-1);
    refused('virStreamSend');
    expect(c.streamRecv(st, Buffer.alloc(8), 8)).toBe(-1);
    refused('virStreamRecv');
    let sourceCalls = 0;
    const source = koffi.register(() => ++sourceCalls, koffi.pointer(SourceCallback));
    expect(c.streamSendAll(st, source, null)).toBe(-1);
    refused('virStreamSendAll');
    expect(sourceCalls).toBe(0);
    koffi.unregister(source);
    expect(c.streamFinish(st)).toBe(-1);
    refused('virStreamFinish');
    expect(c.streamAbort(st)).toBe(-1);
    refused('virStreamAbort');
    // Nothing started: the stream is still new and the volume as it was.
    await sleep(50);
    expect(statSync(join(poolDir, 'disk.raw')).size).toBe(4096);
    expect(c.streamFree(st)).toBe(0);
    c.volFree(vol);
    expect(c.poolDestroy(pool)).toBe(0);
    c.poolFree(pool);
    c.close(conn);
  });

  it('runs jobs, reads their progress without JavaScript, refuses to wait for them, and calls back', async () => {
    const conn = c.open('test:///default?rate=4G');
    const dom = c.lookup(conn, 'test');
    const job = c.saveJob(dom, join(dir, 'job.save'), 0);
    expect(job).not.toBeNull();
    const info: Record<string, number> = {};
    expect(c.jobInfo(job, info)).toBe(0);
    expect(info.state).toBe(VIR_JOB_RUNNING);
    expect(info.dataTotal).toBe(2 * 1024 ** 3);

    expect(c.jobWait(job)).toBe(-1);
    expect(c.errorCode()).toBe(VIR_ERR_OPERATION_INVALID);

    const calls: { state: number; opaque: unknown }[] = [];
    let freed = 0;
    const holdsBefore = eventLoopHolds();
    const onEnd = koffi.register((_job: unknown, state: number, opaque: unknown) => calls.push({ state, opaque }), koffi.pointer(JobCallback));
    const onFree = koffi.register(() => freed++, koffi.pointer(FreeCallback));
    expect(c.setCallback(job, onEnd, null, onFree)).toBe(0);
    // Registered callbacks keep the loop alive until delivered.
    expect(eventLoopHolds()).toBe(holdsBefore + 1);

    for (let i = 0; i < 500 && freed === 0; i++) await sleep(10);
    expect(calls).toEqual([{ state: VIR_JOB_COMPLETED, opaque: null }]);
    expect(freed).toBe(1);
    expect(c.jobInfo(job, info)).toBe(0);
    expect(info).toMatchObject({ state: VIR_JOB_COMPLETED, percentComplete: 100, dataProcessed: 2 * 1024 ** 3 });
    for (let i = 0; i < 100 && eventLoopHolds() > holdsBefore; i++) await sleep(10);
    expect(eventLoopHolds()).toBe(holdsBefore);

    expect(c.jobFree(job)).toBe(0);
    c.free(dom);
    c.close(conn);
    expect(bridge.liveHandles()).toEqual({ native: 0, table: 0 });
  });

  it('is installed once per process', () => {
    expect(installBridge()).toBe(bridge);
    expect(structTypes.virDomainInfo).toBeDefined();
  });
});
