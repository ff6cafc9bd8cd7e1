/*
 * abi_error.h: the calling thread's last error, as libvirt keeps it, and how a failure reaches the
 * program: the thread's last error, the connection's copy, then the connection's or the global error
 * callback (or libvirt's default, which prints to stderr).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_ERROR_H
#define TSVIRT_ABI_ERROR_H

#include "abi_handle.h"

/* Clears the calling thread's last error: the first thing every entry point does. */
ABI_INTERNAL void abi_error_reset(void);

/* Makes *from the calling thread's last error, taking over its strings (from is left zeroed). */
ABI_INTERNAL void abi_error_take(virErrorPtr from);

/* Sets the calling thread's last error from its parts (copied). */
ABI_INTERNAL void abi_error_raise(int code, int domain, const char *message);

/* Deep copy of from into to, after freeing what to held.  Returns 0, or -1 when memory is short (to is
 * then reset). */
ABI_INTERNAL int abi_error_copy(virErrorPtr to, const virError *from);

/*
 * Reports the calling thread's last error at the end of a failed call, as libvirt does: a failure that
 * recorded no error gets libvirt's generic one; the error is copied to conn (when the call had a valid
 * one); then conn's error callback, else the global one, else virDefaultErrorFunc() receives it.
 */
ABI_INTERNAL void abi_error_dispatch(abi_handle *conn);

/* For the bridge (through tsvirt_private_symbol): the name libvirt prints for error domain
 * (virDefaultErrorFunc), given once per domain at start-up from the table the TypeScript errors use. */
void abi_set_error_domain_name(int domain, const char *name);

#endif /* TSVIRT_ABI_ERROR_H */
