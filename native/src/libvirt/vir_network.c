/*
 * vir_network.c: libvirt-network.h.  Each entry point hands its arguments to the TypeScript entry point
 * of the same name (src/ffi/dispatch-network.ts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_object.h"

virConnectPtr
virNetworkGetConnect(virNetworkPtr network)
{
    return abi_pointer(ABI_FN_virNetworkGetConnect, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virConnectNumOfNetworks(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfNetworks, &(abi_args){.handle = {ABI_CONN(conn)}});
}

int
virConnectListNetworks(virConnectPtr conn, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virConnectListNetworks,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virConnectNumOfDefinedNetworks(virConnectPtr conn)
{
    return abi_int(ABI_FN_virConnectNumOfDefinedNetworks, &(abi_args){.handle = {ABI_CONN(conn)}});
}

int
virConnectListDefinedNetworks(virConnectPtr conn, char **const names, int maxnames)
{
    return abi_int(ABI_FN_virConnectListDefinedNetworks,
                   &(abi_args){.handle = {ABI_CONN(conn)}, .num = {maxnames}, .ptr = {names}, .capacity = maxnames});
}

int
virConnectListAllNetworks(virConnectPtr conn, virNetworkPtr **nets, unsigned int flags)
{
    return abi_list(ABI_FN_virConnectListAllNetworks,
                    &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {nets}, .num = {flags}});
}

virNetworkPtr
virNetworkLookupByName(virConnectPtr conn, const char *name)
{
    return abi_pointer(ABI_FN_virNetworkLookupByName, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {name}});
}

virNetworkPtr
virNetworkLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    return abi_pointer(ABI_FN_virNetworkLookupByUUID,
                       &(abi_args){.handle = {ABI_CONN(conn)}, .ptr = {(void *)uuid}});
}

virNetworkPtr
virNetworkLookupByUUIDString(virConnectPtr conn, const char *uuid)
{
    return abi_pointer(ABI_FN_virNetworkLookupByUUIDString, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {uuid}});
}

virNetworkPtr
virNetworkCreateXML(virConnectPtr conn, const char *xmlDesc)
{
    return abi_pointer(ABI_FN_virNetworkCreateXML, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}});
}

virNetworkPtr
virNetworkDefineXML(virConnectPtr conn, const char *xmlDesc)
{
    return abi_pointer(ABI_FN_virNetworkDefineXML, &(abi_args){.handle = {ABI_CONN(conn)}, .str = {xmlDesc}});
}

int
virNetworkUndefine(virNetworkPtr network)
{
    return abi_int(ABI_FN_virNetworkUndefine, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virNetworkCreate(virNetworkPtr network)
{
    return abi_int(ABI_FN_virNetworkCreate, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virNetworkDestroy(virNetworkPtr network)
{
    return abi_int(ABI_FN_virNetworkDestroy, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virNetworkRef(virNetworkPtr network)
{
    return abi_int(ABI_FN_virNetworkRef, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virNetworkFree(virNetworkPtr network)
{
    return abi_int(ABI_FN_virNetworkFree, &(abi_args){.handle = {ABI_NET(network)}});
}

const char *
virNetworkGetName(virNetworkPtr network)
{
    return abi_kept_string(ABI_FN_virNetworkGetName, &(abi_args){.handle = {ABI_NET(network)}}, ABI_KEPT_NAME);
}

int
virNetworkGetUUID(virNetworkPtr network, unsigned char *uuid)
{
    if (abi_object_uuid(network, ABI_KIND_NETWORK, uuid))
        return 0;
    return abi_int(ABI_FN_virNetworkGetUUID, &(abi_args){.handle = {ABI_NET(network)}, .ptr = {uuid}});
}

int
virNetworkGetUUIDString(virNetworkPtr network, char *buf)
{
    if (abi_object_uuid_string(network, ABI_KIND_NETWORK, buf))
        return 0;
    return abi_int(ABI_FN_virNetworkGetUUIDString, &(abi_args){.handle = {ABI_NET(network)}, .ptr = {buf}});
}

char *
virNetworkGetXMLDesc(virNetworkPtr network, unsigned int flags)
{
    return abi_string(ABI_FN_virNetworkGetXMLDesc, &(abi_args){.handle = {ABI_NET(network)}, .num = {flags}});
}

char *
virNetworkGetBridgeName(virNetworkPtr network)
{
    return abi_string(ABI_FN_virNetworkGetBridgeName, &(abi_args){.handle = {ABI_NET(network)}});
}

int
virNetworkGetAutostart(virNetworkPtr network, int *autostart)
{
    return abi_int(ABI_FN_virNetworkGetAutostart, &(abi_args){.handle = {ABI_NET(network)}, .ptr = {autostart}});
}

int
virNetworkSetAutostart(virNetworkPtr network, int autostart)
{
    return abi_int(ABI_FN_virNetworkSetAutostart, &(abi_args){.handle = {ABI_NET(network)}, .num = {autostart}});
}

int
virNetworkIsActive(virNetworkPtr net)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(net, ABI_KIND_NETWORK, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_ACTIVE] ? 1 : 0;
    return abi_int(ABI_FN_virNetworkIsActive, &(abi_args){.handle = {ABI_NET(net)}});
}

int
virNetworkIsPersistent(virNetworkPtr net)
{
    long long f[ABI_FIELD_COUNT];
    if (abi_object_read(net, ABI_KIND_NETWORK, ABI_PUBLISHED_STATE, f))
        return f[ABI_FIELD_PERSISTENT] ? 1 : 0;
    return abi_int(ABI_FN_virNetworkIsPersistent, &(abi_args){.handle = {ABI_NET(net)}});
}
