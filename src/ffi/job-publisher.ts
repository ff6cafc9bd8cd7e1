import { observeAllJobs, type VirJob } from '../ts/jobs/job.js';
import type { HandleTable } from './handle-table.js';
import type { JobCallbacks } from './job-callbacks.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/**
 * Publishes the progress of every job C has a handle for into the handle's native memory (a sequence
 * lock, native/src/abi/abi_job.c), so virJobGetInfo() answers from any thread without a trip here. It observes
 * every job's every change (observeAllJobs); when a job ends it also posts the
 * job's C callback, and releases the C handles the job's end let go (once the job has dropped its own
 * references, right after the observer returns).
 */
export class JobPublisher {
  constructor(
    private readonly abi: NativeAbi,
    private readonly table: HandleTable,
    private readonly callbacks: JobCallbacks,
  ) {}

  /** Observes every job, for as long as the process runs (the C ABI is installed once). */
  install(): void {
    observeAllJobs((job, event) => {
      const pointer = this.table.existing(job);
      if (pointer !== undefined) this.publish(job, pointer);
      if (event !== 'end') return;
      this.callbacks.ended(job);
      queueMicrotask(() => this.table.sweep(job));
    });
  }

  publish(job: VirJob, pointer: Pointer): void {
    const info = job.getInfo();
    this.abi.jobPublish(
      pointer,
      info.type,
      info.state,
      info.percentComplete,
      info.timeElapsed,
      info.timeRemaining,
      info.dataTotal,
      info.dataProcessed,
      info.dataRemaining,
    );
  }
}
