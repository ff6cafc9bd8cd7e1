import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../errors/index.js';
import type { VirConnect, VirDomain, VirNetwork, VirStorageVol } from '../core/handles.js';
import { VirObject } from '../core/object.js';
import { systemClock, type Clock } from './clock.js';
import { EtaEstimator } from './eta.js';

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
  clock?: Clock;
}

export type JobEvent = 'progress' | 'end';
export type JobListener = (job: VirJob, event: JobEvent) => void;

let nextJobId = 1;
/** Sees every job's every change: the hook through which the native layer publishes job info. */
let globalObserver: JobListener | null = null;

export function setJobObserver(observer: JobListener | null): void {
  globalObserver = observer;
}

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
  readonly conn: VirConnect;
  /** The domain the job works on, or the domain it created once it completed. */
  domain: VirDomain | null;
  network: VirNetwork | null;
  vol: VirStorageVol | null;

  private jobState: JobState = JobState.RUNNING;
  private processedBytes = 0;
  private totalBytes: number;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private endedAt = 0;
  private failure: VirError | null = null;
  private value: T | undefined;
  private committed = false;
  private cancelWanted = false;
  private abort: AbortController | null = null;
  private eta: EtaEstimator | null = null;
  private listeners: JobListener[] | null = null;
  private waiters: (() => void)[] | null = null;

  constructor(spec: JobSpec, work: (control: JobControl) => Promise<T>) {
    super();
    this.operation = spec.operation;
    this.label = spec.label;
    this.type = spec.type;
    this.errorDomain = spec.errorDomain;
    this.totalBytes = spec.total ?? 0;
    this.clock = spec.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.conn = spec.conn.ref();
    this.domain = spec.domain?.ref() ?? null;
    this.network = spec.network?.ref() ?? null;
    this.vol = spec.vol?.ref() ?? null;
    this.conn.jobs.add(this as VirJob);
    this.ref(); // the running work's own reference, dropped when it ends
    this.run(work);
  }

  get state(): JobState {
    return this.jobState;
  }

  get running(): boolean {
    return this.jobState === JobState.RUNNING;
  }

  get processed(): number {
    return this.processedBytes;
  }

  get total(): number {
    return this.totalBytes;
  }

  /** The error of a failed or cancelled job. */
  get error(): VirError | null {
    return this.failure;
  }

  /** What the work produced, once completed. */
  get result(): T | undefined {
    return this.value;
  }

  getInfo(): JobInfo {
    const running = this.jobState === JobState.RUNNING;
    const now = running ? this.clock.now() : this.endedAt;
    const bounded = this.type === JobType.BOUNDED;
    const total = this.totalBytes;
    const processed = this.processedBytes;
    const remaining = bounded && total > processed ? total - processed : 0;
    let percent = bounded ? 0 : -1;
    if (this.jobState === JobState.COMPLETED) percent = 100;
    else if (bounded && total > 0) percent = Math.min(99, Math.floor((processed * 100) / total));
    return {
      type: this.type,
      state: this.jobState,
      timeElapsed: Math.max(0, Math.round(now - this.startedAt)),
      timeRemaining: running && bounded && this.eta ? this.eta.remainingMs(now, remaining) : 0,
      dataTotal: total,
      dataProcessed: processed,
      dataRemaining: remaining,
      percentComplete: percent,
    };
  }

  /**
   * Requests cancellation; returns at once. Repeating it is harmless. A job past its point of no return
   * completes anyway. Asking to cancel a job that already completed or failed is an error: it did not happen.
   */
  cancel(): void {
    if (this.jobState === JobState.RUNNING) {
      if (this.cancelWanted) return;
      this.cancelWanted = true;
      if (!this.committed) this.abort?.abort(this.abortError());
      return;
    }
    if (this.jobState === JobState.CANCELLED) return;
    throw virError(
      ErrorNumber.VIR_ERR_OPERATION_INVALID,
      this.errorDomain,
      `job ${this.id} (${this.operation}) has already ${this.jobState === JobState.COMPLETED ? 'completed' : 'failed'}`,
    );
  }

  /** Calls `listener` on progress and once at the end; returns the function that unsubscribes it. */
  subscribe(listener: JobListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      const list = this.listeners;
      const at = list ? list.indexOf(listener) : -1;
      if (at >= 0) list!.splice(at, 1);
    };
  }

  /** Resolves once the job reached its terminal state (never rejects: read `error`). */
  whenDone(): Promise<void> {
    if (this.jobState !== JobState.RUNNING) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  protected override dispose(): void {
    this.conn.jobs.delete(this as VirJob);
    this.domain?.unref();
    this.network?.unref();
    this.vol?.unref();
    this.conn.unref();
  }

  /** Runs the work; a plain promise chain, lighter than an async frame for jobs that sit idle for long. */
  private run(work: (control: JobControl) => Promise<T>): void {
    let started: Promise<T>;
    try {
      started = work(new Control(this as VirJob));
    } catch (err) {
      started = Promise.reject(err);
    }
    Promise.resolve(started).then(
      (value) => {
        if (this.cancelWanted && !this.committed) this.finish(JobState.CANCELLED, undefined, this.abortError());
        else this.finish(JobState.COMPLETED, value, null);
      },
      (err) => {
        if (this.cancelWanted && !this.committed) this.finish(JobState.CANCELLED, undefined, this.abortError());
        else this.finish(JobState.FAILED, undefined, toVirError(err, this.errorDomain));
      },
    );
  }

  private finish(state: JobState, value: T | undefined, error: VirError | null): void {
    this.endedAt = this.clock.now();
    this.jobState = state;
    this.value = value;
    this.failure = error;
    if (state === JobState.COMPLETED && this.type === JobType.BOUNDED) {
      this.totalBytes = Math.max(this.totalBytes, this.processedBytes);
      this.processedBytes = this.totalBytes;
    }
    this.emit('end');
    const waiters = this.waiters;
    this.waiters = null;
    if (waiters) for (const resolve of waiters) resolve();
    this.unref();
  }

  private abortError(): VirError {
    return virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, this.errorDomain, `${this.label} job: canceled by client`);
  }

  /** @internal Control's access to the job. */
  signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.cancelWanted && !this.committed) this.abort.abort(this.abortError());
    }
    return this.abort.signal;
  }

  /** @internal */
  isCancelRequested(): boolean {
    return this.cancelWanted && !this.committed;
  }

  /** @internal */
  report(processed: number, total?: number): void {
    if (this.jobState !== JobState.RUNNING) return;
    if (total !== undefined && total >= 0) this.totalBytes = total;
    if (processed > this.processedBytes) this.processedBytes = processed;
    if (this.type === JobType.BOUNDED) (this.eta ??= new EtaEstimator()).record(this.clock.now(), this.processedBytes);
    this.emit('progress');
  }

  /** @internal */
  markCommitted(): void {
    this.committed = true;
  }

  private emit(event: JobEvent): void {
    globalObserver?.(this as VirJob, event);
    const list = this.listeners;
    if (!list) return;
    for (const listener of list.slice()) {
      try {
        listener(this as VirJob, event);
      } catch (err) {
        // A listener's bug must not corrupt the job; surface it the way an EventEmitter would.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

class Control implements JobControl {
  constructor(private readonly job: VirJob) {}

  get signal(): AbortSignal {
    return this.job.signal();
  }

  get cancelRequested(): boolean {
    return this.job.isCancelRequested();
  }

  progress(processed: number, total?: number): void {
    this.job.report(processed, total);
  }

  commit(): void {
    this.job.markCommitted();
  }
}
