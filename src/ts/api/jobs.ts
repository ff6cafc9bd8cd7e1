import { VirDomain, VirNetwork, VirStorageVol, type DomainRef, type NetworkRef, type StorageVolRef, type VirConnect } from '../core/handles.js';
import type { JobStarter, MaybePromise } from '../drivers/driver.js';
import { JobState, VirJob } from '../jobs/job.js';

/** The JobStarter handed to drivers: jobs belong to the connection the caller used. */
export function jobStarter(conn: VirConnect): JobStarter {
  return (spec, work) => new VirJob({ ...spec, conn }, work);
}

/**
 * A create job's result becomes a handle the job holds (virJobGetDomain and friends), set before anyone
 * waiting on the job is woken.
 */
export function adoptDomain(job: VirJob<DomainRef>): VirJob<DomainRef> {
  job.subscribe((j, event) => {
    if (event !== 'end' || j.state !== JobState.COMPLETED || !job.result) return;
    job.domain?.unref();
    job.domain = new VirDomain(j.conn, job.result);
  });
  return job;
}

export function adoptNetwork(job: VirJob<NetworkRef>): VirJob<NetworkRef> {
  job.subscribe((j, event) => {
    if (event !== 'end' || j.state !== JobState.COMPLETED || !job.result) return;
    job.network?.unref();
    job.network = new VirNetwork(j.conn, job.result);
  });
  return job;
}

export function adoptStorageVol(job: VirJob<StorageVolRef>): VirJob<StorageVolRef> {
  job.subscribe((j, event) => {
    if (event !== 'end' || j.state !== JobState.COMPLETED || !job.result) return;
    job.vol?.unref();
    job.vol = new VirStorageVol(j.conn, job.result);
  });
  return job;
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
