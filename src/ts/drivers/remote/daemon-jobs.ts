// The remote driver's jobs on a daemon that serves tsvirt's job program (tsvirtd: TSVIRT_JOB_PROGRAM 'tsvj',
// src/ts/rpc/tsvirt_job_protocol.x). Probed once at open with a cheap call of the program: libvirtd answers
// "Cannot find program", and the connection keeps the REMOTE-procedure jobs of jobs.ts (polled job stats).
//
// Where the program is there, every job slot starts its job in the daemon, and the local job is a mirror of
// the daemon's: its id (virJobGetID) is the daemon's, its figures are the daemon's pushed progress (the
// mirror subscribes; nothing is polled), a cancel is the program's CANCEL, and its end, error and state are
// the ones the daemon pushes. The connection's job table (`jobs`) asks the daemon, so virJobLookupByID and
// virConnectListAllJobs find the jobs of every connection and process of the daemon (and, after a daemon
// restart, the jobs its journal reported FAILED). See docs/remote.md and docs/jobs.md.
import {
  VirDomain,
  VirNetwork,
  VirStorageVol,
  type VirConnect,
  type VirDomain as Domain,
  type VirNetwork as Network,
  type VirStoragePool,
  type VirStorageVol as Vol,
} from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../../errors/index.js';
import type { Clock } from '../../jobs/clock.js';
import { systemClock } from '../../jobs/clock.js';
import { JobState, JobType, VirJob, type JobControl, type JobSpec } from '../../jobs/job.js';
import { fromRemoteError } from '../../rpc/client.js';
import {
  tsvirt_job_event_kind,
  tsvirt_job_procedure,
  tsvirt_job_start_flags,
  type tsvirt_job,
  type tsvirt_job_event_msg,
  type tsvirt_job_info,
} from '../../rpc/generated/job-protocol.js';
import type { remote_domain, remote_network, remote_storage_vol } from '../../rpc/generated/remote-protocol.js';
import { tsvirtJobProgram } from '../../rpc/programs.js';
import type { HypervisorDriver, JobDriver, JobStarter, NetworkDriver, StorageDriver } from '../driver.js';
import type { RemoteConnection } from './connection.js';
import { networkFromWire, num, toWireDomain, toWireNetwork, toWirePool, toWireVol, volFromWire } from './wire.js';

/** Whether a connection's daemon serves tsvirt's job program (tsvirtd) rather than only libvirt's (libvirtd). */
export function hasJobProgram(drivers: { jobs?: unknown }): boolean {
  return drivers.jobs instanceof DaemonJobs;
}

/** The remote connection under a connection whose daemon serves the job program (tests drop its socket). */
export function daemonConnectionOf(drivers: { jobs?: unknown }): RemoteConnection | null {
  return drivers.jobs instanceof DaemonJobs ? drivers.jobs.rc : null;
}

export type JobProcName = keyof typeof tsvirt_job_procedure extends `TSVIRT_JOB_PROC_${infer N}` ? N : never;

const { TSVIRT_JOB_START_CANCEL_ON_DISCONNECT: CANCEL_ON_DISCONNECT } = tsvirt_job_start_flags;
const { TSVIRT_JOB_EVENT_END } = tsvirt_job_event_kind;

/** How many ended mirrors a connection keeps for lookups by id (running ones are always kept). */
const ENDED_MIRRORS_KEPT = 256;

type Spec = Omit<JobSpec, 'conn'>;
type Objects = { dom: remote_domain; net: remote_network; vol: remote_storage_vol };

/** What each operation the daemon names is, for a job found by id (label and error domain as local jobs have them). */
const OPERATIONS: Record<string, { label: string; from: ErrorDomain }> = {
  start: { label: 'domain start', from: ErrorDomain.VIR_FROM_DOMAIN },
  save: { label: 'domain save', from: ErrorDomain.VIR_FROM_DOMAIN },
  restore: { label: 'domain restore', from: ErrorDomain.VIR_FROM_DOMAIN },
  dump: { label: 'domain core dump', from: ErrorDomain.VIR_FROM_DOMAIN },
  'network-start': { label: 'network start', from: ErrorDomain.VIR_FROM_NETWORK },
  'volume-create': { label: 'volume create', from: ErrorDomain.VIR_FROM_STORAGE },
  'volume-clone': { label: 'volume clone', from: ErrorDomain.VIR_FROM_STORAGE },
  'volume-wipe': { label: 'volume wipe', from: ErrorDomain.VIR_FROM_STORAGE },
};

/** Events of one daemon job, buffered from before the subscription until the mirror's work takes them. */
class EventQueue {
  private readonly buffered: tsvirt_job_event_msg[] = [];
  private handler: ((msg: tsvirt_job_event_msg) => void) | null = null;
  private failure: VirError | null = null;
  private onFail: ((err: VirError) => void) | null = null;

  push(msg: tsvirt_job_event_msg): void {
    if (this.handler) this.handler(msg);
    else this.buffered.push(msg);
  }

  fail(err: VirError): void {
    this.failure ??= err;
    this.onFail?.(err);
  }

  take(handler: (msg: tsvirt_job_event_msg) => void, onFail: (err: VirError) => void): void {
    this.handler = handler;
    this.onFail = onFail;
    for (const msg of this.buffered.splice(0)) handler(msg);
    if (this.failure) onFail(this.failure);
  }
}

/** A clock that reads `elapsed` ms ahead: a mirror of a job that started before it did reports the daemon's elapsed time. */
function clockAhead(elapsedMs: number): Clock {
  const start = systemClock.now();
  return { now: () => systemClock.now() - start + elapsedMs };
}

/**
 * The job program of one remote connection: the mirrors of its daemon jobs, the job slots that start them,
 * and the connection's job table.
 */
export class DaemonJobs implements JobDriver {
  private readonly queues = new Map<number, Set<EventQueue>>();
  /** The mirror of each daemon job this connection knows, by the daemon's id. */
  private readonly mirrors = new Map<number, VirJob>();
  private readonly attaching = new Map<number, Promise<VirJob>>();

  private constructor(readonly rc: RemoteConnection) {
    rc.client.onMessage(tsvirtJobProgram, (procedure, msg) => {
      if (procedure.number !== tsvirt_job_procedure.TSVIRT_JOB_PROC_EVENT) return;
      const event = msg as tsvirt_job_event_msg;
      for (const q of [...(this.queues.get(event.id) ?? [])]) q.push(event);
    });
    rc.client.onClose((_reason, error) => {
      for (const set of this.queues.values()) for (const q of set) q.fail(error);
    });
  }

  /**
   * Whether the daemon serves the job program, asked with a cheap call (CONNECT_LIST_ALL_JOBS counting only).
   * libvirtd answers "Cannot find program": then null, and the connection uses REMOTE procedures alone.
   */
  static async probe(rc: RemoteConnection): Promise<DaemonJobs | null> {
    try {
      await rc.client.call(tsvirtJobProgram, tsvirt_job_procedure.TSVIRT_JOB_PROC_CONNECT_LIST_ALL_JOBS, { need_results: 0, flags: 0 });
    } catch (err) {
      if (!rc.alive || !(err instanceof VirError)) throw err;
      // libvirtd's answer to a program it does not serve (VIR_ERR_RPC); any other error is the program's own
      // answer (the probe travels with CONNECT_OPEN and may come first: "connection not open"; a driver of the
      // daemon without a job table): the program is there.
      if (err.code === ErrorNumber.VIR_ERR_RPC) return null;
    }
    return new DaemonJobs(rc);
  }

  call<T = unknown>(name: JobProcName, args?: unknown): Promise<T> {
    return this.rc.client.call<T>(tsvirtJobProgram, tsvirt_job_procedure[`TSVIRT_JOB_PROC_${name}`], args);
  }

  // ---- the job table: jobs of every client of the daemon ----

  async jobLookupByID(conn: VirConnect, id: number): Promise<VirJob> {
    const known = this.mirrors.get(id);
    if (known) return known.refFor(conn);
    let pending = this.attaching.get(id);
    if (!pending) {
      pending = this.call<{ job: tsvirt_job }>('LOOKUP_BY_ID', { id }).then(({ job }) => this.attach(conn, job));
      this.attaching.set(id, pending);
      const forget = () => this.attaching.delete(id);
      pending.then(forget, forget);
      // The first finder's reference is the attach's own.
      return pending;
    }
    return (await pending).refFor(conn);
  }

  async connectListAllJobs(conn: VirConnect, flags: number): Promise<VirJob[]> {
    const { jobs } = await this.call<{ jobs: tsvirt_job[] }>('CONNECT_LIST_ALL_JOBS', { need_results: 1, flags });
    // Mirrors of the jobs this connection does not follow yet are made at once (their calls overlap).
    const outcomes = await Promise.allSettled(
      jobs.map(async (job) => {
        const known = this.mirrors.get(job.id);
        if (known) return known.refFor(conn);
        try {
          return await this.attach(conn, job);
        } catch (err) {
          // Forgotten by the daemon between the list and the lookup: not a job any more.
          if (err instanceof VirError && err.code === ErrorNumber.VIR_ERR_INVALID_ARG) return null;
          throw err;
        }
      }),
    );
    const found = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value ? [o.value] : []));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) {
      for (const j of found) j.unref();
      throw failed.reason;
    }
    return found;
  }

  /** A mirror of a job some client started (this one or another), found by id: a new reference. */
  private async attach(conn: VirConnect, job: tsvirt_job): Promise<VirJob> {
    const known = OPERATIONS[job.operation] ?? { label: job.operation, from: ErrorDomain.VIR_FROM_DOMAIN };
    const spec: Spec = { operation: job.operation, label: known.label, type: job.type as JobType, errorDomain: known.from, daemonId: job.id };
    const queue = this.listen(job.id);
    let objects: Objects;
    let info: tsvirt_job_info;
    try {
      await this.call('SUBSCRIBE', { id: job.id });
      [objects, { info }] = await Promise.all([this.call<Objects>('GET_OBJECTS', { id: job.id }), this.call<{ info: tsvirt_job_info }>('GET_INFO', { id: job.id })]);
    } catch (err) {
      this.unlisten(job.id, queue);
      throw err;
    }
    const handles = {
      domain: objects.dom ? new VirDomain(conn, this.rc.domains.fromWire(objects.dom)) : undefined,
      network: objects.net ? new VirNetwork(conn, networkFromWire(objects.net)) : undefined,
      vol: objects.vol ? new VirStorageVol(conn, volFromWire(objects.vol)) : undefined,
    };
    let mirror: VirJob;
    try {
      mirror = new VirJob({ ...spec, ...handles, conn, clock: clockAhead(num(info.timeElapsed)) }, (control) => {
        // The daemon refuses cancel to read-only clients: the mirror says so at once, as a refused cancel.
        if (conn.readOnly) control.refuseCancel('read only access prevents virJobCancel');
        return this.follow(control, spec, job.id, queue, info, async () => undefined);
      });
    } finally {
      handles.domain?.unref();
      handles.network?.unref();
      handles.vol?.unref();
    }
    this.remember(mirror);
    // A job that has already ended is reported as ended: its END is on its way (the subscription pushes it).
    if (info.state !== JobState.RUNNING) await mirror.whenDone();
    return mirror;
  }

  // ---- starting jobs in the daemon ----

  /**
   * Starts job `proc` in the daemon and returns its mirror; `result`, for a job whose result names an object,
   * reads it from what the completed job produced (GET_OBJECTS, asked only then).
   */
  async start<T = void>(start: JobStarter, spec: Spec, proc: JobProcName, args: object, result?: (objects: Objects) => T | Promise<T>): Promise<VirJob<T>> {
    const job_flags = start.options?.cancelOnDisconnect ? CANCEL_ON_DISCONNECT : 0;
    const { job } = await this.call<{ job: tsvirt_job }>(proc, { ...args, job_flags });
    const queue = this.listen(job.id);
    let info: tsvirt_job_info;
    try {
      await this.call('SUBSCRIBE', { id: job.id });
      ({ info } = await this.call<{ info: tsvirt_job_info }>('GET_INFO', { id: job.id }));
    } catch (err) {
      this.unlisten(job.id, queue);
      throw err;
    }
    const mirror = start<T>(
      { ...spec, operation: job.operation, type: job.type as JobType, daemonId: job.id, clock: clockAhead(num(info.timeElapsed)) },
      (control) =>
        this.follow(control, spec, job.id, queue, info, async () =>
          result ? result(await this.call<Objects>('GET_OBJECTS', { id: job.id })) : (undefined as T),
        ),
    );
    this.remember(mirror);
    return mirror;
  }

  /**
   * The mirror's work: the daemon's figures as its progress, its cancel sent as CANCEL, and the daemon's end as
   * its own (a job cancelled by another client ends CANCELLED here too; one that completed despite a cancel
   * completes, keeping why the cancel failed).
   */
  private follow<T>(control: JobControl, spec: Spec, id: number, queue: EventQueue, first: tsvirt_job_info, result: () => Promise<T>): Promise<T> {
    const apply = (info: tsvirt_job_info) => {
      const total = num(info.dataTotal);
      control.progress(num(info.dataProcessed), total > 0 ? total : undefined);
    };
    if (first.state === JobState.RUNNING && (first.dataProcessed > 0n || first.dataTotal > 0n)) apply(first);
    let cancelError: VirError | null = null;
    const cancel = () => {
      this.call('CANCEL', { id }).catch((err: unknown) => {
        // Already ended in the daemon: its END says how.
        cancelError = err instanceof VirError ? err : virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, spec.errorDomain, String(err));
      });
    };
    // Waiting for the daemon's pushes, not for a reply: the connection must keep the process alive meanwhile.
    const release = this.rc.client.hold();
    return new Promise<T>((resolve, reject) => {
      const finish = (outcome: () => Promise<T>) => {
        release();
        control.signal.removeEventListener('abort', cancel);
        this.unlisten(id, queue);
        outcome().then(resolve, reject);
      };
      if (control.signal.aborted) cancel();
      else control.signal.addEventListener('abort', cancel, { once: true });
      queue.take(
        (msg) => {
          if (msg.event !== TSVIRT_JOB_EVENT_END) {
            if (msg.info.state === JobState.RUNNING) apply(msg.info);
            return;
          }
          const error = msg.error ? fromRemoteError(msg.error) : null;
          switch (msg.info.state) {
            case JobState.COMPLETED:
              apply(msg.info);
              control.commit();
              if (control.signal.aborted)
                control.cancelFailed(
                  cancelError ?? virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, spec.errorDomain, `${spec.label} job: it completed before the cancel took effect`),
                );
              return finish(result);
            case JobState.CANCELLED: {
              const err = error ?? virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, spec.errorDomain, `${spec.label} job: canceled`);
              control.cancelledElsewhere(err);
              return finish(() => Promise.reject(err));
            }
            default: {
              const err = error ?? virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, spec.errorDomain, `${spec.label} job failed`);
              return finish(() => Promise.reject(err));
            }
          }
        },
        // The connection to the daemon is gone: the job may still run there, but this mirror can no longer follow it.
        (err) => finish(() => Promise.reject(err)),
      );
    });
  }

  private listen(id: number): EventQueue {
    const q = new EventQueue();
    let set = this.queues.get(id);
    if (!set) this.queues.set(id, (set = new Set()));
    set.add(q);
    if (!this.rc.alive) q.fail(virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, 'client socket is closed'));
    return q;
  }

  private unlisten(id: number, q: EventQueue): void {
    const set = this.queues.get(id);
    if (!set) return;
    set.delete(q);
    if (set.size === 0) this.queues.delete(id);
  }

  /** Keeps the mirror findable by its daemon id; of ended ones, only the newest few. */
  private remember(job: VirJob): void {
    this.mirrors.set(job.daemonId!, job);
    if (this.mirrors.size <= ENDED_MIRRORS_KEPT) return;
    for (const [id, j] of this.mirrors) {
      if (this.mirrors.size <= ENDED_MIRRORS_KEPT) break;
      if (!j.running) this.mirrors.delete(id);
    }
  }

  // ---- the job slots ----

  hypervisorSlots(): Pick<HypervisorDriver, 'domainCreate' | 'domainCreateXML' | 'domainSave' | 'domainRestore' | 'domainCoreDump'> {
    const FROM = ErrorDomain.VIR_FROM_DOMAIN;
    const dom = (d: Domain) => toWireDomain(d);
    const spec = (operation: string, label: string, extra: Partial<Spec> = {}): Spec => ({ operation, label, type: JobType.UNBOUNDED, errorDomain: FROM, ...extra });
    const domainOf = (o: Objects) => {
      if (!o.dom) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'the daemon reported no domain for a completed job');
      return this.rc.domains.fromWire(o.dom);
    };
    return {
      domainCreate: (d, flags, start) =>
        this.start(start, spec('start', 'domain start', { domain: d }), 'DOMAIN_CREATE', { dom: dom(d), flags }, (o) => {
          domainOf(o); // the started domain's new id, for every handle
        }),
      domainCreateXML: (_c, xml, flags, start) => this.start(start, spec('start', 'domain create'), 'DOMAIN_CREATE_XML', { xml_desc: xml, flags }, domainOf),
      domainSave: (d, to, dxml, flags, start) =>
        // The program's save has no replacement XML: with one, the REMOTE procedure (fallback) saves.
        dxml === null
          ? this.start(start, spec('save', 'domain save', { domain: d }), 'DOMAIN_SAVE', { dom: dom(d), to, flags })
          : this.fallback.hypervisor!.domainSave!(d, to, dxml, flags, start),
      domainRestore: (c, from, dxml, flags, start) =>
        dxml === null
          ? this.start(start, spec('restore', 'domain restore'), 'DOMAIN_RESTORE', { from, flags }, domainOf)
          : this.fallback.hypervisor!.domainRestore!(c, from, dxml, flags, start),
      domainCoreDump: (d, to, format, flags, start) =>
        format === 0
          ? this.start(start, spec('dump', 'domain core dump', { domain: d }), 'DOMAIN_CORE_DUMP', { dom: dom(d), to, dumpflags: flags, flags: 0 })
          : this.fallback.hypervisor!.domainCoreDump!(d, to, format, flags, start),
    };
  }

  networkSlots(): Pick<NetworkDriver, 'networkCreate' | 'networkCreateXML'> {
    const FROM = ErrorDomain.VIR_FROM_NETWORK;
    const spec = (label: string, extra: Partial<Spec> = {}): Spec => ({ operation: 'network-start', label, type: JobType.UNBOUNDED, errorDomain: FROM, ...extra });
    return {
      networkCreate: (n: Network, flags, start) => this.start(start, spec('network start', { network: n }), 'NETWORK_CREATE', { net: toWireNetwork(n), flags }),
      networkCreateXML: (_c, xml, flags, start) =>
        this.start(start, spec('network create'), 'NETWORK_CREATE_XML', { xml, flags }, (o) => {
          if (!o.net) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'the daemon reported no network for a completed job');
          return networkFromWire(o.net);
        }),
    };
  }

  storageSlots(): Pick<StorageDriver, 'storageVolCreateXML' | 'storageVolCreateXMLFrom' | 'storageVolWipe'> {
    const FROM = ErrorDomain.VIR_FROM_STORAGE;
    const spec = (operation: string, label: string, extra: Partial<Spec> = {}): Spec => ({ operation, label, type: JobType.UNBOUNDED, errorDomain: FROM, ...extra });
    const volOf = (o: Objects) => {
      if (!o.vol) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'the daemon reported no volume for a completed job');
      return volFromWire(o.vol);
    };
    return {
      storageVolCreateXML: (p: VirStoragePool, xml, flags, start) =>
        this.start(start, spec('volume-create', 'volume create'), 'STORAGE_VOL_CREATE_XML', { pool: toWirePool(p), xml, createflags: flags, flags: 0 }, volOf),
      storageVolCreateXMLFrom: (p, xml, source, flags, start) =>
        this.start(
          start,
          spec('volume-clone', 'volume clone', { vol: source }),
          'STORAGE_VOL_CREATE_XML_FROM',
          { pool: toWirePool(p), xml, clonevol: toWireVol(source), createflags: flags, flags: 0 },
          volOf,
        ),
      storageVolWipe: (v: Vol, algorithm, flags, start) =>
        this.start(start, spec('volume-wipe', 'volume wipe', { vol: v }), 'STORAGE_VOL_WIPE', { vol: toWireVol(v), algorithm, flags }),
    };
  }

  /** The REMOTE-procedure slots, for what the program cannot start (a save or restore with replacement XML, a dump format). */
  fallback: { hypervisor?: HypervisorDriver } = {};
}

