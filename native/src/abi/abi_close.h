/*
 * abi_close.h: the close callbacks of C programs (virConnectRegisterCloseCallback()), called from the
 * program's event loop (libvirt-event.h) when a connection to a daemon is lost, as libvirt's remote driver
 * calls them from its socket's watch.
 *
 * Each registration has a timer of the event loop, added disabled when the bridge records it; when the
 * connection is lost the bridge arms it, and its callback, on the thread running the loop, calls cb, then
 * freecb, then gives back the connection reference the bridge took at registration (virConnectClose()).
 * As in libvirt 9.0, the registration then keeps cb (so registering another one still fails) but not
 * opaque or freecb.  virConnectUnregisterCloseCallback() calls freecb on the caller's thread.  Without an
 * event loop implementation the callback is recorded but never called.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_CLOSE_H
#define TSVIRT_ABI_CLOSE_H

#include "abi_handle.h"

/* After the bridge removed the close callback of conn: forgets it, calls its freecb if it has not run, and
 * gives back the connection reference if the callback has not fired. */
ABI_INTERNAL void abi_close_release(const void *conn);

/* ---- for the bridge (JavaScript thread; through tsvirt_private_symbol) ---- */

/* Records the close callback of conn (replacing what a callback that fired left), with the reference on conn
 * the bridge took for it.  0, or -1 out of memory (then the caller gives the reference back). */
int abi_close_add(void *conn, void *cb, void *opaque, void *freecb);

/* The connection was lost: arms the timer that calls cb with reason, the thread's last error set (without
 * reporting it) to what ended the connection when error_message is not NULL, as libvirt's loop thread has
 * it.  0, or -1 if nothing will call it (no registration, already fired, no event loop). */
int abi_close_post(void *conn, int reason, int error_code, int error_domain, const char *error_message);

#endif /* TSVIRT_ABI_CLOSE_H */
