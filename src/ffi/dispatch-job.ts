import { checkJob, checkNonNull, mapResult } from '../ts/api/check.js';
import * as domains from '../ts/api/domain.js';
import * as jobs from '../ts/api/job.js';
import * as networks from '../ts/api/network.js';
import * as storage from '../ts/api/storage.js';
import type { VirJob } from '../ts/jobs/job.js';
import { structTypes } from './abi-types.js';
import { checkOut } from './c-args.js';
import type { Handlers } from './call.js';
import type { HandleTable } from './handle-table.js';
import type { JobCallbacks } from './job-callbacks.js';
import type { NativeAbi } from './native-abi.js';

/** libvirt-job.h, served by src/ts/api/job.ts and the *Job entry points of the other modules. */
export function jobHandlers(abi: NativeAbi, table: HandleTable, callbacks: JobCallbacks): Handlers {
  return {
    // ---- starting jobs ----
    virDomainCreateXMLJob: (c) => c.setHandle(domains.virDomainCreateXMLJob(c.handle(0), c.text(0), c.num(0))),
    virDomainCreateLinuxJob: (c) => c.setHandle(domains.virDomainCreateLinuxJob(c.handle(0), c.text(0), c.num(0))),
    virDomainCreateJob: (c) => c.setHandle(domains.virDomainCreateJob(c.handle(0), c.num(0))),
    virDomainSaveJob: (c) => c.setHandle(domains.virDomainSaveJob(c.handle(0), c.text(0), c.num(0))),
    virDomainRestoreJob: (c) => c.setHandle(domains.virDomainRestoreJob(c.handle(0), c.text(0), c.num(0))),
    virDomainCoreDumpJob: (c) => c.setHandle(domains.virDomainCoreDumpJob(c.handle(0), c.text(0), c.num(0), c.num(1))),
    virNetworkCreateJob: (c) => c.setHandle(networks.virNetworkCreateJob(c.handle(0), c.num(0))),
    virNetworkCreateXMLJob: (c) => c.setHandle(networks.virNetworkCreateXMLJob(c.handle(0), c.text(0), c.num(0))),
    virStorageVolCreateXMLJob: (c) =>
      c.setHandle(storage.virStorageVolCreateXMLJob(c.handle(0), c.text(0), c.num(0), c.num(1))),
    virStorageVolCreateXMLFromJob: (c) =>
      c.setHandle(storage.virStorageVolCreateXMLFromJob(c.handle(0), c.text(0), c.handle(1), c.num(0), c.num(1))),
    virStorageVolWipeJob: (c) => c.setHandle(storage.virStorageVolWipeJob(c.handle(0), c.num(0), c.num(1))),

    // ---- watching and controlling jobs ----
    // C reads a valid job's progress from native memory (native/src/libvirt/vir_job.c); this serves the rest.
    virJobGetInfo(c) {
      checkJob(c.handle(0), c.name);
      checkOut(c, 0, 'info');
      c.write(0, structTypes.virJobInfo, jobs.virJobGetInfo(c.handle(0)));
    },
    virJobCancel: (c) => c.setInt(jobs.virJobCancel(c.handle(0))),
    virJobGetError(c) {
      const job: VirJob = c.handle(0);
      const error = jobs.virJobGetError(job);
      if (!error) return c.setRawPointer(null);
      const { code, domain, level, message, str1, str2, str3, int1, int2 } = error;
      // The job's handle keeps the error for as long as it lives.
      c.setRawPointer(
        abi.jobSetError(table.pointer(job), code, domain, level, message, str1 ?? null, str2 ?? null, str3 ?? null, int1, int2),
      );
    },
    virJobGetOperation: (c) => c.setString(jobs.virJobGetOperation(c.handle(0))),
    virJobRef: (c) => c.setInt(jobs.virJobRef(c.handle(0))),
    virJobFree: (c) => c.setInt(jobs.virJobFree(c.handle(0))),
    virJobGetConnect: (c) => c.setHandle(jobs.virJobGetConnect(c.handle(0))),
    virJobGetDomain: (c) => c.setHandle(jobs.virJobGetDomain(c.handle(0))),
    virJobGetNetwork: (c) => c.setHandle(jobs.virJobGetNetwork(c.handle(0))),
    virJobGetStorageVol: (c) => c.setHandle(jobs.virJobGetStorageVol(c.handle(0))),
    virConnectListAllJobs: (c) => c.setList(jobs.virConnectListAllJobs(c.handle(0), c.num(0))),
    virJobWait(c) {
      const job: VirJob = c.handle(0);
      checkJob(job, c.name);
      c.mayWait();
      return c.setInt(mapResult(jobs.virJobWait(job), () => job.state));
    },
    virJobSetCallback(c) {
      checkJob(c.handle(0), c.name);
      checkNonNull(c.ptr(0), 'cb', c.name);
      callbacks.register(c.handle(0), { cb: c.ptr(0)!, opaque: c.ptr(1), freecb: c.ptr(2) });
    },
    abiJobCallbackDone: (c) => callbacks.done(c.handle(0)),
  };
}
