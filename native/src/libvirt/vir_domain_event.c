/*
 * vir_domain_event.c: virConnectDomainEventDeregisterAny(), whose freecb runs on the caller's thread as
 * in libvirt, so its entry point is written here around the generated forwarder (the bridge removes the
 * registration, then abi_event.c calls freecb).  virConnectDomainEventRegisterAny() is generated: the
 * bridge registers the callback with the native queue itself (src/ffi/domain-event-callbacks.ts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_event.h"

int
virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    int rc = abi_bridged_virConnectDomainEventDeregisterAny(conn, callbackID);
    if (rc == 0)
        abi_event_callback_release(conn, callbackID);
    return rc;
}
