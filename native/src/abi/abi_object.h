/*
 * abi_object.h: the published identity and state of domain, network, pool and volume handles (see
 * abi_object_state in abi_handle.h), so that their getters answer on any thread without waking the
 * JavaScript thread.
 *
 * One writer, the JavaScript thread (src/ffi/object-publisher.ts), whenever an object's driver announces a
 * change; any number of readers.  A reader gets the state before or after a change, never a mix.  When a
 * group it needs is not published, a getter asks the bridge instead, which answers exactly as before
 * (including libvirt's errors for an object that is gone).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_OBJECT_H
#define TSVIRT_ABI_OBJECT_H

#include "abi_handle.h"

/*
 * Copies the fields of the handle ptr of that kind into out when it is valid and every group in need is
 * published; then, being an answer, it resets the calling thread's last error as every entry point does,
 * and returns 1.  Otherwise 0, and the caller asks the bridge.
 */
ABI_INTERNAL int abi_object_read(const void *ptr, abi_kind kind, int need, long long out[ABI_FIELD_COUNT]);

/* The same for the raw UUID (VIR_UUID_BUFLEN bytes) and its text form (VIR_UUID_STRING_BUFLEN). */
ABI_INTERNAL int abi_object_uuid(const void *ptr, abi_kind kind, unsigned char *uuid);
ABI_INTERNAL int abi_object_uuid_string(const void *ptr, abi_kind kind, char *buf);

/* The CPU time a published domain reports now. */
ABI_INTERNAL unsigned long long abi_object_cpu_time(const long long fields[ABI_FIELD_COUNT]);

/* Forgets what a released handle had published (abi_handle_release). */
ABI_INTERNAL void abi_object_clear(abi_handle *handle);

/* ---- for the bridge (through tsvirt_private_symbol) ---- */

/* Publishes count values (fields from 0) and which groups they make valid; published 0 withdraws all. */
void abi_object_publish(void *ptr, int published, const long long *values, int count);

/* Gives the handle its string for slot (ABI_KEPT_*) unless it has one: names and keys never change. */
void abi_handle_keep(void *ptr, int slot, const char *text);

#endif /* TSVIRT_ABI_OBJECT_H */
