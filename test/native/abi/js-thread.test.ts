import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, describe, expect, it } from 'vitest';
import { structTypes } from '../../../src/ffi/abi-types.js';
import { installBridge } from '../../../src/ffi/bridge.js';
import { eventLoopHolds } from '../../../src/ffi/keep-alive.js';
import { nativeLibrary } from '../../../src/ffi/native.js';

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
  save: lib.func('int virDomainSave(void *dom, const char *to)'),
  saveJob: lib.func('void *virDomainSaveJob(void *dom, const char *to, unsigned int flags)'),
  jobInfo: lib.func('int virJobGetInfo(void *job, _Out_ virJobInfo *info)'),
  jobWait: lib.func('int virJobWait(void *job)'),
  jobFree: lib.func('int virJobFree(void *job)'),
  setCallback: lib.func('int virJobSetCallback(void *job, void *cb, void *opaque, void *freecb)'),
  errorCode: lib.func('int virGetLastErrorCode(void)'),
  errorMessage: lib.func('const char *virGetLastErrorMessage(void)'),
  setErrorFunc: lib.func('void virSetErrorFunc(void *data, void *handler)'),
};
const JobCallback = koffi.proto('void abi_test_job_callback(void *job, int state, void *opaque)');
const FreeCallback = koffi.proto('void abi_test_free_callback(void *opaque)');
const ErrorCallback = koffi.proto('void abi_test_error_callback(void *data, void *error)');

const VIR_ERR_OPERATION_INVALID = 55;
const VIR_ERR_NO_DOMAIN = 42;
const VIR_DOMAIN_RUNNING = 1;
const VIR_JOB_RUNNING = 0;
const VIR_JOB_COMPLETED = 1;

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
