import { hostname } from 'node:os';
import { copyDomainDef, formatDomainXML, parseDomainXML, type DomainDef } from '../../conf/domain.js';
import type { DomainRef, VirConnect, VirDomain } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { JobType, type JobControl, type VirJob } from '../../jobs/job.js';
import { simulateTransfer } from '../../jobs/simulated-transfer.js';
import { checkFlags } from '../../core/flags.js';
import {
  virConnectListAllDomainsFlags as ListFlags,
  virDomainCoreDumpFlags,
  virDomainDestroyFlagsValues,
  virDomainEventDefinedDetailType as Defined,
  virDomainEventResumedDetailType as Resumed,
  virDomainEventStartedDetailType as Started,
  virDomainEventStoppedDetailType as Stopped,
  virDomainEventSuspendedDetailType as Suspended,
  virDomainEventType,
  virDomainEventUndefinedDetailType as Undefined,
  virDomainCoreDumpFormat,
  virDomainPausedReason,
  virDomainRunningReason,
  virDomainShutoffReason,
  virDomainState,
  virDomainXMLFlags,
} from '../../core/enums.generated.js';
import type { DomainChangeFeed, DomainInfo, HypervisorDriver, JobStarter, NodeInfo, SecurityLabel, SecurityModel } from '../driver.js';
import { writeOutputFile, type FileFailures } from './output-file.js';
import { SAVE_MAGIC, encodeSaveImage, readSaveImage } from './save-image.js';
import type { TestDomain, TestState } from './state.js';
import type { DomainEventOptions, DomainLifecycleCallback } from '../domain-events.js';

const { VIR_DOMAIN_RUNNING, VIR_DOMAIN_PAUSED, VIR_DOMAIN_SHUTOFF } = virDomainState;
const { VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STOPPED } = virDomainEventType;
const FROM_TEST = ErrorDomain.VIR_FROM_TEST;
const FROM_DOMAIN = ErrorDomain.VIR_FROM_DOMAIN;

const internal = (message: string) => virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM_TEST, message);
const notRunning = () => virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_DOMAIN, 'domain is not running');

/**
 * The test driver's hypervisor table: libvirt 9.0's test driver semantics (states, reasons, ids, errors),
 * except that save, restore, core dump and start are real jobs that move the domain's memory at a
 * simulated rate, with progress and cancel.
 */
export class TestHypervisor implements HypervisorDriver {
  readonly name = 'Test';
  /** Every change below ends in state.domainChanged(); CPU time is the wall clock (see domainGetInfo). */
  readonly domainChanges: DomainChangeFeed;

  constructor(
    private readonly state: TestState,
    /** simulated bytes per second for jobs; 0 = instant */
    private readonly rate: number,
  ) {
    this.domainChanges = { watch: (listener) => state.domainChanges.watch(listener), cpuTime: 'wall-clock' };
  }

  connectGetType(): string {
    return 'TEST';
  }

  connectGetVersion(): number {
    return 2;
  }

  connectGetHostname(): string {
    return hostname();
  }

  connectGetMaxVcpus(): number {
    return 32;
  }

  nodeGetInfo(): NodeInfo {
    return { ...this.state.nodeInfo };
  }

  nodeGetSecurityModel(): SecurityModel {
    return { model: 'testSecurity', doi: '' };
  }

  // ---- lists and lookups ----

  connectListAllDomains(_conn: VirConnect, flags: number): DomainRef[] {
    checkFlags(flags, ALL_LIST_FLAGS, 'testConnectListAllDomains', FROM_TEST);
    return this.state.domains.filter((d) => matchesListFlags(d, flags)).map((d) => this.state.domainRef(d));
  }

  connectNumOfDomains(): number {
    return this.state.domains.filter(isActive).length;
  }

  connectListDomains(): number[] {
    return this.state.domains.filter(isActive).map((d) => d.id);
  }

  connectNumOfDefinedDomains(): number {
    return this.state.domains.filter((d) => !isActive(d)).length;
  }

  connectListDefinedDomains(): string[] {
    return this.state.domains.filter((d) => !isActive(d)).map((d) => d.def.name);
  }

  domainLookupByName(_conn: VirConnect, name: string): DomainRef {
    const found = this.state.domains.find((d) => d.def.name === name);
    if (!found) throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM_TEST);
    return this.state.domainRef(found);
  }

  domainLookupByID(_conn: VirConnect, id: number): DomainRef {
    const found = this.state.domains.find((d) => d.id === id && isActive(d));
    if (!found) throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM_TEST);
    return this.state.domainRef(found);
  }

  domainLookupByUUID(_conn: VirConnect, uuid: string): DomainRef {
    const found = this.state.domains.find((d) => d.def.uuid === uuid);
    if (!found) throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM_TEST);
    return this.state.domainRef(found);
  }

  // ---- queries ----

  domainGetInfo(dom: VirDomain): DomainInfo {
    const d = this.find(dom);
    return {
      state: d.state,
      maxMem: d.def.memory,
      memory: d.def.currentMemory,
      nrVirtCpu: d.def.vcpus,
      // The test driver reports wall-clock time as CPU time, so it always moves.
      cpuTime: BigInt(Date.now()) * 1_000_000n,
    };
  }

  domainGetState(dom: VirDomain, flags: number): { state: number; reason: number } {
    checkFlags(flags, 0, 'testDomainGetState', FROM_TEST);
    const d = this.find(dom);
    return { state: d.state, reason: d.reason };
  }

  domainGetXMLDesc(dom: VirDomain, flags: number): string {
    checkFlags(
      flags,
      virDomainXMLFlags.VIR_DOMAIN_XML_SECURE | virDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE | virDomainXMLFlags.VIR_DOMAIN_XML_MIGRATABLE,
      'testDomainGetXMLDesc',
      FROM_TEST,
    );
    const d = this.find(dom);
    if (!isActive(d)) return formatDomainXML(d.def);
    if (flags & virDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE) return formatDomainXML(d.persistentDef ?? d.def);
    return formatDomainXML(d.def, { id: d.id });
  }

  domainGetOSType(dom: VirDomain): string {
    this.find(dom);
    return 'linux';
  }

  domainGetMaxMemory(dom: VirDomain): number {
    return this.find(dom).def.memory;
  }

  domainGetAutostart(dom: VirDomain): boolean {
    this.find(dom);
    return false;
  }

  domainIsActive(dom: VirDomain): boolean {
    return isActive(this.find(dom));
  }

  domainIsPersistent(dom: VirDomain): boolean {
    return this.find(dom).persistent;
  }

  domainHasManagedSaveImage(dom: VirDomain, flags: number): boolean {
    checkFlags(flags, 0, 'testDomainHasManagedSaveImage', FROM_TEST);
    this.find(dom);
    return false;
  }

  domainGetSecurityLabel(dom: VirDomain): SecurityLabel {
    const d = this.find(dom);
    return isActive(d) ? { label: 'libvirt-test', enforcing: true } : { label: '', enforcing: false };
  }

  connectDomainEventRegisterAny(
    conn: VirConnect,
    dom: VirDomain | null,
    eventID: number,
    callback: DomainLifecycleCallback,
    options?: DomainEventOptions,
  ): number {
    return this.state.domainEvents.register(conn, dom?.uuid ?? null, eventID, callback, options);
  }

  connectDomainEventDeregisterAny(conn: VirConnect, callbackID: number): void {
    this.state.domainEvents.deregister(conn, callbackID);
  }

  domainGetJob(dom: VirDomain): VirJob | null {
    const { job } = this.find(dom);
    return job?.running ? job : null;
  }

  // ---- definitions and state changes ----

  domainDefineXML(_conn: VirConnect, xml: string, flags: number): DomainRef {
    checkFlags(flags, DEFINE_VALIDATE, 'testDomainDefineXMLFlags', FROM_TEST);
    const def = parseDomainXML(xml);
    const existing = this.checkUnique(def, false);
    if (existing) {
      this.requireNoJob(existing);
      // Redefining replaces the persistent configuration; a running domain keeps its live one until it stops.
      if (isActive(existing)) existing.persistentDef = def;
      else existing.def = def;
      existing.persistent = true;
      this.state.domainChanged(existing, { event: VIR_DOMAIN_EVENT_DEFINED, detail: Defined.VIR_DOMAIN_EVENT_DEFINED_UPDATED });
      return this.state.domainRef(existing);
    }
    const added: TestDomain = {
      def,
      persistentDef: null,
      persistent: true,
      state: VIR_DOMAIN_SHUTOFF,
      reason: virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_UNKNOWN,
      id: -1,
      job: null,
    };
    this.state.domains.push(added);
    this.state.domainChanged(added, { event: VIR_DOMAIN_EVENT_DEFINED, detail: Defined.VIR_DOMAIN_EVENT_DEFINED_ADDED });
    return this.state.domainRef(added);
  }

  domainUndefine(dom: VirDomain, flags: number): void {
    checkFlags(flags, UNDEFINE_FLAGS, 'testDomainUndefineFlags', FROM_TEST);
    const d = this.find(dom);
    this.requireNoJob(d);
    if (!d.persistent)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_DOMAIN, 'cannot undefine transient domain');
    const removed = { event: VIR_DOMAIN_EVENT_UNDEFINED, detail: Undefined.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED };
    // A running domain keeps its persistent configuration until it stops, as libvirt keeps newDef (stop()).
    if (isActive(d)) {
      d.persistent = false;
      this.state.domainChanged(d, removed);
    } else this.remove(d, removed);
  }

  domainDestroy(dom: VirDomain, flags: number): void {
    // A graceful destroy is the same thing for a guest that does not exist.
    checkFlags(flags, virDomainDestroyFlagsValues.VIR_DOMAIN_DESTROY_GRACEFUL, 'testDomainDestroyFlags', FROM_TEST);
    const d = this.find(dom);
    if (!isActive(d)) throw notRunning();
    this.requireNoJob(d);
    this.stop(d, virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_DESTROYED, Stopped.VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
  }

  domainSuspend(dom: VirDomain): void {
    const d = this.find(dom);
    this.requireNoJob(d);
    if (d.state !== VIR_DOMAIN_RUNNING) throw internal(`domain '${d.def.name}' not running`);
    this.setState(d, VIR_DOMAIN_PAUSED, virDomainPausedReason.VIR_DOMAIN_PAUSED_USER, {
      event: virDomainEventType.VIR_DOMAIN_EVENT_SUSPENDED,
      detail: Suspended.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
    });
  }

  domainResume(dom: VirDomain): void {
    const d = this.find(dom);
    this.requireNoJob(d);
    if (d.state !== VIR_DOMAIN_PAUSED) throw internal(`domain '${d.def.name}' not paused`);
    this.setState(d, VIR_DOMAIN_RUNNING, virDomainRunningReason.VIR_DOMAIN_RUNNING_UNPAUSED, {
      event: virDomainEventType.VIR_DOMAIN_EVENT_RESUMED,
      detail: Resumed.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
    });
  }

  domainShutdown(dom: VirDomain, flags: number): void {
    checkFlags(flags, 0, 'testDomainShutdownFlags', FROM_TEST);
    const d = this.find(dom);
    this.requireNoJob(d);
    if (d.state !== VIR_DOMAIN_RUNNING) throw internal(`domain '${d.def.name}' not running`);
    this.stop(d, virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_SHUTDOWN, Stopped.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
  }

  domainReboot(dom: VirDomain, flags: number): void {
    checkFlags(flags, REBOOT_FLAGS, 'testDomainReboot', FROM_TEST);
    const d = this.find(dom);
    if (!isActive(d)) throw notRunning();
    this.requireNoJob(d);
    // on_reboot is 'restart' for every domain the test driver accepts: the guest comes straight back, with
    // no lifecycle event (libvirt 9.0's test driver sends none).
    this.setState(d, VIR_DOMAIN_RUNNING, virDomainRunningReason.VIR_DOMAIN_RUNNING_BOOTED);
  }

  // ---- jobs ----

  domainCreate(dom: VirDomain, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, 0, 'testDomainCreateWithFlags', FROM_TEST);
    const d = this.find(dom);
    if (isActive(d)) throw internal(`Domain '${d.def.name}' is already running`);
    this.requireNoJob(d);
    return this.track(d, start({ ...this.spec('start', 'domain start', d), domain: dom }, (control) =>
      this.transfer(control, d).then(() => {
        control.commit();
        this.begin(d, virDomainRunningReason.VIR_DOMAIN_RUNNING_BOOTED, Started.VIR_DOMAIN_EVENT_STARTED_BOOTED);
      }),
    ));
  }

  domainCreateXML(_conn: VirConnect, xml: string, flags: number, start: JobStarter): VirJob<DomainRef> {
    checkFlags(flags, CREATE_XML_FLAGS, 'testDomainCreateXML', FROM_TEST);
    const def = parseDomainXML(xml);
    const existing = this.checkUnique(def, true);
    // A transient domain under construction is not listed until it runs.
    const pending: TestDomain = {
      def,
      persistentDef: null,
      persistent: existing?.persistent ?? false,
      state: VIR_DOMAIN_SHUTOFF,
      reason: virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_UNKNOWN,
      id: -1,
      job: null,
    };
    const target = existing ?? pending;
    if (existing) this.requireNoJob(existing);
    return this.track(target, start(this.spec('start', 'domain create', target), (control) =>
      this.transfer(control, target).then(() => {
        control.commit();
        if (!existing) {
          this.checkUnique(def, true);
          this.state.domains.push(pending);
        } else {
          existing.def = def;
        }
        this.begin(target, virDomainRunningReason.VIR_DOMAIN_RUNNING_BOOTED, Started.VIR_DOMAIN_EVENT_STARTED_BOOTED);
        return this.state.domainRef(target);
      }),
    ));
  }

  domainSave(dom: VirDomain, to: string, xml: string | null, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, 0, 'testDomainSaveFlags', FROM_TEST);
    if (xml) throw virError(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, 'xml modification unsupported');
    const d = this.find(dom);
    if (!isActive(d)) throw notRunning();
    this.requireNoJob(d);
    return this.track(d, start({ ...this.spec('save', 'domain save', d), domain: dom }, (control) =>
      // The domain cannot change while its job runs, so the image is built once the memory has moved.
      this.transfer(control, d).then(() =>
        this.publish(control, to, encodeSaveImage(formatDomainXML(d.def, { id: d.id })), saveFailures(d.def.name, to), () =>
          this.stop(d, virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_SAVED, Stopped.VIR_DOMAIN_EVENT_STOPPED_SAVED),
        ),
      ),
    ));
  }

  domainRestore(_conn: VirConnect, from: string, xml: string | null, flags: number, start: JobStarter): VirJob<DomainRef> {
    checkFlags(flags, 0, 'testDomainRestoreFlags', FROM_TEST);
    if (xml) throw virError(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, 'xml modification unsupported');
    // The image is read inside the job: a missing or damaged file is the job's failure, as a slow disk would be.
    return start(
      { operation: 'restore', label: 'domain restore', type: JobType.BOUNDED, errorDomain: FROM_TEST },
      async (control) => {
        const def = parseDomainXML(await readSaveImage(control, from));
        const bytes = def.currentMemory * 1024;
        control.progress(0, bytes);
        const existing = this.checkUnique(def, true);
        if (existing) this.requireNoJob(existing);
        await simulateTransfer(control, bytes, this.rate);
        control.commit();
        const target = this.checkUnique(def, true);
        if (target) {
          target.def = def;
          this.begin(target, virDomainRunningReason.VIR_DOMAIN_RUNNING_RESTORED, Started.VIR_DOMAIN_EVENT_STARTED_RESTORED);
          return this.state.domainRef(target);
        }
        const added: TestDomain = { def, persistentDef: null, persistent: false, state: VIR_DOMAIN_SHUTOFF, reason: 0, id: -1, job: null };
        this.state.domains.push(added);
        this.begin(added, virDomainRunningReason.VIR_DOMAIN_RUNNING_RESTORED, Started.VIR_DOMAIN_EVENT_STARTED_RESTORED);
        return this.state.domainRef(added);
      },
    );
  }

  domainCoreDump(dom: VirDomain, to: string, format: number, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, virDomainCoreDumpFlags.VIR_DUMP_CRASH, 'testDomainCoreDumpWithFormat', FROM_TEST);
    const d = this.find(dom);
    if (!isActive(d)) throw notRunning();
    if (format !== virDomainCoreDumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, 'kdump-compressed format is not supported here');
    this.requireNoJob(d);
    return this.track(d, start({ ...this.spec('dump', 'domain core dump', d), domain: dom }, (control) =>
      this.transfer(control, d).then(() =>
        this.publish(control, to, SAVE_MAGIC, dumpFailures(d.def.name, to), () => {
          if (flags & virDomainCoreDumpFlags.VIR_DUMP_CRASH) this.stop(d, virDomainShutoffReason.VIR_DOMAIN_SHUTOFF_CRASHED, Stopped.VIR_DOMAIN_EVENT_STOPPED_CRASHED);
        }),
      ),
    ));
  }

  // ---- internals ----

  private spec(operation: string, label: string, d: TestDomain) {
    return { operation, label, type: JobType.BOUNDED, total: memoryBytes(d.def), errorDomain: FROM_TEST };
  }

  private transfer(control: JobControl, d: TestDomain): Promise<void> {
    return simulateTransfer(control, memoryBytes(d.def), this.rate);
  }

  /**
   * Writes a job's output file (output-file.ts: never half-written under its name where the target allows),
   * then applies the state change that goes with it. The job commits when the file is about to be published.
   */
  private async publish(control: JobControl, to: string, content: Buffer, failures: FileFailures, after: () => void): Promise<void> {
    await writeOutputFile(control, to, content, failures);
    after();
  }

  /**
   * Marks the domain busy for the job's lifetime, so conflicting operations fail instead of interleaving.
   * A finished job left in place is harmless: every check looks at whether it still runs.
   */
  private track<J extends VirJob<any>>(d: TestDomain, job: J): J {
    d.job = job;
    return job;
  }

  private requireNoJob(d: TestDomain): void {
    if (d.job?.running)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_INVALID,
        FROM_DOMAIN,
        `domain '${d.def.name}' has an active ${d.job.operation} job`,
      );
  }

  private find(dom: VirDomain): TestDomain {
    const found = this.state.domains.find((d) => d.def.uuid === dom.uuid);
    if (!found)
      throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM_TEST, `no domain with matching uuid '${dom.uuid}' (${dom.name})`);
    return found;
  }

  /**
   * libvirt's uniqueness rules: a name belongs to one UUID. Returns the existing domain with the same name
   * and UUID, if any; with `live`, starting one that already runs is an error.
   */
  private checkUnique(def: DomainDef, live: boolean): TestDomain | undefined {
    const byUuid = this.state.domains.find((d) => d.def.uuid === def.uuid);
    if (byUuid) {
      if (byUuid.def.name !== def.name)
        throw virError(
          ErrorNumber.VIR_ERR_OPERATION_FAILED,
          FROM_DOMAIN,
          `domain '${byUuid.def.name}' is already defined with uuid ${byUuid.def.uuid}`,
        );
      if (live && isActive(byUuid))
        throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_DOMAIN, `domain '${def.name}' is already active`);
      return byUuid;
    }
    const byName = this.state.domains.find((d) => d.def.name === def.name);
    if (byName)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM_DOMAIN,
        `domain '${def.name}' already exists with uuid ${byName.def.uuid}`,
      );
    return undefined;
  }

  /** A persistent domain that starts keeps libvirt's format-and-reparse copy as its persistent configuration. */
  private begin(d: TestDomain, reason: number, detail: number): void {
    d.persistentDef = d.persistent ? copyDomainDef(d.def) : null;
    this.setState(d, VIR_DOMAIN_RUNNING, reason, { event: VIR_DOMAIN_EVENT_STARTED, detail });
  }

  private stop(d: TestDomain, reason: number, detail: number): void {
    // libvirt's STOPPED event names the domain by the id of its definition once the live one is dropped:
    // -1 when a persistent configuration takes its place, else the id it ran with (a transient domain).
    const id = d.persistentDef ? -1 : d.id;
    if (d.persistentDef) d.def = d.persistentDef;
    d.persistentDef = null;
    if (!d.persistent) this.remove(d);
    this.setState(d, VIR_DOMAIN_SHUTOFF, reason, { event: VIR_DOMAIN_EVENT_STOPPED, detail, id });
  }

  /** A state change, announced with whatever else changed before it; `lifecycle` is its event, if any. */
  private setState(d: TestDomain, state: number, reason: number, lifecycle?: { event: number; detail: number; id?: number }): void {
    this.state.setDomainState(d, state, reason);
    this.state.domainChanged(d, lifecycle);
  }

  private remove(d: TestDomain, lifecycle?: { event: number; detail: number }): void {
    const at = this.state.domains.indexOf(d);
    if (at >= 0) this.state.domains.splice(at, 1);
    this.state.domainChanged(d, lifecycle);
  }
}

const DEFINE_VALIDATE = 1;
const CREATE_XML_FLAGS = 0;
const UNDEFINE_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80;
const REBOOT_FLAGS = 0;
const ALL_LIST_FLAGS = 0xffff;

/** libvirt's test driver words for a save image it cannot write, and for a core dump. */
const saveFailures = (name: string, to: string): FileFailures => ({
  open: `saving domain '${name}' to '${to}': open failed`,
  write: `saving domain '${name}' to '${to}': write failed`,
});
const dumpFailures = (name: string, to: string): FileFailures => ({
  open: `domain '${name}' coredump: failed to open ${to}`,
  write: `domain '${name}' coredump: failed to write header to ${to}`,
});

function isActive(d: TestDomain): boolean {
  return d.state !== VIR_DOMAIN_SHUTOFF;
}

function memoryBytes(def: DomainDef): number {
  return def.currentMemory * 1024;
}

function matchesListFlags(d: TestDomain, flags: number): boolean {
  const active = isActive(d);
  const pick = (yes: number, no: number, value: boolean) =>
    !(flags & (yes | no)) || (flags & yes && value) || (flags & no && !value);
  return Boolean(
    pick(ListFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE, ListFlags.VIR_CONNECT_LIST_DOMAINS_INACTIVE, active) &&
      pick(ListFlags.VIR_CONNECT_LIST_DOMAINS_PERSISTENT, ListFlags.VIR_CONNECT_LIST_DOMAINS_TRANSIENT, d.persistent) &&
      pick(ListFlags.VIR_CONNECT_LIST_DOMAINS_AUTOSTART, ListFlags.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, false) &&
      pick(ListFlags.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, ListFlags.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, false) &&
      pick(ListFlags.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, ListFlags.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, false) &&
      stateFilter(d, flags),
  );
}

/** RUNNING / PAUSED / SHUTOFF / OTHER: when any is given, the domain's state must be one of them. */
function stateFilter(d: TestDomain, flags: number): boolean {
  const states =
    ListFlags.VIR_CONNECT_LIST_DOMAINS_RUNNING |
    ListFlags.VIR_CONNECT_LIST_DOMAINS_PAUSED |
    ListFlags.VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
    ListFlags.VIR_CONNECT_LIST_DOMAINS_OTHER;
  if (!(flags & states)) return true;
  if (d.state === VIR_DOMAIN_RUNNING) return (flags & ListFlags.VIR_CONNECT_LIST_DOMAINS_RUNNING) !== 0;
  if (d.state === VIR_DOMAIN_PAUSED) return (flags & ListFlags.VIR_CONNECT_LIST_DOMAINS_PAUSED) !== 0;
  if (d.state === VIR_DOMAIN_SHUTOFF) return (flags & ListFlags.VIR_CONNECT_LIST_DOMAINS_SHUTOFF) !== 0;
  return (flags & ListFlags.VIR_CONNECT_LIST_DOMAINS_OTHER) !== 0;
}

