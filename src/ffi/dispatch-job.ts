import { checkJob, checkNonNull, mapResult } from '../ts/api/check.js';
import * as domains from '../ts/api/domain.js';
import * as jobs from '../ts/api/job.js';
import * as networks from '../ts/api/network.js';
import * as storage from '../ts/api/storage.js';
import { structTypes } from './abi-types.js';
import { checkOut } from './c-args.js';
import { writeOut, type Handlers } from './call.js';
import type { HandleTable } from './handle-table.js';
import type { JobCallbacks } from './job-callbacks.js';
import type { NativeAbi } from './native-abi.js';

/** libvirt-job.h, served by src/ts/api/job.ts and the *Job entry points of the other modules. */
export function jobHandlers(abi: NativeAbi, table: HandleTable, callbacks: JobCallbacks) {
  return {
    // ---- starting jobs ----
    virDomainCreateXMLJob: ({ conn, xmlDesc, flags }) => domains.virDomainCreateXMLJob(conn, xmlDesc, flags),
    virDomainCreateLinuxJob: ({ conn, xmlDesc, flags }) => domains.virDomainCreateLinuxJob(conn, xmlDesc, flags),
    virDomainCreateJob: ({ domain, flags }) => domains.virDomainCreateJob(domain, flags),
    virDomainSaveJob: ({ domain, to, flags }) => domains.virDomainSaveJob(domain, to, flags),
    virDomainRestoreJob: ({ conn, from, flags }) => domains.virDomainRestoreJob(conn, from, flags),
    virDomainCoreDumpJob: ({ domain, to, dumpflags, flags }) => domains.virDomainCoreDumpJob(domain, to, dumpflags, flags),
    virNetworkCreateJob: ({ network, flags }) => networks.virNetworkCreateJob(network, flags),
    virNetworkCreateXMLJob: ({ conn, xmlDesc, flags }) => networks.virNetworkCreateXMLJob(conn, xmlDesc, flags),
    virStorageVolCreateXMLJob: ({ pool, xmlDesc, createflags, flags }) =>
      storage.virStorageVolCreateXMLJob(pool, xmlDesc, createflags, flags),
    virStorageVolCreateXMLFromJob: ({ pool, xmlDesc, clonevol, createflags, flags }) =>
      storage.virStorageVolCreateXMLFromJob(pool, xmlDesc, clonevol, createflags, flags),
    virStorageVolWipeJob: ({ vol, algorithm, flags }) => storage.virStorageVolWipeJob(vol, algorithm, flags),

    // ---- watching and controlling jobs ----
    // C reads a valid job's progress from native memory (native/src/libvirt/vir_published.c); this serves the rest.
    virJobGetInfo({ job, info }, c) {
      checkJob(job, c.name);
      checkOut(c, { info });
      writeOut(info, structTypes.virJobInfo, jobs.virJobGetInfo(job));
    },
    virJobCancel: ({ job }) => jobs.virJobCancel(job),
    virJobGetError({ job }) {
      const error = jobs.virJobGetError(job);
      if (!error) return null;
      const { code, domain, level, message, str1, str2, str3, int1, int2 } = error;
      // The job's handle keeps the error for as long as it lives.
      return abi.jobSetError(table.pointer(job), code, domain, level, message, str1 ?? null, str2 ?? null, str3 ?? null, int1, int2);
    },
    virJobGetOperation: ({ job }) => jobs.virJobGetOperation(job),
    virJobRef: ({ job }) => jobs.virJobRef(job),
    virJobFree: ({ job }) => jobs.virJobFree(job),
    virJobGetConnect: ({ job }) => jobs.virJobGetConnect(job),
    virJobGetDomain: ({ job }) => jobs.virJobGetDomain(job),
    virJobGetNetwork: ({ job }) => jobs.virJobGetNetwork(job),
    virJobGetStorageVol: ({ job }) => jobs.virJobGetStorageVol(job),
    virJobGetID: ({ job }) => jobs.virJobGetID(job),
    virJobLookupByID: ({ conn, id }) => jobs.virJobLookupByID(conn, id),
    virConnectListAllJobs: ({ conn, flags }) => jobs.virConnectListAllJobs(conn, flags),
    virJobWait({ job }, c) {
      checkJob(job, c.name);
      c.mayWait();
      return mapResult(jobs.virJobWait(job), () => job.state);
    },
    virJobSetCallback({ job, cb, opaque, freecb }, c) {
      checkJob(job, c.name);
      checkNonNull(cb, 'cb', c.name);
      callbacks.register(job, { cb: cb!, opaque, freecb });
    },
    abiJobCallbackDone: ({ job }) => callbacks.done(job),
  } satisfies Partial<Handlers>;
}
