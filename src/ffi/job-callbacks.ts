import { ErrorNumber, virError } from '../ts/errors/index.js';
import type { VirJob } from '../ts/jobs/job.js';
import type { HandleTable } from './handle-table.js';
import { holdEventLoop } from './keep-alive.js';
import type { NativeAbi, Pointer } from './native-abi.js';

interface Registration {
  cb: Pointer;
  opaque: Pointer | null;
  freecb: Pointer | null;
}

/**
 * The C callbacks of virJobSetCallback(), from registration until the delivery thread has run them
 * (native/src/abi/abi_job.h). From registration on, the job holds an extra reference (so its handle stays
 * valid for the callback, whatever the caller frees) and the event loop stays alive (the delivery thread
 * calls back to give the reference back: ENGINEERING.md, koffi rule 2).
 */
export class JobCallbacks {
  /** Jobs that were given a callback, delivered or not: a job takes one. */
  private readonly given = new WeakSet<VirJob>();
  /** Registered callbacks of jobs still running. */
  private readonly waiting = new Map<VirJob, Registration>();
  /** The loop hold of each callback registered and not yet done. */
  private readonly holds = new Map<VirJob, () => void>();

  constructor(
    private readonly abi: NativeAbi,
    private readonly table: HandleTable,
  ) {}

  register(job: VirJob, registration: Registration): void {
    if (this.given.has(job))
      throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, job.errorDomain, `job ${job.id} already has a callback`);
    this.given.add(job);
    job.ref();
    this.holds.set(job, holdEventLoop());
    if (job.running) this.waiting.set(job, registration);
    else this.post(job, registration);
  }

  /** The job reached its terminal state (the job observer's 'end'). */
  ended(job: VirJob): void {
    const registration = this.waiting.get(job);
    if (!registration) return;
    this.waiting.delete(job);
    this.post(job, registration);
  }

  /** The delivery thread is done with the job's callback: give back what registration took. */
  done(job: VirJob): void {
    const release = this.holds.get(job);
    if (!release) return;
    this.holds.delete(job);
    job.unref();
    release();
    this.table.sweep(job);
  }

  private post(job: VirJob, { cb, opaque, freecb }: Registration): void {
    if (this.abi.jobPostCallback(cb, this.table.pointer(job), job.state, opaque, freecb) === 0) return;
    // No delivery thread (or no memory for the queue): nothing will ever call back, so let go now.
    process.emitWarning(`tsvirt: cannot deliver the callback of job ${job.id}: no delivery thread`);
    this.done(job);
  }
}
