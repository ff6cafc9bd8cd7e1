import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../errors/index.js';
import {
  VirDomain,
  VirNetwork,
  VirStorageVol,
  type DomainRef,
  type NetworkRef,
  type StorageVolRef,
  type VirConnect,
} from '../core/handles.js';
import { VirObject } from '../core/object.js';
import type { JobDriver } from '../drivers/driver.js';
import { systemClock, type Clock } from './clock.js';
import { EtaEstimator } from './eta.js';
import { ObserverSet } from './observers.js';
import { registerJob, retainJob, unretainJob } from './registry.js';

/** virJobType: whether the amount of work is known in advance. */
export const JobType = { BOUNDED: 0, UNBOUNDED: 1 } as const;
export type JobType = (typeof JobType)[keyof typeof JobType];

/** virJobState. RUNNING is the only non-terminal state; exactly one terminal state is ever reached. */
export const JobState = { RUNNING: 0, COMPLETED: 1, FAILED: 2, CANCELLED: 3 } as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

/** virJobInfo: times in milliseconds, data in bytes. */
export interface JobInfo {
  type: JobType;
  state: JobState;
  timeElapsed: number;
  /** 0 when unknown (not yet estimable, unbounded, or finished). */
  timeRemaining: number;
  dataTotal: number;
  dataProcessed: number;
  dataRemaining: number;
  /** 0..99 while a bounded job runs, -1 while an unbounded one runs, 100 once completed. */
  percentComplete: number;
}

/** What a job's work sees: the cancel request, and where to report progress. */
export interface JobControl {
  /** Aborted when the job is cancelled before its point of no return. */
  readonly signal: AbortSignal;
  /** True once cancel was requested (cheaper than reading the signal in tight loops). */
  readonly cancelRequested: boolean;
  /** Reports bytes done so far and, optionally, a revised total. Processed bytes never go down. */
  progress(processed: number, total?: number): void;
  /** Marks the point of no return: a later cancel is accepted but the job completes. */
  commit(): void;
  /**
   * From now on a cancel cannot be carried out at all (the work cannot be stopped, e.g. a daemon's memory-only
   * dump): cancel() then throws VIR_ERR_OPERATION_INVALID with `reason` and the job runs on. Ignored once a
   * cancel was requested (the work has seen its signal).
   */
  refuseCancel(reason: string): void;
  /**
   * A cancel was requested but could not take effect (it lost the race against the work's end): the job
   * completes, and this error stays readable as `cancelError`.
   */
  cancelFailed(error: VirError): void;
  /**
   * The work was stopped by someone else's cancel (another client aborted a daemon's job, as
   * virDomainAbortJob or `virsh domjobabort` do): the job ends CANCELLED, as after a cancel of its own.
   * Ignored past the point of no return.
   */
  cancelledElsewhere(): void;
}

export interface JobSpec {
  /** Operation name, as libvirt-job.h lists them: 'start', 'save', 'restore', 'dump', 'network-start', 'volume-create', 'volume-clone', 'volume-wipe'. */
  operation: string;
  /** How libvirt names the job in its abort message, e.g. 'domain save'. */
  label: string;
  type: JobType;
  /** Bytes of work for a bounded job, if known at start (it may be revised with progress()). */
  total?: number;
  /** The error domain of the driver doing the work: failures are reported from there. */
  errorDomain: ErrorDomain;
  conn: VirConnect;
  /** Handles the job works on; the job takes its own reference on each. */
  domain?: VirDomain;
  network?: VirNetwork;
  vol?: VirStorageVol;
  /** The kind of handle a completed job's result names: the job then holds it (virJobGetDomain and friends). */
  produces?: JobProduct;
  clock?: Clock;
}

/** What a job's result may name: a new domain (create, restore), network or storage volume. */
export type JobProduct = 'domain' | 'network' | 'vol';

export type JobEvent = 'progress' | 'end';
/** Told of a job's progress and, once, of its end. What it throws or rejects with is reported, never rethrown. */
export type JobListener = (job: VirJob, event: JobEvent) => unknown;

/** Ids are positive, never reused in a process, and in id order of start (registry.ts relies on that). */
let nextJobId = 1;

/** The id of the newest job started in this process (0 before the first). */
export function lastJobId(): number {
  return nextJobId - 1;
}

/**
 * Makes every later job's id greater than `id`: a daemon that restarts continues above the ids its previous
 * run handed out (its journal remembers them), so an id never names two jobs. Ids already given are unchanged.
 */
export function reserveJobIds(id: number): void {
  if (Number.isSafeInteger(id) && id >= nextJobId) nextJobId = id + 1;
}
/** See every job's every change: the C ABI publishes job info through this, a daemon would push it to clients. */
const allJobsObservers = new ObserverSet<[VirJob, JobEvent]>();

/**
 * Calls `listener` on every job's progress and end, before the job's own listeners; returns the function that
 * unsubscribes it.
 */
export function observeAllJobs(listener: JobListener): () => void {
  return allJobsObservers.add(listener);
}

/**
 * The work's side of a job (JobControl) reaches the job's private state through these, set in VirJob's
 * static block: module-private, so nothing outside this file can report progress or commit a job.
 */
let jobSignal: (job: VirJob) => AbortSignal;
let jobCancelRequested: (job: VirJob) => boolean;
let jobReport: (job: VirJob, processed: number, total?: number) => void;
let jobCommit: (job: VirJob) => void;
let jobRefuseCancel: (job: VirJob, reason: string) => void;
let jobCancelFailed: (job: VirJob, error: VirError) => void;
let jobCancelledElsewhere: (job: VirJob) => void;

/**
 * A background job: libvirt's missing virJobPtr. The work runs on the event loop (or drives native threads),
 * reports progress through its JobControl and sees cancel through an AbortSignal. The job holds a reference on
 * its connection and target objects until it is freed, and a reference on itself while it runs, so freeing
 * anything (the job included) while it runs is safe.
 */
export class VirJob<T = unknown> extends VirObject {
  readonly id = nextJobId++;
  readonly operation: string;
  readonly label: string;
  readonly type: JobType;
  readonly errorDomain: ErrorDomain;
  /**
   * The job table of the driver instance that runs the job (its connection's `drivers.jobs`): who may find
   * the job by id. Undefined for a connection whose driver has none, whose jobs nobody else can find.
   */
  readonly owner: JobDriver | undefined;

  #conn: VirConnect;
  #state: JobState = JobState.RUNNING;
  #processed = 0;
  #total: number;
  readonly #clock: Clock;
  readonly #startedAt: number;
  #endedAt = 0;
  #error: VirError | null = null;
  #result: T | undefined;
  #domain: VirDomain | null;
  #network: VirNetwork | null;
  #vol: VirStorageVol | null;
  /** What a job found again after its last reference went gets new handles from (see refFor). */
  #identities: { domain?: DomainRef; network?: NetworkRef; vol?: StorageVolRef };
  readonly #produces: JobProduct | undefined;
  #committed = false;
  #cancelWanted = false;
  #refusal: string | null = null;
  #cancelError: VirError | null = null;
  /** Why the job was cancelled, when not at a client's request (a daemon stopping). */
  #cancelReason: string | null = null;
  #abort: AbortController | null = null;
  #eta: EtaEstimator | null = null;
  #observers: ObserverSet<[VirJob, JobEvent]> | null = null;
  #waiters: (() => void)[] | null = null;

  static {
    jobSignal = (job) => job.#signal();
    jobCancelRequested = (job) => job.#cancelWanted && !job.#committed;
    jobReport = (job, processed, total) => job.#report(processed, total);
    jobCommit = (job) => {
      job.#committed = true;
    };
    jobRefuseCancel = (job, reason) => {
      if (!job.#cancelWanted && job.#state === JobState.RUNNING) job.#refusal = reason;
    };
    jobCancelFailed = (job, error) => {
      if (job.#cancelWanted) job.#cancelError ??= error;
    };
    jobCancelledElsewhere = (job) => {
      if (job.#state === JobState.RUNNING && !job.#committed) job.#cancelWanted = true;
    };
  }

  constructor(spec: JobSpec, work: (control: JobControl) => Promise<T>) {
    super();
    this.operation = spec.operation;
    this.label = spec.label;
    this.type = spec.type;
    this.errorDomain = spec.errorDomain;
    this.#total = spec.total ?? 0;
    this.#clock = spec.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
    this.#produces = spec.produces;
    this.#conn = spec.conn.ref();
    this.owner = spec.conn.drivers.jobs;
    this.#domain = spec.domain?.ref() ?? null;
    this.#network = spec.network?.ref() ?? null;
    this.#vol = spec.vol?.ref() ?? null;
    this.#identities = { domain: spec.domain, network: spec.network, vol: spec.vol };
    registerJob(this as VirJob);
    this.ref(); // the running work's own reference, dropped when it ends
    this.#run(work);
  }

  /**
   * The connection the job was started through, or, for a job found again after its last reference went,
   * the connection it was found through. (Once the job is gone it still names that connection, released.)
   */
  get conn(): VirConnect {
    return this.#conn;
  }

  /**
   * A new reference to the job for a caller who found it through `conn` (virJobLookupByID): a job someone
   * holds is simply referenced again; a finished job whose last reference went (it is only retained by id)
   * comes back bound to `conn`, with new handles on its objects, and holds them until it is released again.
   */
  refFor(conn: VirConnect): this {
    if (this.alive) return this.ref();
    this.#conn = conn.ref();
    const { domain, network, vol } = this.#identities;
    this.#domain = domain ? new VirDomain(conn, domain) : null;
    this.#network = network ? new VirNetwork(conn, network) : null;
    this.#vol = vol ? new VirStorageVol(conn, vol) : null;
    unretainJob(this as VirJob);
    return this.ref();
  }

  get state(): JobState {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === JobState.RUNNING;
  }

  get processed(): number {
    return this.#processed;
  }

  get total(): number {
    return this.#total;
  }

  /** The error of a failed or cancelled job. */
  get error(): VirError | null {
    return this.#error;
  }

  /**
   * Why a cancel requested while the job ran did not take effect (the work ended first; the job completed),
   * or null. Cancels refused outright throw instead (see cancel()).
   */
  get cancelError(): VirError | null {
    return this.#cancelError;
  }

  /** Whether cancel() would be refused now: the work cannot be stopped (the reason cancel() throws). */
  get uncancellable(): string | null {
    return this.#state === JobState.RUNNING ? this.#refusal : null;
  }

  /** What the work produced, once completed. */
  get result(): T | undefined {
    return this.#result;
  }

  /** The domain the job works on, or the domain it created once it completed. */
  get domain(): VirDomain | null {
    return this.#domain;
  }

  /** The network the job works on, or the one it created once it completed. */
  get network(): VirNetwork | null {
    return this.#network;
  }

  /** The volume the job works on, or the one it created once it completed. */
  get vol(): VirStorageVol | null {
    return this.#vol;
  }

  getInfo(): JobInfo {
    const running = this.#state === JobState.RUNNING;
    const now = running ? this.#clock.now() : this.#endedAt;
    const bounded = this.type === JobType.BOUNDED;
    const total = this.#total;
    const processed = this.#processed;
    const remaining = bounded && total > processed ? total - processed : 0;
    let percent = bounded ? 0 : -1;
    if (this.#state === JobState.COMPLETED) percent = 100;
    else if (bounded && total > 0) percent = Math.min(99, Math.floor((processed * 100) / total));
    return {
      type: this.type,
      state: this.#state,
      timeElapsed: Math.max(0, Math.round(now - this.#startedAt)),
      timeRemaining: running && bounded && this.#eta ? this.#eta.remainingMs(now, remaining) : 0,
      dataTotal: total,
      dataProcessed: processed,
      dataRemaining: remaining,
      percentComplete: percent,
    };
  }

  /**
   * Requests cancellation; returns at once. Repeating it is harmless. A job past its point of no return
   * completes anyway. Asking to cancel a job that already completed or failed is an error: it did not happen.
   * `reason` replaces "canceled by client" in the job's error when someone else cancels it (a daemon that
   * stops); the first request's reason counts.
   */
  cancel(reason?: string): void {
    if (this.#state === JobState.RUNNING) {
      if (this.#cancelWanted) return;
      if (this.#refusal !== null) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, this.errorDomain, this.#refusal);
      this.#cancelWanted = true;
      this.#cancelReason = reason ?? null;
      if (!this.#committed) this.#abort?.abort(this.#abortError());
      return;
    }
    if (this.#state === JobState.CANCELLED) return;
    throw virError(
      ErrorNumber.VIR_ERR_OPERATION_INVALID,
      this.errorDomain,
      `job ${this.id} (${this.operation}) has already ${this.#state === JobState.COMPLETED ? 'completed' : 'failed'}`,
    );
  }

  /**
   * Calls `listener` on progress and once at the end; returns the function that unsubscribes it. Any number
   * of listeners may subscribe and leave at any time; one that throws affects neither the job nor the others
   * (observers.ts says where its error goes).
   */
  subscribe(listener: JobListener): () => void {
    return (this.#observers ??= new ObserverSet()).add(listener);
  }

  /** Resolves once the job reached its terminal state (never rejects: read `error`). */
  whenDone(): Promise<void> {
    if (this.#state !== JobState.RUNNING) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** Only a finished job is ever disposed: its own reference lasts as long as it runs. */
  protected override dispose(): void {
    this.#domain?.unref();
    this.#network?.unref();
    this.#vol?.unref();
    this.#conn.unref();
    retainJob(this as VirJob);
  }

  /** Runs the work; a plain promise chain, lighter than an async frame for jobs that sit idle for long. */
  #run(work: (control: JobControl) => Promise<T>): void {
    let started: Promise<T>;
    try {
      started = work(new Control(this as VirJob));
    } catch (err) {
      started = Promise.reject(err);
    }
    Promise.resolve(started).then(
      (value) => this.#finish(false, value),
      (err: unknown) => this.#finish(true, err),
    );
  }

  /**
   * The one place a job ends: it decides the terminal state (a cancel requested before the point of no
   * return wins over whatever the work did), adopts the result, notifies once, wakes the waiters and drops
   * the work's reference.
   */
  #finish(failed: boolean, outcome: unknown): void {
    this.#endedAt = this.#clock.now();
    if (this.#cancelWanted && !this.#committed) {
      this.#state = JobState.CANCELLED;
      this.#error = this.#abortError();
    } else if (failed) {
      this.#state = JobState.FAILED;
      this.#error = toVirError(outcome, this.errorDomain);
    } else {
      this.#state = JobState.COMPLETED;
      this.#result = outcome as T;
      this.#adopt(outcome);
      if (this.type === JobType.BOUNDED) this.#processed = this.#total = Math.max(this.#total, this.#processed);
    }
    this.#emit('end');
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters) for (const resolve of waiters) resolve();
    this.unref();
  }

  /** A completed job's result that names a new object becomes a handle the job holds, before anyone is told. */
  #adopt(value: unknown): void {
    if (!value || !this.#produces) return;
    switch (this.#produces) {
      case 'domain':
        this.#domain?.unref();
        this.#domain = new VirDomain(this.#conn, value as DomainRef);
        this.#identities.domain = value as DomainRef;
        break;
      case 'network':
        this.#network?.unref();
        this.#network = new VirNetwork(this.#conn, value as NetworkRef);
        this.#identities.network = value as NetworkRef;
        break;
      case 'vol':
        this.#vol?.unref();
        this.#vol = new VirStorageVol(this.#conn, value as StorageVolRef);
        this.#identities.vol = value as StorageVolRef;
        break;
    }
  }

  #abortError(): VirError {
    return virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, this.errorDomain, `${this.label} job: ${this.#cancelReason ?? 'canceled by client'}`);
  }

  #signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#cancelWanted && !this.#committed) this.#abort.abort(this.#abortError());
    }
    return this.#abort.signal;
  }

  #report(processed: number, total?: number): void {
    if (this.#state !== JobState.RUNNING) return;
    if (total !== undefined && total >= 0) this.#total = total;
    if (processed > this.#processed) this.#processed = processed;
    if (this.type === JobType.BOUNDED) (this.#eta ??= new EtaEstimator()).record(this.#clock.now(), this.#processed);
    this.#emit('progress');
  }

  #emit(event: JobEvent): void {
    if (allJobsObservers.size > 0) allJobsObservers.notify(this as VirJob, event);
    this.#observers?.notify(this as VirJob, event);
  }
}

class Control implements JobControl {
  readonly #job: VirJob;

  constructor(job: VirJob) {
    this.#job = job;
  }

  get signal(): AbortSignal {
    return jobSignal(this.#job);
  }

  get cancelRequested(): boolean {
    return jobCancelRequested(this.#job);
  }

  progress(processed: number, total?: number): void {
    jobReport(this.#job, processed, total);
  }

  commit(): void {
    jobCommit(this.#job);
  }

  refuseCancel(reason: string): void {
    jobRefuseCancel(this.#job, reason);
  }

  cancelFailed(error: VirError): void {
    jobCancelFailed(this.#job, error);
  }

  cancelledElsewhere(): void {
    jobCancelledElsewhere(this.#job);
  }
}
