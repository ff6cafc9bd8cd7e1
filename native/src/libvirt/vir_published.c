/*
 * vir_published.c: the getters that answer on any thread from what the bridge published into their handle
 * (abi_object.h: identity and state; abi_job.h: a job's progress), without waking the JavaScript thread.
 * When that is not enough (an invalid handle, a NULL out-parameter, a group not published), each one asks
 * the drivers through its generated forwarder, abi_bridged_<name> (entry_points.generated.c), whose
 * TypeScript handler words the answer or the error.  scripts/gen-abi.mjs lists these functions
 * (HAND_WRITTEN), so that it generates the forwarder under that name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"
#include "abi_job.h"
#include "abi_object.h"

/* ---- libvirt-domain.h ---- */

int
virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info)
{
    long long f[ABI_FIELD_COUNT];
    if (info && abi_object_read(domain, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f)) {
        info->state = (unsigned char)f[ABI_FIELD_STATE];
        info->maxMem = (unsigned long)f[ABI_FIELD_MAX_MEM];
        info->memory = (unsigned long)f[ABI_FIELD_MEMORY];
        info->nrVirtCpu = (unsigned short)f[ABI_FIELD_VCPUS];
        info->cpuTime = abi_object_cpu_time(f);
        return 0;
    }
    return abi_bridged_virDomainGetInfo(domain, info);
}

int
virDomainGetState(virDomainPtr domain, int *state, int *reason, unsigned int flags)
{
    long long f[ABI_FIELD_COUNT];
    if (state && flags == 0 && abi_object_read(domain, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f)) {
        *state = (int)f[ABI_FIELD_STATE];
        if (reason)
            *reason = (int)f[ABI_FIELD_REASON];
        return 0;
    }
    return abi_bridged_virDomainGetState(domain, state, reason, flags);
}

unsigned int
virDomainGetID(virDomainPtr domain)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(domain, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f))
        return (unsigned int)f[ABI_FIELD_ID];
    return abi_bridged_virDomainGetID(domain);
}

int
virDomainGetUUID(virDomainPtr domain, unsigned char *uuid)
{
    return abi_object_uuid(domain, ABI_KIND_DOMAIN, uuid) ? 0 : abi_bridged_virDomainGetUUID(domain, uuid);
}

int
virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
    if (abi_object_uuid_string(domain, ABI_KIND_DOMAIN, buf))
        return 0;
    return abi_bridged_virDomainGetUUIDString(domain, buf);
}

/* A published state flag (ABI_FIELD_ACTIVE, ABI_FIELD_PERSISTENT) as libvirt's 1 or 0; -2 when the handle
 * has none published, and the bridge must answer. */
static int
published_flag(const void *ptr, abi_kind kind, abi_field field)
{
    long long f[ABI_FIELD_COUNT];
    if (!abi_object_read(ptr, kind, ABI_PUBLISHED_STATE, f))
        return -2;
    return f[field] ? 1 : 0;
}

int
virDomainIsActive(virDomainPtr dom)
{
    int flag = published_flag(dom, ABI_KIND_DOMAIN, ABI_FIELD_ACTIVE);
    return flag != -2 ? flag : abi_bridged_virDomainIsActive(dom);
}

int
virDomainIsPersistent(virDomainPtr dom)
{
    int flag = published_flag(dom, ABI_KIND_DOMAIN, ABI_FIELD_PERSISTENT);
    return flag != -2 ? flag : abi_bridged_virDomainIsPersistent(dom);
}

/* ---- libvirt-network.h ---- */

int
virNetworkGetUUID(virNetworkPtr network, unsigned char *uuid)
{
    return abi_object_uuid(network, ABI_KIND_NETWORK, uuid) ? 0 : abi_bridged_virNetworkGetUUID(network, uuid);
}

int
virNetworkGetUUIDString(virNetworkPtr network, char *buf)
{
    if (abi_object_uuid_string(network, ABI_KIND_NETWORK, buf))
        return 0;
    return abi_bridged_virNetworkGetUUIDString(network, buf);
}

int
virNetworkIsActive(virNetworkPtr net)
{
    int flag = published_flag(net, ABI_KIND_NETWORK, ABI_FIELD_ACTIVE);
    return flag != -2 ? flag : abi_bridged_virNetworkIsActive(net);
}

int
virNetworkIsPersistent(virNetworkPtr net)
{
    int flag = published_flag(net, ABI_KIND_NETWORK, ABI_FIELD_PERSISTENT);
    return flag != -2 ? flag : abi_bridged_virNetworkIsPersistent(net);
}

/* ---- libvirt-storage.h ---- */

int
virStoragePoolGetUUID(virStoragePoolPtr pool, unsigned char *uuid)
{
    return abi_object_uuid(pool, ABI_KIND_STORAGE_POOL, uuid) ? 0 : abi_bridged_virStoragePoolGetUUID(pool, uuid);
}

int
virStoragePoolGetUUIDString(virStoragePoolPtr pool, char *buf)
{
    if (abi_object_uuid_string(pool, ABI_KIND_STORAGE_POOL, buf))
        return 0;
    return abi_bridged_virStoragePoolGetUUIDString(pool, buf);
}

int
virStoragePoolGetInfo(virStoragePoolPtr pool, virStoragePoolInfoPtr info)
{
    long long f[ABI_FIELD_COUNT];
    if (info && abi_object_read(pool, ABI_KIND_STORAGE_POOL, ABI_PUBLISHED_STATE, f)) {
        info->state = (int)f[ABI_FIELD_STATE];
        info->capacity = (unsigned long long)f[ABI_FIELD_CAPACITY];
        info->allocation = (unsigned long long)f[ABI_FIELD_ALLOCATION];
        info->available = (unsigned long long)f[ABI_FIELD_AVAILABLE];
        return 0;
    }
    return abi_bridged_virStoragePoolGetInfo(pool, info);
}

int
virStoragePoolIsActive(virStoragePoolPtr pool)
{
    int flag = published_flag(pool, ABI_KIND_STORAGE_POOL, ABI_FIELD_ACTIVE);
    return flag != -2 ? flag : abi_bridged_virStoragePoolIsActive(pool);
}

int
virStoragePoolIsPersistent(virStoragePoolPtr pool)
{
    int flag = published_flag(pool, ABI_KIND_STORAGE_POOL, ABI_FIELD_PERSISTENT);
    return flag != -2 ? flag : abi_bridged_virStoragePoolIsPersistent(pool);
}

/* ---- libvirt-job.h ---- */

int
virJobGetInfo(virJobPtr job, virJobInfoPtr info)
{
    abi_handle *handle = abi_handle_check(job, ABI_KIND_JOB);
    if (handle && info) {
        abi_error_reset();
        abi_job_read(handle, info);
        return 0;
    }
    return abi_bridged_virJobGetInfo(job, info);
}
