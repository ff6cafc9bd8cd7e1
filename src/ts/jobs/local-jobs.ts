import { virConnectListAllJobsFlags } from '../core/enums.generated.js';
import { checkFlags } from '../core/flags.js';
import type { VirConnect } from '../core/handles.js';
import type { JobDriver } from '../drivers/driver.js';
import { ErrorNumber, virError, type ErrorDomain } from '../errors/index.js';
import type { VirJob } from './job.js';
import { findJob, registeredJobs } from './registry.js';

const { VIR_CONNECT_LIST_JOBS_RUNNING: RUNNING, VIR_CONNECT_LIST_JOBS_FINISHED: FINISHED } = virConnectListAllJobsFlags;

/**
 * The job table of one local driver instance: its connections see the jobs started through any of them
 * (from the process-wide registry), and no other instance's. One object per instance, made with the state
 * the instance's connections share; its identity is what a job's `owner` is compared with.
 */
export class LocalJobs implements JobDriver {
  /** errorDomain: where the driver reports from (VIR_FROM_TEST for the test driver). */
  constructor(private readonly errorDomain: ErrorDomain) {}

  jobLookupByID(conn: VirConnect, id: number): VirJob {
    const job = findJob(id);
    if (!job || job.owner !== this)
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, this.errorDomain, `no job with matching id ${id}`);
    return job.refFor(conn);
  }

  connectListAllJobs(conn: VirConnect, flags: number): VirJob[] {
    checkFlags(flags, RUNNING | FINISHED, 'virConnectListAllJobs', this.errorDomain);
    // Like virConnectListAllDomains' ACTIVE/INACTIVE: neither flag or both means every job.
    const wanted = (flags & (RUNNING | FINISHED)) || RUNNING | FINISHED;
    const found: VirJob[] = [];
    for (const job of registeredJobs()) {
      if (job.owner !== this) continue;
      if (wanted & (job.running ? RUNNING : FINISHED)) found.push(job.refFor(conn));
    }
    return found;
  }
}
