import type { VirConnect } from '../core/handles.js';
import { virJobStartFlags } from '../core/enums.generated.js';
import type { JobStarter, JobStartOptions, MaybePromise } from '../drivers/driver.js';
import { VirJob, type JobProduct } from '../jobs/job.js';

/**
 * The JobStarter handed to drivers: jobs belong to the connection the caller used. A job whose result names a
 * new object (`produces`) holds a handle on it once it completed (virJobGetDomain and friends).
 */
export function jobStarter(conn: VirConnect, produces?: JobProduct, options: JobStartOptions = {}): JobStarter {
  const start = <T>(spec: Parameters<JobStarter>[0], work: Parameters<JobStarter>[1]) =>
    new VirJob<T>({ ...spec, conn, produces }, work as (c: any) => Promise<T>);
  return Object.assign(start, { options });
}

const { VIR_JOB_START_CANCEL_ON_DISCONNECT: CANCEL_ON_DISCONNECT } = virJobStartFlags;

/**
 * A job form's flags split into the flags of its blocking twin and the job start flags every job form accepts
 * (virJobStartFlags, which no twin uses). A value that is not a flags word is handed on unchanged, for the
 * entry point's own check to refuse.
 */
export function splitJobFlags(flags: number): { flags: number; options: JobStartOptions } {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) return { flags, options: {} };
  if (Math.floor(flags / CANCEL_ON_DISCONNECT) % 2 === 0) return { flags, options: {} };
  return { flags: flags - CANCEL_ON_DISCONNECT, options: { cancelOnDisconnect: true } };
}

/**
 * The blocking twin of a job function: starts the job, waits for its end without blocking the event loop,
 * drops the job and hands back what `take` reads from it. Every failure, whether the job could not start or
 * failed later, is a rejection: a Promise-returning function never throws.
 */
export async function runToEnd<J extends VirJob<any>, R>(start: () => MaybePromise<J>, take: (job: J) => R): Promise<R> {
  const job = await start();
  try {
    await job.whenDone();
    if (job.error) throw job.error;
    return take(job);
  } finally {
    job.unref();
  }
}
