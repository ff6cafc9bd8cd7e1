/*
 * vir_job.c: libvirt-job.h, tsvirt's background jobs.  Each entry point hands its arguments to the
 * TypeScript entry point of the same name (src/ffi/dispatch-job.ts), except that virJobGetInfo() on a
 * valid job reads the progress the bridge published (abi_job.h) without leaving the calling thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"
#include "abi_job.h"

/* ---- starting jobs ---- */

virJobPtr
virDomainCreateXMLJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCreateXMLJob,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

virJobPtr
virDomainCreateLinuxJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCreateLinuxJob,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

virJobPtr
virDomainCreateJob(virDomainPtr domain, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCreateJob, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

virJobPtr
virDomainSaveJob(virDomainPtr domain, const char *to, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainSaveJob, &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to}, .num = {flags}});
}

virJobPtr
virDomainRestoreJob(virConnectPtr conn, const char *from, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainRestoreJob,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {from}, .num = {flags}});
}

virJobPtr
virDomainCoreDumpJob(virDomainPtr domain, const char *to, unsigned int dumpflags, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCoreDumpJob,
                       &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to}, .num = {dumpflags, flags}});
}

virJobPtr
virNetworkCreateJob(virNetworkPtr network, unsigned int flags)
{
    return abi_pointer(ABI_FN_virNetworkCreateJob, &(abi_args){.handle = {ABI_NET(network)}, .num = {flags}});
}

virJobPtr
virNetworkCreateXMLJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virNetworkCreateXMLJob,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

virJobPtr
virStorageVolCreateXMLJob(virStoragePoolPtr pool, const char *xmlDesc, unsigned int createflags, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStorageVolCreateXMLJob,
                       &(abi_args){.handle = {ABI_POOL(pool)}, .str = {xmlDesc}, .num = {createflags, flags}});
}

virJobPtr
virStorageVolCreateXMLFromJob(virStoragePoolPtr pool, const char *xmlDesc, virStorageVolPtr clonevol,
                              unsigned int createflags, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStorageVolCreateXMLFromJob,
                       &(abi_args){.handle = {ABI_POOL(pool), ABI_VOL(clonevol)}, .str = {xmlDesc},
                                   .num = {createflags, flags}});
}

virJobPtr
virStorageVolWipeJob(virStorageVolPtr vol, unsigned int algorithm, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStorageVolWipeJob, &(abi_args){.handle = {ABI_VOL(vol)}, .num = {algorithm, flags}});
}

/* ---- watching and controlling jobs ---- */

int
virJobGetInfo(virJobPtr job, virJobInfoPtr info)
{
    abi_handle *handle = abi_handle_check(job, ABI_KIND_JOB);
    if (handle && info) {
        abi_error_reset();
        abi_job_read(handle, info);
        return 0;
    }
    /* The TypeScript entry point words the error. */
    return abi_int(ABI_FN_virJobGetInfo, &(abi_args){.handle = {ABI_JOB(job)}, .ptr = {info}});
}

int
virJobCancel(virJobPtr job)
{
    return abi_int(ABI_FN_virJobCancel, &(abi_args){.handle = {ABI_JOB(job)}});
}

virErrorPtr
virJobGetError(virJobPtr job)
{
    return abi_pointer(ABI_FN_virJobGetError, &(abi_args){.handle = {ABI_JOB(job)}});
}

const char *
virJobGetOperation(virJobPtr job)
{
    return abi_kept_string(ABI_FN_virJobGetOperation, &(abi_args){.handle = {ABI_JOB(job)}}, ABI_KEPT_NAME);
}

int
virJobRef(virJobPtr job)
{
    return abi_int(ABI_FN_virJobRef, &(abi_args){.handle = {ABI_JOB(job)}});
}

int
virJobFree(virJobPtr job)
{
    return abi_int(ABI_FN_virJobFree, &(abi_args){.handle = {ABI_JOB(job)}});
}

virConnectPtr
virJobGetConnect(virJobPtr job)
{
    return abi_pointer(ABI_FN_virJobGetConnect, &(abi_args){.handle = {ABI_JOB(job)}});
}

virDomainPtr
virJobGetDomain(virJobPtr job)
{
    return abi_pointer(ABI_FN_virJobGetDomain, &(abi_args){.handle = {ABI_JOB(job)}});
}

virNetworkPtr
virJobGetNetwork(virJobPtr job)
{
    return abi_pointer(ABI_FN_virJobGetNetwork, &(abi_args){.handle = {ABI_JOB(job)}});
}

virStorageVolPtr
virJobGetStorageVol(virJobPtr job)
{
    return abi_pointer(ABI_FN_virJobGetStorageVol, &(abi_args){.handle = {ABI_JOB(job)}});
}

int
virConnectListAllJobs(virConnectPtr conn, virJobPtr **jobs, unsigned int flags)
{
    return abi_list(ABI_FN_virConnectListAllJobs,
                    &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {jobs}, .num = {flags}});
}

int
virJobWait(virJobPtr job)
{
    return abi_int(ABI_FN_virJobWait, &(abi_args){.handle = {ABI_JOB(job)}});
}

int
virJobSetCallback(virJobPtr job, virJobCallback cb, void *opaque, virFreeCallback freecb)
{
    return abi_int(ABI_FN_virJobSetCallback,
                   &(abi_args){.handle = {ABI_JOB(job)}, .ptr = {(void *)cb, opaque, (void *)freecb}});
}
