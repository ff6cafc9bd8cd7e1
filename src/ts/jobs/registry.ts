import type { VirJob } from './job.js';

/**
 * The process's jobs by id, so that a job can be found again from another connection (virJobLookupByID,
 * virConnectListAllJobs; in tsvirtd, from another process). A job is findable
 *
 * - while it runs, and while anyone holds a reference to it (a handle, a callback, a waiter);
 * - after its last reference is gone, as one of the RETAINED_FINISHED_JOBS most recently released finished
 *   jobs: such a job has already let go of its connection and objects (so retention never keeps a
 *   connection open), only its figures, error and identity stay, and finding it hands out a new reference
 *   bound to the finder's connection.
 *
 * Which driver instance may see a job is the driver's business (LocalJobs); this table only knows ids.
 */
export const RETAINED_FINISHED_JOBS = 256;

/** Every findable job; insertion order is id order (ids only grow and a job is entered once). */
const byId = new Map<number, VirJob>();
/** The findable jobs nobody holds, oldest release first: the first to be forgotten. */
const retained = new Set<VirJob>();

export function registerJob(job: VirJob): void {
  byId.set(job.id, job);
}

/** A finished job's last reference went: keep it findable within the bound, forgetting the oldest. */
export function retainJob(job: VirJob): void {
  retained.add(job);
  for (const oldest of retained) {
    if (retained.size <= RETAINED_FINISHED_JOBS) break;
    retained.delete(oldest);
    byId.delete(oldest.id);
  }
}

/** A retained job is held again: it stays findable for as long as it is held. */
export function unretainJob(job: VirJob): void {
  retained.delete(job);
}

export function findJob(id: number): VirJob | undefined {
  return byId.get(id);
}

/** Every findable job, oldest first. */
export function registeredJobs(): IterableIterator<VirJob> {
  return byId.values();
}
