import type { VirConnect } from '../core/handles.js';
import type { JobStarter, MaybePromise } from '../drivers/driver.js';
import { VirJob, type JobProduct } from '../jobs/job.js';

/**
 * The JobStarter handed to drivers: jobs belong to the connection the caller used. A job whose result names a
 * new object (`produces`) holds a handle on it once it completed (virJobGetDomain and friends).
 */
export function jobStarter(conn: VirConnect, produces?: JobProduct): JobStarter {
  return (spec, work) => new VirJob({ ...spec, conn, produces }, work);
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
