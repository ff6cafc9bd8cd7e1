/*
 * vir_domain_event.c: the domain event entry points, written around their generated forwarders.
 *  - virConnectDomainEventRegisterAny(): dom may be NULL (every domain), which the bridge cannot tell from
 *    a freed or foreign handle (both reach it as no object), so a dom that is not NULL is checked here.
 *    The bridge registers the callback with the native queue (src/ffi/domain-event-callbacks.ts).
 *  - virConnectDomainEventDeregisterAny(): freecb runs on the caller's thread as in libvirt: the bridge
 *    removes the registration, then abi_event.c calls freecb.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"
#include "abi_event.h"

int
virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID,
                                 virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb)
{
    abi_handle *checked = abi_handle_check(conn, ABI_KIND_CONNECT);
    /* An invalid connection is reported first, by the bridge, as libvirt checks conn before dom. */
    if (checked && dom && !abi_handle_check(dom, ABI_KIND_DOMAIN)) {
        abi_error_reset();
        abi_error_raise(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM,
                        "invalid domain pointer in virConnectDomainEventRegisterAny");
        abi_error_dispatch(checked);
        return -1;
    }
    return abi_bridged_virConnectDomainEventRegisterAny(conn, dom, eventID, cb, opaque, freecb);
}

int
virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    int rc = abi_bridged_virConnectDomainEventDeregisterAny(conn, callbackID);
    if (rc == 0)
        abi_event_callback_release(conn, callbackID);
    return rc;
}
