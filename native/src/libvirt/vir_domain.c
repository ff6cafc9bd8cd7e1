/*
 * vir_domain.c: libvirt-domain.h.  Each entry point hands its arguments to the TypeScript entry point of
 * the same name (src/ffi/dispatch-domain.ts); the blocking ones (virDomainSave, virDomainCreate, ...)
 * wait there for their job, blocking only the calling thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_object.h"

int
virConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    return abi_int(ABI_FN_virConnectListDomains,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxids}, .ptr = {ids}, .capacity = maxids});
}

int
virConnectNumOfDomains(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfDomains, &(abi_args){.handle = {ABI_CONN(conn)}});
}

virConnectPtr
virDomainGetConnect(virDomainPtr domain)
{
    return abi_pointer(ABI_FN_virDomainGetConnect, &(abi_args){.handle = {ABI_DOM(domain)}});
}

virDomainPtr
virDomainCreateXML(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCreateXML,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

virDomainPtr
virDomainLookupByName(virConnectPtr conn, const char *name)
{
    return abi_pointer(ABI_FN_virDomainLookupByName, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {name}});
}

virDomainPtr
virDomainLookupByID(virConnectPtr conn, int id)
{
    return abi_pointer(ABI_FN_virDomainLookupByID, &(abi_args){.handle = {ABI_CONN(conn)}, .num = {id}});
}

virDomainPtr
virDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    return abi_pointer(ABI_FN_virDomainLookupByUUID,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {(void *)uuid}});
}

virDomainPtr
virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid)
{
    return abi_pointer(ABI_FN_virDomainLookupByUUIDString, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {uuid}});
}

int
virDomainShutdown(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainShutdown, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainShutdownFlags(virDomainPtr domain, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainShutdownFlags, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

int
virDomainReboot(virDomainPtr domain, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainReboot, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

int
virDomainDestroy(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainDestroy, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainDestroyFlags(virDomainPtr domain, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainDestroyFlags, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

int
virDomainRef(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainRef, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainFree(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainFree, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainSuspend(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainSuspend, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainResume(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainResume, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainSave(virDomainPtr domain, const char *to)
{
    return abi_int(ABI_FN_virDomainSave, &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to}});
}

int
virDomainSaveFlags(virDomainPtr domain, const char *to, const char *dxml, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainSaveFlags,
                   &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to, dxml}, .num = {flags}});
}

int
virDomainRestore(virConnectPtr conn, const char *from)
{
    return abi_int(ABI_FN_virDomainRestore, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {from}});
}

int
virDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainRestoreFlags,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .str = {from, dxml}, .num = {flags}});
}

int
virDomainHasManagedSaveImage(virDomainPtr dom, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainHasManagedSaveImage, &(abi_args){.handle = {ABI_DOM(dom)}, .num = {flags}});
}

int
virDomainCoreDump(virDomainPtr domain, const char *to, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainCoreDump, &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to}, .num = {flags}});
}

int
virDomainCoreDumpWithFormat(virDomainPtr domain, const char *to, unsigned int dumpformat, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainCoreDumpWithFormat,
                   &(abi_args){.handle = {ABI_DOM(domain)}, .str = {to}, .num = {dumpformat, flags}});
}

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
    return abi_int(ABI_FN_virDomainGetInfo, &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {info}});
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
    return abi_int(ABI_FN_virDomainGetState,
                   &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {state, reason}, .num = {flags}});
}

const char *
virDomainGetName(virDomainPtr domain)
{
    return abi_kept_string(ABI_FN_virDomainGetName, &(abi_args){.handle = {ABI_DOM(domain)}}, ABI_KEPT_NAME);
}

unsigned int
virDomainGetID(virDomainPtr domain)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(domain, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f))
        return (unsigned int)f[ABI_FIELD_ID];
    return (unsigned int)abi_int(ABI_FN_virDomainGetID, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainGetUUID(virDomainPtr domain, unsigned char *uuid)
{
    if (abi_object_uuid(domain, ABI_KIND_DOMAIN, uuid))
        return 0;
    return abi_int(ABI_FN_virDomainGetUUID, &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {uuid}});
}

int
virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
    if (abi_object_uuid_string(domain, ABI_KIND_DOMAIN, buf))
        return 0;
    return abi_int(ABI_FN_virDomainGetUUIDString, &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {buf}});
}

char *
virDomainGetOSType(virDomainPtr domain)
{
    return abi_string(ABI_FN_virDomainGetOSType, &(abi_args){.handle = {ABI_DOM(domain)}});
}

unsigned long
virDomainGetMaxMemory(virDomainPtr domain)
{
    return (unsigned long)abi_number(ABI_FN_virDomainGetMaxMemory, &(abi_args){.handle = {ABI_DOM(domain)}}, 0);
}

int
virDomainGetSecurityLabel(virDomainPtr domain, virSecurityLabelPtr seclabel)
{
    return abi_int(ABI_FN_virDomainGetSecurityLabel, &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {seclabel}});
}

char *
virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    return abi_string(ABI_FN_virDomainGetXMLDesc, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

virDomainPtr
virDomainDefineXML(virConnectPtr conn, const char *xml)
{
    return abi_pointer(ABI_FN_virDomainDefineXML, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xml}});
}

virDomainPtr
virDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainDefineXMLFlags,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xml}, .num = {flags}});
}

int
virDomainUndefine(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainUndefine, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainUndefineFlags(virDomainPtr domain, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainUndefineFlags, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

int
virConnectNumOfDefinedDomains(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfDefinedDomains, &(abi_args){.handle = {ABI_CONN(conn)}});
}

int
virConnectListDefinedDomains(virConnectPtr conn, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virConnectListDefinedDomains,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
{
    return abi_list(ABI_FN_virConnectListAllDomains,
                    &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {domains}, .num = {flags}});
}

int
virDomainCreate(virDomainPtr domain)
{
    return abi_int(ABI_FN_virDomainCreate, &(abi_args){.handle = {ABI_DOM(domain)}});
}

int
virDomainCreateWithFlags(virDomainPtr domain, unsigned int flags)
{
    return abi_int(ABI_FN_virDomainCreateWithFlags, &(abi_args){.handle = {ABI_DOM(domain)}, .num = {flags}});
}

int
virDomainGetAutostart(virDomainPtr domain, int *autostart)
{
    return abi_int(ABI_FN_virDomainGetAutostart, &(abi_args){.handle = {ABI_DOM(domain)}, .ptr = {autostart}});
}

virDomainPtr
virDomainCreateLinux(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virDomainCreateLinux,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

int
virDomainIsActive(virDomainPtr dom)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(dom, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_ACTIVE] ? 1 : 0;
    return abi_int(ABI_FN_virDomainIsActive, &(abi_args){.handle = {ABI_DOM(dom)}});
}

int
virDomainIsPersistent(virDomainPtr dom)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(dom, ABI_KIND_DOMAIN, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_PERSISTENT] ? 1 : 0;
    return abi_int(ABI_FN_virDomainIsPersistent, &(abi_args){.handle = {ABI_DOM(dom)}});
}

int
virDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    return abi_int(ABI_FN_virDomainGetJobInfo, &(abi_args){.handle = {ABI_DOM(dom)}, .ptr = {info}});
}

int
virDomainAbortJob(virDomainPtr dom)
{
    return abi_int(ABI_FN_virDomainAbortJob, &(abi_args){.handle = {ABI_DOM(dom)}});
}
