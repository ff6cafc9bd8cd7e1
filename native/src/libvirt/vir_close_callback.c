/*
 * vir_close_callback.c: the close callback entry points, written around their generated forwarders.
 *  - virConnectRegisterCloseCallback(): the bridge registers it with the connection's driver and, for a
 *    driver whose connections can be lost (a daemon's), records it in abi_close.h with a reference on
 *    the connection (src/ffi/close-callbacks.ts).
 *  - virConnectUnregisterCloseCallback(): freecb runs on the caller's thread as in libvirt: the bridge
 *    removes the registration, then abi_close.c calls freecb.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_close.h"

int
virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb)
{
    return abi_bridged_virConnectRegisterCloseCallback(conn, cb, opaque, freecb);
}

int
virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    int rc = abi_bridged_virConnectUnregisterCloseCallback(conn, cb);
    if (rc == 0)
        abi_close_release(conn);
    return rc;
}
