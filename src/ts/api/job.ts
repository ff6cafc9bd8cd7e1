import type { VirConnect, VirDomain, VirNetwork, VirStorageVol } from '../core/handles.js';
import type { MaybePromise } from '../drivers/driver.js';
import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';
import type { JobInfo, VirJob } from '../jobs/job.js';
import { checkConnect, checkJob, checkUInt, slot } from './check.js';

/** The job API: tsvirt's addition to libvirt, shaped like the rest of it. */

export function virJobGetInfo(job: VirJob): JobInfo {
  checkJob(job, 'virJobGetInfo');
  return job.getInfo();
}

/** Requests cancellation and returns at once; see VirJob.cancel for the rules. */
export function virJobCancel(job: VirJob): number {
  checkJob(job, 'virJobCancel');
  job.cancel();
  return 0;
}

/** The error of a failed or cancelled job (null otherwise); it lives as long as the job. */
export function virJobGetError(job: VirJob): VirError | null {
  checkJob(job, 'virJobGetError');
  return job.error;
}

export function virJobGetOperation(job: VirJob): string {
  checkJob(job, 'virJobGetOperation');
  return job.operation;
}

export function virJobRef(job: VirJob): number {
  checkJob(job, 'virJobRef');
  job.ref();
  return 0;
}

export function virJobFree(job: VirJob): number {
  checkJob(job, 'virJobFree');
  job.unref();
  return 0;
}

/** Each getter returns a new reference the caller frees, or null when the job has no such object (yet). */
export function virJobGetConnect(job: VirJob): VirConnect {
  checkJob(job, 'virJobGetConnect');
  return job.conn.ref();
}

export function virJobGetDomain(job: VirJob): VirDomain | null {
  checkJob(job, 'virJobGetDomain');
  return job.domain?.ref() ?? null;
}

export function virJobGetNetwork(job: VirJob): VirNetwork | null {
  checkJob(job, 'virJobGetNetwork');
  return job.network?.ref() ?? null;
}

export function virJobGetStorageVol(job: VirJob): VirStorageVol | null {
  checkJob(job, 'virJobGetStorageVol');
  return job.vol?.ref() ?? null;
}

/** The job's id: positive, unique in the process that runs the job (for a job of tsvirtd, the daemon's id). */
export function virJobGetID(job: VirJob): number {
  checkJob(job, 'virJobGetID');
  return job.daemonId ?? job.id;
}

/** A new reference to the job with this id, if the connection's driver instance runs it (see LocalJobs). */
export function virJobLookupByID(conn: VirConnect, id: number): MaybePromise<VirJob> {
  checkConnect(conn, 'virJobLookupByID');
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_DOMAIN, 'id in virJobLookupByID must be greater than zero');
  return slot(conn.drivers.jobs, 'jobLookupByID', 'virJobLookupByID')(conn, id);
}

/** The jobs of the connection's driver instance, oldest first, each as a new reference. */
export function virConnectListAllJobs(conn: VirConnect, flags: number): MaybePromise<VirJob[]> {
  checkConnect(conn, 'virConnectListAllJobs');
  checkUInt(flags, 'flags', 'virConnectListAllJobs');
  return slot(conn.drivers.jobs, 'connectListAllJobs', 'virConnectListAllJobs')(conn, flags);
}

/**
 * Resolves with the job's terminal state (a virJobState) once it has ended: the TypeScript form of
 * virJobWait, which never blocks the event loop.
 */
export async function virJobWait(job: VirJob): Promise<number> {
  checkJob(job, 'virJobWait');
  job.ref();
  try {
    await job.whenDone();
    return job.state;
  } finally {
    job.unref();
  }
}
