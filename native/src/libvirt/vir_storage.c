/*
 * vir_storage.c: libvirt-storage.h, pools and volumes.  Each entry point hands its arguments to the
 * TypeScript entry point of the same name (src/ffi/dispatch-storage.ts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_object.h"

/* ---- pools ---- */

virConnectPtr
virStoragePoolGetConnect(virStoragePoolPtr pool)
{
    return abi_pointer(ABI_FN_virStoragePoolGetConnect, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virConnectNumOfStoragePools(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfStoragePools, &(abi_args){.handle = {ABI_CONN(conn)}});
}

int
virConnectListStoragePools(virConnectPtr conn, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virConnectListStoragePools,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virConnectNumOfDefinedStoragePools(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfDefinedStoragePools, &(abi_args){.handle = {ABI_CONN(conn)}});
}

int
virConnectListDefinedStoragePools(virConnectPtr conn, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virConnectListDefinedStoragePools,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virConnectListAllStoragePools(virConnectPtr conn, virStoragePoolPtr **pools, unsigned int flags)
{
    return abi_list(ABI_FN_virConnectListAllStoragePools,
                    &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {pools}, .num = {flags}});
}

virStoragePoolPtr
virStoragePoolLookupByName(virConnectPtr conn, const char *name)
{
    return abi_pointer(ABI_FN_virStoragePoolLookupByName, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {name}});
}

virStoragePoolPtr
virStoragePoolLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    return abi_pointer(ABI_FN_virStoragePoolLookupByUUID,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {(void *)uuid}});
}

virStoragePoolPtr
virStoragePoolLookupByUUIDString(virConnectPtr conn, const char *uuid)
{
    return abi_pointer(ABI_FN_virStoragePoolLookupByUUIDString,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {uuid}});
}

virStoragePoolPtr
virStoragePoolLookupByVolume(virStorageVolPtr vol)
{
    return abi_pointer(ABI_FN_virStoragePoolLookupByVolume, &(abi_args){.handle = {ABI_VOL(vol)}});
}

virStoragePoolPtr
virStoragePoolCreateXML(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStoragePoolCreateXML,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

virStoragePoolPtr
virStoragePoolDefineXML(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStoragePoolDefineXML,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}, .num = {flags}});
}

int
virStoragePoolBuild(virStoragePoolPtr pool, unsigned int flags)
{
    return abi_int(ABI_FN_virStoragePoolBuild, &(abi_args){.handle = {ABI_POOL(pool)}, .num = {flags}});
}

int
virStoragePoolUndefine(virStoragePoolPtr pool)
{
    return abi_int(ABI_FN_virStoragePoolUndefine, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolCreate(virStoragePoolPtr pool, unsigned int flags)
{
    return abi_int(ABI_FN_virStoragePoolCreate, &(abi_args){.handle = {ABI_POOL(pool)}, .num = {flags}});
}

int
virStoragePoolDestroy(virStoragePoolPtr pool)
{
    return abi_int(ABI_FN_virStoragePoolDestroy, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolDelete(virStoragePoolPtr pool, unsigned int flags)
{
    return abi_int(ABI_FN_virStoragePoolDelete, &(abi_args){.handle = {ABI_POOL(pool)}, .num = {flags}});
}

int
virStoragePoolRef(virStoragePoolPtr pool)
{
    return abi_int(ABI_FN_virStoragePoolRef, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolFree(virStoragePoolPtr pool)
{
    return abi_int(ABI_FN_virStoragePoolFree, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolRefresh(virStoragePoolPtr pool, unsigned int flags)
{
    return abi_int(ABI_FN_virStoragePoolRefresh, &(abi_args){.handle = {ABI_POOL(pool)}, .num = {flags}});
}

const char *
virStoragePoolGetName(virStoragePoolPtr pool)
{
    return abi_kept_string(ABI_FN_virStoragePoolGetName, &(abi_args){.handle = {ABI_POOL(pool)}}, ABI_KEPT_NAME);
}

int
virStoragePoolGetUUID(virStoragePoolPtr pool, unsigned char *uuid)
{
    if (abi_object_uuid(pool, ABI_KIND_STORAGE_POOL, uuid))
        return 0;
    return abi_int(ABI_FN_virStoragePoolGetUUID, &(abi_args){.handle = {ABI_POOL(pool)}, .ptr = {uuid}});
}

int
virStoragePoolGetUUIDString(virStoragePoolPtr pool, char *buf)
{
    if (abi_object_uuid_string(pool, ABI_KIND_STORAGE_POOL, buf))
        return 0;
    return abi_int(ABI_FN_virStoragePoolGetUUIDString, &(abi_args){.handle = {ABI_POOL(pool)}, .ptr = {buf}});
}

int
virStoragePoolGetInfo(virStoragePoolPtr vol, virStoragePoolInfoPtr info)
{
    long long f[ABI_FIELD_COUNT];
    if (info && abi_object_read(vol, ABI_KIND_STORAGE_POOL, ABI_PUBLISHED_STATE, f)) {
        info->state = (int)f[ABI_FIELD_STATE];
        info->capacity = (unsigned long long)f[ABI_FIELD_CAPACITY];
        info->allocation = (unsigned long long)f[ABI_FIELD_ALLOCATION];
        info->available = (unsigned long long)f[ABI_FIELD_AVAILABLE];
        return 0;
    }
    return abi_int(ABI_FN_virStoragePoolGetInfo, &(abi_args){.handle = {ABI_POOL(vol)}, .ptr = {info}});
}

char *
virStoragePoolGetXMLDesc(virStoragePoolPtr pool, unsigned int flags)
{
    return abi_string(ABI_FN_virStoragePoolGetXMLDesc, &(abi_args){.handle = {ABI_POOL(pool)}, .num = {flags}});
}

int
virStoragePoolGetAutostart(virStoragePoolPtr pool, int *autostart)
{
    return abi_int(ABI_FN_virStoragePoolGetAutostart, &(abi_args){.handle = {ABI_POOL(pool)}, .ptr = {autostart}});
}

int
virStoragePoolNumOfVolumes(virStoragePoolPtr pool)
{
    return abi_int(ABI_FN_virStoragePoolNumOfVolumes, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolListVolumes(virStoragePoolPtr pool, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virStoragePoolListVolumes,
                   &(abi_args){.handle = {ABI_POOL(pool)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virStoragePoolListAllVolumes(virStoragePoolPtr pool, virStorageVolPtr **vols, unsigned int flags)
{
    return abi_list(ABI_FN_virStoragePoolListAllVolumes,
                    &(abi_args){.handle = {ABI_POOL(pool)}, .ptr = {vols}, .num = {flags}});
}

int
virStoragePoolIsActive(virStoragePoolPtr pool)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(pool, ABI_KIND_STORAGE_POOL, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_ACTIVE] ? 1 : 0;
    return abi_int(ABI_FN_virStoragePoolIsActive, &(abi_args){.handle = {ABI_POOL(pool)}});
}

int
virStoragePoolIsPersistent(virStoragePoolPtr pool)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(pool, ABI_KIND_STORAGE_POOL, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_PERSISTENT] ? 1 : 0;
    return abi_int(ABI_FN_virStoragePoolIsPersistent, &(abi_args){.handle = {ABI_POOL(pool)}});
}

/* ---- volumes ---- */

virConnectPtr
virStorageVolGetConnect(virStorageVolPtr vol)
{
    return abi_pointer(ABI_FN_virStorageVolGetConnect, &(abi_args){.handle = {ABI_VOL(vol)}});
}

virStorageVolPtr
virStorageVolLookupByName(virStoragePoolPtr pool, const char *name)
{
    return abi_pointer(ABI_FN_virStorageVolLookupByName, &(abi_args){.handle = {ABI_POOL(pool)}, .str = {name}});
}

virStorageVolPtr
virStorageVolLookupByKey(virConnectPtr conn, const char *key)
{
    return abi_pointer(ABI_FN_virStorageVolLookupByKey, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {key}});
}

virStorageVolPtr
virStorageVolLookupByPath(virConnectPtr conn, const char *path)
{
    return abi_pointer(ABI_FN_virStorageVolLookupByPath, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {path}});
}

const char *
virStorageVolGetName(virStorageVolPtr vol)
{
    return abi_kept_string(ABI_FN_virStorageVolGetName, &(abi_args){.handle = {ABI_VOL(vol)}}, ABI_KEPT_NAME);
}

const char *
virStorageVolGetKey(virStorageVolPtr vol)
{
    return abi_kept_string(ABI_FN_virStorageVolGetKey, &(abi_args){.handle = {ABI_VOL(vol)}}, ABI_KEPT_KEY);
}

virStorageVolPtr
virStorageVolCreateXML(virStoragePoolPtr pool, const char *xmldesc, unsigned int flags)
{
    return abi_pointer(ABI_FN_virStorageVolCreateXML,
                       &(abi_args){.handle = {ABI_POOL(pool)}, .str = {xmldesc}, .num = {flags}});
}

virStorageVolPtr
virStorageVolCreateXMLFrom(virStoragePoolPtr pool, const char *xmldesc, virStorageVolPtr clonevol,
                           unsigned int flags)
{
    return abi_pointer(ABI_FN_virStorageVolCreateXMLFrom,
                       &(abi_args){.handle = {ABI_POOL(pool), ABI_VOL(clonevol)}, .str = {xmldesc}, .num = {flags}});
}

int
virStorageVolDelete(virStorageVolPtr vol, unsigned int flags)
{
    return abi_int(ABI_FN_virStorageVolDelete, &(abi_args){.handle = {ABI_VOL(vol)}, .num = {flags}});
}

int
virStorageVolWipe(virStorageVolPtr vol, unsigned int flags)
{
    return abi_int(ABI_FN_virStorageVolWipe, &(abi_args){.handle = {ABI_VOL(vol)}, .num = {flags}});
}

int
virStorageVolWipePattern(virStorageVolPtr vol, unsigned int algorithm, unsigned int flags)
{
    return abi_int(ABI_FN_virStorageVolWipePattern, &(abi_args){.handle = {ABI_VOL(vol)}, .num = {algorithm, flags}});
}

int
virStorageVolRef(virStorageVolPtr vol)
{
    return abi_int(ABI_FN_virStorageVolRef, &(abi_args){.handle = {ABI_VOL(vol)}});
}

int
virStorageVolFree(virStorageVolPtr vol)
{
    return abi_int(ABI_FN_virStorageVolFree, &(abi_args){.handle = {ABI_VOL(vol)}});
}

int
virStorageVolGetInfo(virStorageVolPtr vol, virStorageVolInfoPtr info)
{
    return abi_int(ABI_FN_virStorageVolGetInfo, &(abi_args){.handle = {ABI_VOL(vol)}, .ptr = {info}});
}

char *
virStorageVolGetXMLDesc(virStorageVolPtr pool, unsigned int flags)
{
    return abi_string(ABI_FN_virStorageVolGetXMLDesc, &(abi_args){.handle = {ABI_VOL(pool)}, .num = {flags}});
}

char *
virStorageVolGetPath(virStorageVolPtr vol)
{
    return abi_string(ABI_FN_virStorageVolGetPath, &(abi_args){.handle = {ABI_VOL(vol)}});
}

int
virStorageVolResize(virStorageVolPtr vol, unsigned long long capacity, unsigned int flags)
{
    return abi_int(ABI_FN_virStorageVolResize,
                   &(abi_args){.handle = {ABI_VOL(vol)}, .num = {(long long)capacity, flags}});
}
