/*
 * abi_event.h: the domain event callbacks of C programs (virConnectDomainEventRegisterAny()), and the
 * queue of their events, dispatched from the program's event loop (libvirt-event.h) as libvirt does.
 *
 * Like libvirt's per-driver event state, the callbacks of C programs share one timer of the event loop,
 * added (virEventAddTimeout(), disabled) when the first callback is registered and removed when the last
 * one is gone.  The bridge queues each event for each callback it is for, as the driver emits it inside
 * the call that caused it (with a domain handle made for the call, whose reference the dispatch gives back
 * with virDomainFree() afterwards), and the first event queued arms the timer; the timer's callback, on the thread running the loop, calls the callbacks in the
 * order the events happened.  A callback deregistered during a dispatch gets nothing more, and its
 * freecb runs once the dispatch is over, as in libvirt; otherwise freecb runs in
 * virConnectDomainEventDeregisterAny(), on the caller's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_EVENT_H
#define TSVIRT_ABI_EVENT_H

#include "abi_handle.h"

/* After the bridge removed callback id of conn: forgets it and calls its freecb (now, or after the
 * dispatch under way), then removes the timer if it was the last callback. */
ABI_INTERNAL void abi_event_callback_release(const void *conn, int id);

/* ---- for the bridge (JavaScript thread; through tsvirt_private_symbol) ---- */

/* Before a callback is registered: adds the timer if there is none.  0, or -1 if the event loop has no
 * implementation (virEventAddTimeout() failed). */
int abi_event_timer_acquire(void);

/* After a registration failed: removes the timer if no callback uses it. */
void abi_event_timer_release(void);

/* Records callback id of conn.  0, or -1 out of memory. */
int abi_event_callback_add(void *conn, int id, void *cb, void *opaque, void *freecb);

/* Queues a lifecycle event for callback id of conn, with dom (a reference the dispatch releases); the first
 * event of an empty queue arms the timer, as in libvirt.  0, or -1 if it could not be queued (then the
 * caller keeps the reference). */
int abi_event_post(void *conn, int id, void *dom, int event, int detail);

#endif /* TSVIRT_ABI_EVENT_H */
