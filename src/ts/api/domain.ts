import { parseUUID } from '../conf/uuid.js';
import { VirDomain, type DomainRef, type VirConnect } from '../core/handles.js';
import type { DomainInfo, DomainJobInfo, MaybePromise, SecurityLabel } from '../drivers/driver.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../errors/index.js';
import { JobType, type VirJob } from '../jobs/job.js';
import { checkConnect, checkDomain, checkNonNegative, checkNonNull, checkReadWrite, checkString, checkUInt, slot, mapResult } from './check.js';
import { checkFlags } from '../core/flags.js';
import { virDomainCoreDumpFormat, virDomainJobOperation, virDomainJobType } from '../core/enums.generated.js';
import { jobStarter, runToEnd, splitJobFlags } from './jobs.js';
import type { JobStartOptions } from '../drivers/driver.js';
import { absolutePath } from './paths.js';

/**
 * Domain entry points: validate, dispatch to the connection's hypervisor driver, hand back libvirt-shaped
 * results. They throw VirError; the C-style and idiomatic APIs decide how the caller sees it.
 */
const FROM = ErrorDomain.VIR_FROM_DOMAIN;

function hv(conn: VirConnect) {
  return conn.drivers.hypervisor;
}

const wrap = (conn: VirConnect) => (ref: DomainRef) => new VirDomain(conn, ref);

export function virConnectListAllDomains(conn: VirConnect, flags: number): MaybePromise<VirDomain[]> {
  checkConnect(conn, 'virConnectListAllDomains');
  checkUInt(flags, 'flags', 'virConnectListAllDomains');
  return mapResult(slot(hv(conn), 'connectListAllDomains', 'virConnectListAllDomains')(conn, flags), (refs) => refs.map(wrap(conn)));
}

export function virConnectNumOfDomains(conn: VirConnect) {
  checkConnect(conn, 'virConnectNumOfDomains');
  return slot(hv(conn), 'connectNumOfDomains', 'virConnectNumOfDomains')(conn);
}

export function virConnectListDomains(conn: VirConnect, maxids: number) {
  checkConnect(conn, 'virConnectListDomains');
  checkNonNegative(maxids, 'maxids', 'virConnectListDomains', FROM);
  return mapResult(slot(hv(conn), 'connectListDomains', 'virConnectListDomains')(conn), (ids) => ids.slice(0, maxids));
}

export function virConnectNumOfDefinedDomains(conn: VirConnect) {
  checkConnect(conn, 'virConnectNumOfDefinedDomains');
  return slot(hv(conn), 'connectNumOfDefinedDomains', 'virConnectNumOfDefinedDomains')(conn);
}

export function virConnectListDefinedDomains(conn: VirConnect, maxnames: number) {
  checkConnect(conn, 'virConnectListDefinedDomains');
  checkNonNegative(maxnames, 'maxnames', 'virConnectListDefinedDomains', FROM);
  return mapResult(slot(hv(conn), 'connectListDefinedDomains', 'virConnectListDefinedDomains')(conn), (names) =>
    names.slice(0, maxnames),
  );
}

export function virDomainLookupByName(conn: VirConnect, name: string): MaybePromise<VirDomain> {
  checkConnect(conn, 'virDomainLookupByName');
  checkString(name, 'name', 'virDomainLookupByName');
  return mapResult(slot(hv(conn), 'domainLookupByName', 'virDomainLookupByName')(conn, name), wrap(conn));
}

export function virDomainLookupByID(conn: VirConnect, id: number): MaybePromise<VirDomain> {
  checkConnect(conn, 'virDomainLookupByID');
  if (!Number.isInteger(id) || id < 0)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, 'id in virDomainLookupByID must be zero or greater');
  return mapResult(slot(hv(conn), 'domainLookupByID', 'virDomainLookupByID')(conn, id), wrap(conn));
}

/** libvirt's UUID spellings, as the canonical lower-case dashed form; virDomainLookupByUUIDString's error. */
function canonicalUuid(uuid: string): string {
  const canonical = typeof uuid === 'string' ? parseUUID(uuid) : null;
  if (!canonical) throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, 'Invalid UUID');
  return canonical;
}

export function virDomainLookupByUUIDString(conn: VirConnect, uuid: string): MaybePromise<VirDomain> {
  checkConnect(conn, 'virDomainLookupByUUIDString');
  checkNonNull(uuid, 'uuidstr', 'virDomainLookupByUUIDString');
  const canonical = canonicalUuid(uuid);
  return mapResult(slot(hv(conn), 'domainLookupByUUID', 'virDomainLookupByUUIDString')(conn, canonical), wrap(conn));
}

export function virDomainGetConnect(dom: VirDomain): VirConnect {
  checkDomain(dom, 'virDomainGetConnect');
  return dom.conn;
}

export function virDomainGetName(dom: VirDomain): string {
  checkDomain(dom, 'virDomainGetName');
  return dom.name;
}

export function virDomainGetUUIDString(dom: VirDomain): string {
  checkDomain(dom, 'virDomainGetUUIDString');
  return dom.uuid;
}

/** The live id, or -1 (libvirt's (unsigned)-1) when the domain is not running. */
export function virDomainGetID(dom: VirDomain): number {
  checkDomain(dom, 'virDomainGetID');
  return dom.id;
}

export function virDomainGetInfo(dom: VirDomain): MaybePromise<DomainInfo> {
  checkDomain(dom, 'virDomainGetInfo');
  return slot(hv(dom.conn), 'domainGetInfo', 'virDomainGetInfo')(dom);
}

export function virDomainGetState(dom: VirDomain, flags: number) {
  checkDomain(dom, 'virDomainGetState');
  checkUInt(flags, 'flags', 'virDomainGetState');
  return slot(hv(dom.conn), 'domainGetState', 'virDomainGetState')(dom, flags);
}

export function virDomainGetXMLDesc(dom: VirDomain, flags: number) {
  checkDomain(dom, 'virDomainGetXMLDesc');
  checkUInt(flags, 'flags', 'virDomainGetXMLDesc');
  return slot(hv(dom.conn), 'domainGetXMLDesc', 'virDomainGetXMLDesc')(dom, flags);
}

export function virDomainGetOSType(dom: VirDomain) {
  checkDomain(dom, 'virDomainGetOSType');
  return slot(hv(dom.conn), 'domainGetOSType', 'virDomainGetOSType')(dom);
}

export function virDomainGetMaxMemory(dom: VirDomain) {
  checkDomain(dom, 'virDomainGetMaxMemory');
  return slot(hv(dom.conn), 'domainGetMaxMemory', 'virDomainGetMaxMemory')(dom);
}

export function virDomainGetAutostart(dom: VirDomain) {
  checkDomain(dom, 'virDomainGetAutostart');
  return slot(hv(dom.conn), 'domainGetAutostart', 'virDomainGetAutostart')(dom);
}

export function virDomainIsActive(dom: VirDomain) {
  checkDomain(dom, 'virDomainIsActive');
  return slot(hv(dom.conn), 'domainIsActive', 'virDomainIsActive')(dom);
}

export function virDomainIsPersistent(dom: VirDomain) {
  checkDomain(dom, 'virDomainIsPersistent');
  return slot(hv(dom.conn), 'domainIsPersistent', 'virDomainIsPersistent')(dom);
}

export function virDomainHasManagedSaveImage(dom: VirDomain, flags: number) {
  checkDomain(dom, 'virDomainHasManagedSaveImage');
  checkUInt(flags, 'flags', 'virDomainHasManagedSaveImage');
  return slot(hv(dom.conn), 'domainHasManagedSaveImage', 'virDomainHasManagedSaveImage')(dom, flags);
}

export function virDomainGetSecurityLabel(dom: VirDomain): MaybePromise<SecurityLabel> {
  checkDomain(dom, 'virDomainGetSecurityLabel');
  return slot(hv(dom.conn), 'domainGetSecurityLabel', 'virDomainGetSecurityLabel')(dom);
}

export function virDomainDefineXMLFlags(conn: VirConnect, xml: string, flags: number): MaybePromise<VirDomain> {
  checkConnect(conn, 'virDomainDefineXMLFlags');
  checkReadWrite(conn, 'virDomainDefineXMLFlags');
  checkString(xml, 'xml', 'virDomainDefineXMLFlags');
  checkUInt(flags, 'flags', 'virDomainDefineXMLFlags');
  return mapResult(slot(hv(conn), 'domainDefineXML', 'virDomainDefineXMLFlags')(conn, xml, flags), wrap(conn));
}

export function virDomainDefineXML(conn: VirConnect, xml: string): MaybePromise<VirDomain> {
  checkConnect(conn, 'virDomainDefineXML');
  checkReadWrite(conn, 'virDomainDefineXML');
  checkString(xml, 'xml', 'virDomainDefineXML');
  return mapResult(slot(hv(conn), 'domainDefineXML', 'virDomainDefineXML')(conn, xml, 0), wrap(conn));
}

/** The simple state changes share one shape: check the handle and write access, then dispatch. */
function lifecycle(
  fn: string,
  key: 'domainUndefine' | 'domainDestroy' | 'domainShutdown' | 'domainReboot',
  dom: VirDomain,
  flags: number,
): MaybePromise<number> {
  checkDomain(dom, fn);
  checkReadWrite(dom.conn, fn);
  checkUInt(flags, 'flags', fn);
  return mapResult(slot(hv(dom.conn), key, fn)(dom, flags), () => 0);
}

export const virDomainUndefine = (dom: VirDomain) => lifecycle('virDomainUndefine', 'domainUndefine', dom, 0);
export const virDomainUndefineFlags = (dom: VirDomain, flags: number) =>
  lifecycle('virDomainUndefineFlags', 'domainUndefine', dom, flags);
export const virDomainDestroy = (dom: VirDomain) => lifecycle('virDomainDestroy', 'domainDestroy', dom, 0);
export const virDomainDestroyFlags = (dom: VirDomain, flags: number) =>
  lifecycle('virDomainDestroyFlags', 'domainDestroy', dom, flags);
export const virDomainShutdown = (dom: VirDomain) => lifecycle('virDomainShutdown', 'domainShutdown', dom, 0);
export const virDomainShutdownFlags = (dom: VirDomain, flags: number) =>
  lifecycle('virDomainShutdownFlags', 'domainShutdown', dom, flags);
export const virDomainReboot = (dom: VirDomain, flags: number) => lifecycle('virDomainReboot', 'domainReboot', dom, flags);

export function virDomainSuspend(dom: VirDomain): MaybePromise<number> {
  checkDomain(dom, 'virDomainSuspend');
  checkReadWrite(dom.conn, 'virDomainSuspend');
  return mapResult(slot(hv(dom.conn), 'domainSuspend', 'virDomainSuspend')(dom), () => 0);
}

export function virDomainResume(dom: VirDomain): MaybePromise<number> {
  checkDomain(dom, 'virDomainResume');
  checkReadWrite(dom.conn, 'virDomainResume');
  return mapResult(slot(hv(dom.conn), 'domainResume', 'virDomainResume')(dom), () => 0);
}

// ---- Jobs and their blocking twins ----

function createJob(fn: string, dom: VirDomain, flags: number, options?: JobStartOptions): MaybePromise<VirJob<void>> {
  checkDomain(dom, fn);
  checkReadWrite(dom.conn, fn);
  checkUInt(flags, 'flags', fn);
  return slot(hv(dom.conn), 'domainCreate', fn)(dom, flags, jobStarter(dom.conn, undefined, options));
}

export const virDomainCreateJob = (dom: VirDomain, flags: number) => {
  const split = splitJobFlags(flags);
  return createJob('virDomainCreateJob', dom, split.flags, split.options);
};

export function virDomainCreateWithFlags(dom: VirDomain, flags: number): Promise<number> {
  return runToEnd(() => createJob('virDomainCreateWithFlags', dom, flags), () => 0);
}

export function virDomainCreate(dom: VirDomain): Promise<number> {
  return runToEnd(() => createJob('virDomainCreate', dom, 0), () => 0);
}

export function virDomainCreateXMLJob(conn: VirConnect, xml: string, flags: number): MaybePromise<VirJob<DomainRef>> {
  const split = splitJobFlags(flags);
  return createXMLJob('virDomainCreateXMLJob', conn, xml, split.flags, split.options);
}

/** The job variant of libvirt's oldest name for virDomainCreateXML. */
export function virDomainCreateLinuxJob(conn: VirConnect, xml: string, flags: number): MaybePromise<VirJob<DomainRef>> {
  const split = splitJobFlags(flags);
  return createXMLJob('virDomainCreateLinuxJob', conn, xml, split.flags, split.options);
}

function createXMLJob(fn: string, conn: VirConnect, xml: string, flags: number, options?: JobStartOptions): MaybePromise<VirJob<DomainRef>> {
  checkConnect(conn, fn);
  checkReadWrite(conn, fn);
  checkString(xml, 'xmlDesc', fn);
  checkUInt(flags, 'flags', fn);
  return slot(hv(conn), 'domainCreateXML', fn)(conn, xml, flags, jobStarter(conn, 'domain', options));
}

export function virDomainCreateXML(conn: VirConnect, xml: string, flags: number): Promise<VirDomain> {
  return runToEnd(() => createXMLJob('virDomainCreateXML', conn, xml, flags), (job) => job.domain!.ref());
}

export function virDomainCreateLinux(conn: VirConnect, xml: string, flags: number): Promise<VirDomain> {
  return runToEnd(() => createXMLJob('virDomainCreateLinux', conn, xml, flags), (job) => job.domain!.ref());
}

function saveJob(fn: string, dom: VirDomain, to: string, dxml: string | null, flags: number, options?: JobStartOptions) {
  checkDomain(dom, fn);
  checkReadWrite(dom.conn, fn);
  checkString(to, 'to', fn);
  checkUInt(flags, 'flags', fn);
  return slot(hv(dom.conn), 'domainSave', fn)(dom, absolutePath(to), dxml, flags, jobStarter(dom.conn, undefined, options));
}

export const virDomainSaveJob = (dom: VirDomain, to: string, flags: number) => {
  const split = splitJobFlags(flags);
  return saveJob('virDomainSaveJob', dom, to, null, split.flags, split.options);
};
export const virDomainSave = (dom: VirDomain, to: string) => runToEnd(() => saveJob('virDomainSave', dom, to, null, 0), () => 0);
export const virDomainSaveFlags = (dom: VirDomain, to: string, dxml: string | null, flags: number) =>
  runToEnd(() => saveJob('virDomainSaveFlags', dom, to, dxml, flags), () => 0);

function restoreJob(fn: string, conn: VirConnect, from: string, dxml: string | null, flags: number, options?: JobStartOptions) {
  checkConnect(conn, fn);
  checkReadWrite(conn, fn);
  checkString(from, 'from', fn);
  checkUInt(flags, 'flags', fn);
  return slot(hv(conn), 'domainRestore', fn)(conn, absolutePath(from), dxml, flags, jobStarter(conn, 'domain', options));
}

export const virDomainRestoreJob = (conn: VirConnect, from: string, flags: number) => {
  const split = splitJobFlags(flags);
  return restoreJob('virDomainRestoreJob', conn, from, null, split.flags, split.options);
};
export const virDomainRestore = (conn: VirConnect, from: string) =>
  runToEnd(() => restoreJob('virDomainRestore', conn, from, null, 0), () => 0);
export const virDomainRestoreFlags = (conn: VirConnect, from: string, dxml: string | null, flags: number) =>
  runToEnd(() => restoreJob('virDomainRestoreFlags', conn, from, dxml, flags), () => 0);

/** How many virDomainCoreDumpFormat values there are (libvirt's _LAST). */
const CORE_DUMP_FORMATS = Object.keys(virDomainCoreDumpFormat).length;

function coreDumpJob(fn: string, dom: VirDomain, to: string, format: number, dumpflags: number, options?: JobStartOptions) {
  if (!Number.isInteger(format) || format < 0 || format >= CORE_DUMP_FORMATS)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `dumpformat '${format}' is not supported`);
  checkDomain(dom, fn);
  checkReadWrite(dom.conn, fn);
  checkString(to, 'to', fn);
  checkUInt(dumpflags, 'flags', fn);
  return slot(hv(dom.conn), 'domainCoreDump', fn)(dom, absolutePath(to), format, dumpflags, jobStarter(dom.conn, undefined, options));
}

/** `dumpflags` are virDomainCoreDumpFlags as for virDomainCoreDump; `flags` is reserved and must be 0. */
export function virDomainCoreDumpJob(dom: VirDomain, to: string, dumpflags: number, flags: number) {
  checkUInt(flags, 'flags', 'virDomainCoreDumpJob');
  const split = splitJobFlags(flags);
  checkFlags(split.flags, 0, 'virDomainCoreDumpJob', FROM);
  return coreDumpJob('virDomainCoreDumpJob', dom, to, 0, dumpflags, split.options);
}
export const virDomainCoreDump = (dom: VirDomain, to: string, flags: number) =>
  runToEnd(() => coreDumpJob('virDomainCoreDump', dom, to, 0, flags), () => 0);
export const virDomainCoreDumpWithFormat = (dom: VirDomain, to: string, format: number, flags: number) =>
  runToEnd(() => coreDumpJob('virDomainCoreDumpWithFormat', dom, to, format, flags), () => 0);

// ---- libvirt's per-domain job view, so virsh-style tools see tsvirt jobs ----

const NO_JOB: DomainJobInfo = {
  type: virDomainJobType.VIR_DOMAIN_JOB_NONE,
  operation: 0,
  timeElapsed: 0,
  timeRemaining: 0,
  dataTotal: 0,
  dataProcessed: 0,
  dataRemaining: 0,
  memTotal: 0,
  memProcessed: 0,
  memRemaining: 0,
  fileTotal: 0,
  fileProcessed: 0,
  fileRemaining: 0,
};

/** virDomainJobOperation for each tsvirt domain job. */
const OPERATIONS: Record<string, number> = {
  start: virDomainJobOperation.VIR_DOMAIN_JOB_OPERATION_START,
  save: virDomainJobOperation.VIR_DOMAIN_JOB_OPERATION_SAVE,
  restore: virDomainJobOperation.VIR_DOMAIN_JOB_OPERATION_RESTORE,
  dump: virDomainJobOperation.VIR_DOMAIN_JOB_OPERATION_DUMP,
};

export function virDomainGetJobInfo(dom: VirDomain): MaybePromise<DomainJobInfo> {
  checkDomain(dom, 'virDomainGetJobInfo');
  const driver = hv(dom.conn);
  if (driver.domainGetJobInfo) return driver.domainGetJobInfo(dom);
  return mapResult(slot(hv(dom.conn), 'domainGetJob', 'virDomainGetJobInfo')(dom), (job) => {
    if (!job || !job.running) return { ...NO_JOB };
    const info = job.getInfo();
    const bounded = info.type === JobType.BOUNDED;
    // To libvirt's clients no data remaining means the job is over (virsh then prints "[100 %]"). A job whose
    // data are all written is still running while it commits its result (a save's fsync and rename), so it
    // shows its last byte as remaining until it completes: percent stays below 100 until success.
    const processed = bounded && info.dataTotal > 0 ? Math.min(info.dataProcessed, info.dataTotal - 1) : info.dataProcessed;
    const remaining = bounded && info.dataTotal > 0 ? info.dataTotal - processed : info.dataRemaining;
    return {
      ...NO_JOB,
      type: bounded ? virDomainJobType.VIR_DOMAIN_JOB_BOUNDED : virDomainJobType.VIR_DOMAIN_JOB_UNBOUNDED,
      operation: OPERATIONS[job.operation] ?? 0,
      timeElapsed: info.timeElapsed,
      timeRemaining: info.timeRemaining,
      dataTotal: info.dataTotal,
      dataProcessed: processed,
      dataRemaining: remaining,
      memTotal: info.dataTotal,
      memProcessed: processed,
      memRemaining: remaining,
    };
  });
}

export function virDomainAbortJob(dom: VirDomain): MaybePromise<number> {
  checkDomain(dom, 'virDomainAbortJob');
  checkReadWrite(dom.conn, 'virDomainAbortJob');
  const driver = hv(dom.conn);
  if (driver.domainAbortJob) return mapResult(driver.domainAbortJob(dom), () => 0);
  return mapResult(slot(hv(dom.conn), 'domainGetJob', 'virDomainAbortJob')(dom), (job) => {
    if (!job || !job.running) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'no job is active on the domain');
    job.cancel();
    return 0;
  });
}

export function virDomainRef(dom: VirDomain): number {
  checkDomain(dom, 'virDomainRef');
  dom.ref();
  return 0;
}

export function virDomainFree(dom: VirDomain): number {
  checkDomain(dom, 'virDomainFree');
  dom.unref();
  return 0;
}

/**
 * The job of a blocking call, started under that call's name: errors found before the job starts name it
 * (`read only access prevents virDomainSave`), as they do when the blocking call itself is made. tsvirt's
 * idiomatic methods stand for libvirt's blocking calls, so they start their jobs this way.
 */
export const startJobAs = { create: createJob, createXML: createXMLJob, save: saveJob, restore: restoreJob, coreDump: coreDumpJob };
