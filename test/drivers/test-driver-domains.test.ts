import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as connect from '../../src/ts/api/connect.js';
import * as domain from '../../src/ts/api/domain.js';
import * as jobs from '../../src/ts/api/job.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { JobState } from '../../src/ts/jobs/job.js';
import {
  virDomainPausedReason,
  virDomainRunningReason as Run,
  virDomainShutoffReason as Off,
  virDomainState,
} from '../../src/ts/core/enums.generated.js';

const { VIR_DOMAIN_RUNNING: RUNNING, VIR_DOMAIN_PAUSED: PAUSED, VIR_DOMAIN_SHUTOFF: SHUTOFF } = virDomainState;

/** The test driver's domains against libvirt 9.0's behaviour (../shared/reference/libvirt-9.0). */
import { REFERENCE } from '../reference.js';
const { VIR_FROM_TEST, VIR_FROM_DOMAIN } = ErrorDomain;

let conn: VirConnect;
let dir: string;
/** Every connection a test opens; closed for good after it, whatever handles the test left behind. */
const opened: VirConnect[] = [];

function open(uri = 'test:///default', readOnly = false): VirConnect {
  const c = (readOnly ? connect.virConnectOpenReadOnly(uri) : connect.virConnectOpen(uri)) as VirConnect;
  opened.push(c);
  return c;
}

beforeEach(() => {
  conn = open();
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-test-driver-'));
});
afterEach(() => {
  for (const c of opened.splice(0)) while (c.alive) c.unref();
  rmSync(dir, { recursive: true, force: true });
});

function lookup(name: string): VirDomain {
  return domain.virDomainLookupByName(conn, name) as VirDomain;
}

function expectError(fn: () => unknown, code: number, from: number, message: string) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VirError);
    expect({ code: (err as VirError).code, domain: (err as VirError).domain, message: (err as VirError).message }).toEqual({
      code,
      domain: from,
      message,
    });
    return;
  }
  expect.unreachable(`expected ${message}`);
}

async function expectRejection(promise: Promise<unknown>, code: number, from: number, message: string) {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(VirError);
  expect({ code: err.code, domain: err.domain, message: err.message }).toEqual({ code, domain: from, message });
}

const state = (dom: VirDomain) => domain.virDomainGetState(dom, 0) as { state: number; reason: number };

describe('test:///default as libvirt 9.0 starts it', () => {
  it('has domain test, running with id 1, libvirt UUID and memory', () => {
    const dom = lookup('test');
    expect([dom.id, dom.uuid]).toEqual([1, '6695eb01-f6a4-8304-79aa-97f2502e193f']);
    expect(domain.virDomainGetInfo(dom)).toMatchObject({ state: 1, maxMem: 8388608, memory: 2097152, nrVirtCpu: 2 });
    expect(state(dom)).toEqual({ state: RUNNING, reason: Run.VIR_DOMAIN_RUNNING_UNKNOWN });
    expect(domain.virDomainGetOSType(dom)).toBe('linux');
    expect(connect.virConnectGetType(conn)).toBe('TEST');
    expect(connect.virConnectGetVersion(conn)).toBe(2);
    expect(connect.virNodeGetInfo(conn)).toEqual({ model: 'i686', memory: 3145728, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2 });
  });

  it('prints the domain XML byte for byte as virsh dumpxml does', () => {
    const transcript = readFileSync(join(REFERENCE, 'virsh/03-dumpxml.txt'), 'utf8');
    const expected = transcript.split('--- stdout ---\n')[1]!.split('\n--- stderr ---')[0]!.replace(/\n\n$/, '\n');
    expect(domain.virDomainGetXMLDesc(lookup('test'), 0)).toBe(expected);
  });

  it('shares state between the connections of a process until the last closes', () => {
    const other = open();
    domain.virDomainSuspend(lookup('test'));
    expect(state(domain.virDomainLookupByName(other, 'test') as VirDomain).state).toBe(3);
    connect.virConnectClose(other);
    expect(connect.virConnectClose(conn)).toBeGreaterThan(0); // the handles above still hold it
  });

  it('resets when the last connection closes', () => {
    const first = open();
    const dom = domain.virDomainLookupByName(first, 'test') as VirDomain;
    domain.virDomainDestroy(dom);
    domain.virDomainFree(dom);
    connect.virConnectClose(first);
    connect.virConnectClose(conn); // was the last
    conn = open();
    expect(state(lookup('test')).state).toBe(1);
  });
});

describe('errors, as errors.txt records them', () => {
  it('lookups', () => {
    expectError(() => lookup('nosuch'), ErrorNumber.VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, 'Domain not found');
    expectError(() => domain.virDomainLookupByID(conn, 99), ErrorNumber.VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, 'Domain not found');
    expectError(
      () => domain.virDomainLookupByUUIDString(conn, '00000000-0000-0000-0000-000000000000'),
      ErrorNumber.VIR_ERR_NO_DOMAIN,
      VIR_FROM_TEST,
      'Domain not found',
    );
    expectError(() => domain.virDomainLookupByUUIDString(conn, 'zzz'), ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, 'Invalid UUID');
    expectError(() => domain.virDomainLookupByID(conn, -1), ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, 'id in virDomainLookupByID must be zero or greater');
  });

  it('state changes in the wrong state', async () => {
    const dom = lookup('test');
    expectError(() => domain.virDomainResume(dom), ErrorNumber.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, "internal error: domain 'test' not paused");
    await expectRejection(domain.virDomainCreate(dom), ErrorNumber.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, "internal error: Domain 'test' is already running");
    domain.virDomainDestroy(dom);
    await expectRejection(domain.virDomainSave(dom, join(dir, 'x')), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: domain is not running');
    expectError(() => domain.virDomainSuspend(dom), ErrorNumber.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, "internal error: domain 'test' not running");
    expectError(() => domain.virDomainDestroy(dom), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: domain is not running');
    await expectRejection(domain.virDomainCoreDump(dom, join(dir, 'c'), 0), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: domain is not running');
    expectError(() => domain.virDomainShutdown(dom), ErrorNumber.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, "internal error: domain 'test' not running");
    expectError(() => domain.virDomainReboot(dom, 0), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: domain is not running');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('XML', () => {
    expectError(
      () => domain.virDomainDefineXML(conn, "<domain type='test'><name>b</name><memory>1024</domain>"),
      ErrorNumber.VIR_ERR_XML_DETAIL,
      VIR_FROM_DOMAIN,
      "(domain_definition):1: Opening and ending tag mismatch: memory line 1 and domain\n<domain type='test'><name>b</name><memory>1024</domain>\n-------------------------------------------------------^",
    );
    expectError(() => domain.virDomainDefineXML(conn, "<domain type='test'><memory>1</memory></domain>"), ErrorNumber.VIR_ERR_NO_NAME, VIR_FROM_DOMAIN, 'missing name information');
  });

  it('duplicates', async () => {
    const xml = "<domain type='test'><name>test</name><memory>1024</memory><os><type>hvm</type></os></domain>";
    await expectRejection(
      domain.virDomainCreateXML(conn, xml, 0),
      ErrorNumber.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_DOMAIN,
      "operation failed: domain 'test' already exists with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f",
    );
  });

  it('restore of a missing file or a file that is not a save image', async () => {
    await expectRejection(
      domain.virDomainRestore(conn, join(dir, 'nonexistent.save')),
      ErrorNumber.VIR_ERR_SYSTEM_ERROR,
      VIR_FROM_TEST,
      `cannot read domain image '${join(dir, 'nonexistent.save')}': No such file or directory`,
    );
    await expectRejection(
      domain.virDomainRestore(conn, join(REFERENCE, 'xml/vm1.xml')),
      ErrorNumber.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_TEST,
      'internal error: mismatched header magic',
    );
  });

  it('unsupported flags name the test driver function, as libvirt does', async () => {
    await expectRejection(
      domain.virDomainSaveFlags(lookup('test'), join(dir, 'x'), null, 4),
      ErrorNumber.VIR_ERR_INVALID_ARG,
      VIR_FROM_TEST,
      'unsupported flags (0x4) in function testDomainSaveFlags',
    );
    await expectRejection(
      domain.virDomainCoreDump(lookup('test'), join(dir, 'x'), 16),
      ErrorNumber.VIR_ERR_INVALID_ARG,
      VIR_FROM_TEST,
      'unsupported flags (0x10) in function testDomainCoreDumpWithFormat',
    );
  });
});

describe('save images interchange with real libvirt', () => {
  it('restores the file real libvirt saved, running with reason restored', async () => {
    const dom = lookup('test');
    await domain.virDomainSave(dom, join(dir, 'ours.save'));
    expect(state(dom)).toEqual({ state: SHUTOFF, reason: Off.VIR_DOMAIN_SHUTOFF_SAVED });
    const theirs = join(dir, 'libvirt.save');
    copyFileSync(join(REFERENCE, 'files/test-domain.save'), theirs);
    expect(await domain.virDomainRestore(conn, theirs)).toBe(0);
    const restored = lookup('test');
    expect(restored.id).toBe(2);
    expect(state(restored)).toEqual({ state: RUNNING, reason: Run.VIR_DOMAIN_RUNNING_RESTORED });
  });

  it('writes the file real libvirt writes, byte for byte', async () => {
    await domain.virDomainSave(lookup('test'), join(dir, 'ours.save'));
    expect(readFileSync(join(dir, 'ours.save'))).toEqual(readFileSync(join(REFERENCE, 'files/test-domain.save')));
  });

  it('core dump writes the magic alone, and --crash leaves the domain crashed', async () => {
    await domain.virDomainCoreDump(lookup('test'), join(dir, 'core'), 0);
    expect(readFileSync(join(dir, 'core'))).toEqual(readFileSync(join(REFERENCE, 'files/test-domain.core')));
    expect(state(lookup('test')).state).toBe(1);
    await domain.virDomainCoreDump(lookup('test'), join(dir, 'core'), 1);
    expect(state(lookup('test'))).toEqual({ state: SHUTOFF, reason: Off.VIR_DOMAIN_SHUTOFF_CRASHED });
  });
});

describe('lifecycle with libvirt reasons and ids', () => {
  it('follows transcript 17 and 18', async () => {
    const dom = lookup('test');
    domain.virDomainSuspend(dom);
    expect(state(dom)).toEqual({ state: PAUSED, reason: virDomainPausedReason.VIR_DOMAIN_PAUSED_USER });
    domain.virDomainResume(dom);
    expect(state(dom)).toEqual({ state: RUNNING, reason: Run.VIR_DOMAIN_RUNNING_UNPAUSED });
    domain.virDomainDestroy(dom);
    expect(state(dom)).toEqual({ state: SHUTOFF, reason: Off.VIR_DOMAIN_SHUTOFF_DESTROYED });
    await domain.virDomainCreate(dom);
    expect(lookup('test').id).toBe(2);
    domain.virDomainShutdown(dom);
    expect(state(dom)).toEqual({ state: SHUTOFF, reason: Off.VIR_DOMAIN_SHUTOFF_SHUTDOWN });
    await domain.virDomainCreate(dom);
    domain.virDomainReboot(dom, 0);
    expect(state(dom)).toEqual({ state: RUNNING, reason: Run.VIR_DOMAIN_RUNNING_BOOTED });
    domain.virDomainUndefine(dom); // running: becomes transient
    expect(domain.virDomainIsPersistent(dom)).toBe(false);
    domain.virDomainDestroy(dom); // transient and stopped: gone
    expectError(() => lookup('test'), ErrorNumber.VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, 'Domain not found');
  });

  it('defines, starts and creates with increasing ids', async () => {
    const vm1 = domain.virDomainDefineXML(conn, readFileSync(join(REFERENCE, 'xml/vm1.xml'), 'utf8')) as VirDomain;
    expect(vm1.id).toBe(-1);
    await domain.virDomainCreate(vm1);
    expect(lookup('vm1').id).toBe(2);
    const vm2 = await domain.virDomainCreateXML(conn, readFileSync(join(REFERENCE, 'xml/vm2.xml'), 'utf8'), 0);
    expect(vm2.id).toBe(3);
    expect(domain.virDomainIsPersistent(vm2)).toBe(false);
    expect(domain.virConnectNumOfDomains(conn)).toBe(3);
  });
});

describe('jobs on the test driver', () => {
  it('save reports progress at the simulated rate and a cancel leaves no file', async () => {
    const slow = open('test:///default?rate=256M');
    const dom = domain.virDomainLookupByName(slow, 'test') as VirDomain;
    const target = join(dir, 'slow.save');
    const job = domain.virDomainSaveJob(dom, target, 0) as import('../../src/ts/jobs/job.js').VirJob;
    const seen: number[] = [];
    job.subscribe(() => seen.push(job.getInfo().percentComplete));
    await new Promise((r) => setTimeout(r, 300));
    const info = (await domain.virDomainGetJobInfo(dom)) as { type: number; dataTotal: number; dataProcessed: number };
    expect(info.type).toBe(1); // VIR_DOMAIN_JOB_BOUNDED
    expect(info.dataTotal).toBe(2 * 1024 ** 3);
    expect(info.dataProcessed).toBeGreaterThan(0);
    expectError(() => domain.virDomainDestroy(dom), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, "Requested operation is not valid: domain 'test' has an active save job");
    domain.virDomainAbortJob(dom);
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.error!.message).toBe('operation aborted: domain save job: canceled by client');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(state(dom).state).toBe(1); // still running: the save never happened
    expect(seen.length).toBeGreaterThan(2);
    expect(Math.max(...seen)).toBeLessThan(100);
    expect(domain.virDomainGetJobInfo(dom)).toMatchObject({ type: 0 });
    expectError(() => domain.virDomainAbortJob(dom), ErrorNumber.VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: no job is active on the domain');
    jobs.virJobFree(job);
    domain.virDomainFree(dom);
    connect.virConnectClose(slow);
  });

  it('a create job hands back the new domain through the job', async () => {
    const job = domain.virDomainCreateXMLJob(conn, readFileSync(join(REFERENCE, 'xml/vm2.xml'), 'utf8'), 0) as import('../../src/ts/jobs/job.js').VirJob;
    expect(jobs.virJobGetDomain(job)).toBeNull(); // not yet
    expect(await jobs.virJobWait(job)).toBe(JobState.COMPLETED);
    const created = jobs.virJobGetDomain(job)!;
    expect(created.name).toBe('vm2');
    expect(jobs.virJobGetOperation(job)).toBe('start');
    jobs.virJobFree(job);
    expect(domain.virDomainGetName(created)).toBe('vm2');
    domain.virDomainFree(created);
  });

  it('a freed job handle is rejected, not dereferenced', async () => {
    const job = domain.virDomainSaveJob(lookup('test'), join(dir, 'x.save'), 0) as import('../../src/ts/jobs/job.js').VirJob;
    await jobs.virJobWait(job);
    jobs.virJobFree(job);
    expectError(() => jobs.virJobGetInfo(job), ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, 'invalid job pointer in virJobGetInfo');
    expectError(() => jobs.virJobFree(job), ErrorNumber.VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, 'invalid job pointer in virJobFree');
  });
});

describe('handles', () => {
  it('a freed or foreign domain handle gives VIR_ERR_INVALID_DOMAIN', () => {
    const dom = lookup('test');
    domain.virDomainFree(dom);
    expectError(() => domain.virDomainGetName(dom), ErrorNumber.VIR_ERR_INVALID_DOMAIN, ErrorDomain.VIR_FROM_DOM, 'invalid domain pointer in virDomainGetName');
    expectError(() => domain.virDomainGetName({} as VirDomain), ErrorNumber.VIR_ERR_INVALID_DOMAIN, ErrorDomain.VIR_FROM_DOM, 'invalid domain pointer in virDomainGetName');
    expectError(() => domain.virDomainGetName(null as unknown as VirDomain), ErrorNumber.VIR_ERR_INVALID_DOMAIN, ErrorDomain.VIR_FROM_DOM, 'invalid domain pointer in virDomainGetName');
  });

  it('a read-only connection refuses changes as libvirt does', () => {
    const ro = open('test:///default', true);
    const dom = domain.virDomainLookupByName(ro, 'test') as VirDomain;
    expectError(() => domain.virDomainDestroy(dom), ErrorNumber.VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN, 'operation forbidden: read only access prevents virDomainDestroy');
    domain.virDomainFree(dom);
    connect.virConnectClose(ro);
  });

  it('each lookup is a new reference; the connection lives while handles do', () => {
    const other = open();
    const a = domain.virDomainLookupByName(other, 'test') as VirDomain;
    const b = domain.virDomainLookupByName(other, 'test') as VirDomain;
    expect(a).not.toBe(b);
    expect(connect.virConnectClose(other)).toBe(1); // libvirt 9.0 answers 1, not the count, while references remain
    expect(other.refs).toBe(2);
    domain.virDomainFree(a);
    domain.virDomainRef(b);
    domain.virDomainFree(b);
    expect(other.refs).toBe(1);
    domain.virDomainFree(b);
    expect(other.alive).toBe(false);
  });
});
