/*
 * abi_object.c: published identity and state of object handles, read without JavaScript (abi_object.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_object.h"

#include "abi_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static abi_handle *
object_handle(const void *ptr)
{
    static const abi_kind kinds[] = {ABI_KIND_DOMAIN, ABI_KIND_NETWORK, ABI_KIND_STORAGE_POOL, ABI_KIND_STORAGE_VOL};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        abi_handle *handle = abi_handle_check(ptr, kinds[i]);
        if (handle)
            return handle;
    }
    return NULL;
}

static void
write_state(abi_object_state *state, int published, const long long *values, int count)
{
    uint32_t seq = atomic_load_explicit(&state->seq, memory_order_relaxed);
    atomic_store_explicit(&state->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (int i = 0; i < count && i < ABI_FIELD_COUNT; i++)
        atomic_store_explicit(&state->field[i], values[i], memory_order_relaxed);
    atomic_store_explicit(&state->published, published, memory_order_relaxed);
    atomic_store_explicit(&state->seq, seq + 2, memory_order_release);
}

void
abi_object_publish(void *ptr, int published, const long long *values, int count)
{
    abi_handle *handle = object_handle(ptr);
    if (handle)
        write_state(&handle->object, values ? published : 0, values, values ? count : 0);
}

void
abi_object_clear(abi_handle *handle)
{
    write_state(&handle->object, 0, NULL, 0);
}

int
abi_object_read(const void *ptr, abi_kind kind, int need, long long out[ABI_FIELD_COUNT])
{
    abi_handle *handle = abi_handle_check(ptr, kind);
    if (!handle)
        return 0;
    abi_object_state *state = &handle->object;
    int published;
    for (;;) {
        uint32_t before = atomic_load_explicit(&state->seq, memory_order_acquire);
        if (before & 1)
            continue;
        published = atomic_load_explicit(&state->published, memory_order_relaxed);
        for (int i = 0; i < ABI_FIELD_COUNT; i++)
            out[i] = atomic_load_explicit(&state->field[i], memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&state->seq, memory_order_relaxed) == before)
            break;
    }
    if ((published & need) != need)
        return 0;
    abi_error_reset();
    return 1;
}

int
abi_object_uuid(const void *ptr, abi_kind kind, unsigned char *uuid)
{
    long long fields[ABI_FIELD_COUNT];
    if (!uuid || !abi_object_read(ptr, kind, ABI_PUBLISHED_IDENTITY, fields))
        return 0;
    unsigned long long high = (unsigned long long)fields[ABI_FIELD_UUID_HIGH];
    unsigned long long low = (unsigned long long)fields[ABI_FIELD_UUID_LOW];
    for (int i = 0; i < 8; i++) {
        uuid[i] = (unsigned char)(high >> (56 - 8 * i));
        uuid[8 + i] = (unsigned char)(low >> (56 - 8 * i));
    }
    return 1;
}

int
abi_object_uuid_string(const void *ptr, abi_kind kind, char *buf)
{
    unsigned char uuid[VIR_UUID_BUFLEN];
    if (!buf || !abi_object_uuid(ptr, kind, uuid))
        return 0;
    snprintf(buf, VIR_UUID_STRING_BUFLEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9], uuid[10],
             uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
    return 1;
}

unsigned long long
abi_object_cpu_time(const long long fields[ABI_FIELD_COUNT])
{
    if (!fields[ABI_FIELD_CPU_TIME_IS_CLOCK])
        return (unsigned long long)fields[ABI_FIELD_CPU_TIME];
    /* The test driver's CPU time is the wall clock, which it reads in milliseconds. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return ((unsigned long long)now.tv_sec * 1000ULL + (unsigned long long)now.tv_nsec / 1000000ULL) * 1000000ULL;
}

void
abi_handle_keep(void *ptr, int slot, const char *text)
{
    abi_handle *handle = object_handle(ptr);
    if (!handle || slot < 0 || slot >= ABI_KEPT_COUNT || !text)
        return;
    char *copy = strdup(text);
    char *expected = NULL;
    if (copy && !atomic_compare_exchange_strong(&handle->kept[slot], &expected, copy))
        free(copy);
}
