import type { MaybePromise } from '../drivers/driver.js';
import { ErrorDomain, ErrorNumber, type VirError, virError } from '../errors/index.js';
import { JobType, type VirJob } from '../jobs/job.js';

export type JobStateName = 'running' | 'completed' | 'failed' | 'cancelled';

/** A snapshot of a job's progress. Times in milliseconds, data in bytes. */
export interface JobProgress {
  state: JobStateName;
  type: 'bounded' | 'unbounded';
  /** 0..99 while a bounded job runs, 100 once completed; -1 while an unbounded job runs. */
  percent: number;
  processed: number;
  total: number;
  elapsedMs: number;
  /** 0 until the rate can be estimated, and for unbounded or finished jobs. */
  remainingMs: number;
}

export interface JobOptions {
  /** Aborting the signal cancels the job. */
  signal?: AbortSignal;
  /**
   * On a connection to tsvirtd: the daemon cancels the job when this connection closes or this process goes
   * away (VIR_JOB_START_CANCEL_ON_DISCONNECT). Without it the job runs on and can be found again by id from
   * another connection or process. A job that runs in this process ends with it anyway.
   */
  cancelOnDisconnect?: boolean;
}

/** The job start options of a method's options (virJobStartFlags). */
export function startOptions(options: JobOptions): { cancelOnDisconnect?: boolean } {
  return options.cancelOnDisconnect ? { cancelOnDisconnect: true } : {};
}

const STATE_NAMES: readonly JobStateName[] = ['running', 'completed', 'failed', 'cancelled'];

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A long operation in progress. Await it for its result (it rejects with the job's VirError), iterate it
 * for progress snapshots until it ends, cancel it (or abort the signal given at start), and dispose of it
 * with `await using` (which cancels a job still running and waits for it to end).
 *
 * The signal is watched from the call on: aborting it in the same tick as the call cancels the job, and a
 * signal aborted before the call starts nothing and rejects at once with VIR_ERR_OPERATION_ABORTED.
 */
export class Job<T> implements PromiseLike<T>, AsyncIterable<JobProgress>, AsyncDisposable {
  #handle: VirJob | null = null;
  readonly #started: Promise<VirJob | null>;
  /** Settles once the job ended and its handle was released; never rejects (no unhandled rejections). */
  readonly #ended: Promise<Outcome<T>>;
  #outcome: Promise<T> | null = null;
  #cancelWanted = false;

  /** @internal Built by tsvirt's objects from a started (or failing-to-start) entry-point call. */
  constructor(start: () => MaybePromise<VirJob>, take: (job: VirJob) => T, options: JobOptions = {}) {
    const { signal } = options;
    const onAbort = () => this.#tryCancel();
    // Listening starts now, before the job does: an abort later in this tick is not lost.
    signal?.addEventListener('abort', onAbort, { once: true });
    let startError: unknown = null;
    this.#started = (async () => {
      try {
        if (signal?.aborted) throw abortedBeforeStart();
        const job = await start();
        this.#handle = job;
        if (this.#cancelWanted) this.#tryCancel();
        return job;
      } catch (err) {
        startError = err;
        return null;
      }
    })();
    this.#ended = this.#started.then(async (job): Promise<Outcome<T>> => {
      try {
        if (!job) return { ok: false, error: startError };
        await job.whenDone();
        if (job.error) return { ok: false, error: job.error };
        return { ok: true, value: take(job) };
      } catch (error) {
        return { ok: false, error };
      } finally {
        signal?.removeEventListener('abort', onAbort);
        // The handle's references (connection, domain) go as soon as the job ends; its final figures stay readable.
        job?.unref();
      }
    });
  }

  /** The job's id (unique in the process that runs it: tsvirtd for a remote job), once it has started. */
  get id(): number | undefined {
    const job = this.#handle;
    return job ? (job.daemonId ?? job.id) : undefined;
  }

  get operation(): string | undefined {
    return this.#handle?.operation;
  }

  /** What the job works on, once it has started: a domain's or network's name, a volume as `pool/name`. */
  get object(): string | undefined {
    const job = this.#handle;
    if (!job) return undefined;
    if (job.domain) return job.domain.name;
    if (job.network) return job.network.name;
    if (job.vol) return `${job.vol.pool}/${job.vol.name}`;
    return undefined;
  }

  /**
   * Resolves once the call that starts (or finds) the job has answered: true if the job exists, false if it
   * could not start (awaiting the Job then rejects with why). From then on `id`, `operation` and
   * `progress()` answer.
   */
  async started(): Promise<boolean> {
    return (await this.#started) !== null;
  }

  /** The current progress, or null before the job started (or if it could not start). */
  progress(): JobProgress | null {
    return this.#handle ? snapshot(this.#handle) : null;
  }

  /** The error of a failed or cancelled job. */
  get error(): VirError | null {
    return this.#handle?.error ?? null;
  }

  /**
   * Requests cancellation and returns at once; harmless to repeat, and to call before the job started. A job
   * whose work cannot be stopped (a remote memory-only dump, a remote restore: see docs/remote.md) refuses:
   * this throws its VIR_ERR_OPERATION_INVALID and the job runs on. (Through the `signal` or `await using`, a
   * refusal is not thrown: the job simply runs to its end.)
   */
  cancel(): void {
    this.#cancelWanted = true;
    const job = this.#handle;
    if (job?.running) job.cancel();
  }

  /** Why a cancel requested while the job ran did not take effect (the job completed first), or null. */
  get cancelError(): VirError | null {
    return this.#handle?.cancelError ?? null;
  }

  /** cancel() for the signal and disposal, where a refusal has nobody to be thrown to. */
  #tryCancel(): void {
    try {
      this.cancel();
    } catch {
      // refused: the job runs to its end, which awaiting it reports
    }
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#result().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#result().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#result().finally(onFinally);
  }

  /**
   * Progress snapshots as the job moves (the newest one if the reader falls behind), ending with exactly one
   * snapshot of the final state. A job that could not start yields nothing.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<JobProgress> {
    const job = await this.#started;
    if (!job) return;
    let wake: (() => void) | null = null;
    let changed = true;
    const unsubscribe = job.subscribe(() => {
      changed = true;
      wake?.();
    });
    try {
      for (;;) {
        if (!changed) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        changed = false;
        const current = snapshot(job);
        yield current;
        if (current.state !== 'running') return;
      }
    } finally {
      unsubscribe();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#tryCancel();
    await this.#ended;
  }

  #result(): Promise<T> {
    return (this.#outcome ??= this.#ended.then((outcome) => {
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    }));
  }
}

function snapshot(job: VirJob): JobProgress {
  const info = job.getInfo();
  return {
    state: STATE_NAMES[info.state]!,
    type: info.type === JobType.BOUNDED ? 'bounded' : 'unbounded',
    percent: info.percentComplete,
    processed: info.dataProcessed,
    total: info.dataTotal,
    elapsedMs: info.timeElapsed,
    remainingMs: info.timeRemaining,
  };
}

function abortedBeforeStart(): VirError {
  return virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_NONE, 'job canceled by client before it started');
}

