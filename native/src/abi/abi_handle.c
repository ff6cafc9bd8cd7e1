/*
 * abi_handle.c: slabs of handle slots, checked by address and magic number (see abi_handle.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_handle.h"

#include "abi_object.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS_PER_SLAB 1024
#define MAX_SLABS      4096

/* A released slot waits behind this many others before it is reused, so that a stale pointer keeps
 * failing the magic check (instead of naming a new object) for as long as practical. */
#define REUSE_DELAY 4096

/* Magic numbers per kind ("CONN", "DOMA", ...), and the value a released slot holds. */
static const uint32_t kind_magic[ABI_KIND_COUNT] = {
    0x434f4e4e, 0x444f4d41, 0x4e455457, 0x504f4f4c, 0x564f4c55, 0x4a4f4221, 0x5354524d,
};
#define RELEASED_MAGIC 0xdeadbeefu

static abi_handle *slabs[MAX_SLABS];
static _Atomic size_t slab_count; /* slabs[0 .. slab_count) are readable by any thread */
static size_t next_unused;        /* first never-used slot of the newest slab */

/* Released slots, oldest first. */
static abi_handle *reuse_head;
static abi_handle *reuse_tail;
static size_t reuse_length;

static _Atomic int live_handles;

abi_handle *
abi_handle_check(const void *ptr, abi_kind kind)
{
    if (!ptr || (unsigned)kind >= ABI_KIND_COUNT)
        return NULL;
    uintptr_t address = (uintptr_t)ptr;
    size_t count = atomic_load_explicit(&slab_count, memory_order_acquire);
    for (size_t i = 0; i < count; i++) {
        uintptr_t base = (uintptr_t)slabs[i];
        if (address < base || address >= base + SLOTS_PER_SLAB * sizeof(abi_handle))
            continue;
        if ((address - base) % sizeof(abi_handle) != 0)
            return NULL;
        abi_handle *handle = (abi_handle *)ptr;
        if (atomic_load_explicit(&handle->magic, memory_order_acquire) != kind_magic[kind])
            return NULL;
        return handle;
    }
    return NULL;
}

static abi_handle *
fresh_slot(void)
{
    size_t count = atomic_load_explicit(&slab_count, memory_order_relaxed);
    if (count > 0 && next_unused < SLOTS_PER_SLAB)
        return &slabs[count - 1][next_unused++];
    if (count == MAX_SLABS)
        return NULL;
    abi_handle *slab = calloc(SLOTS_PER_SLAB, sizeof(abi_handle));
    if (!slab)
        return NULL;
    for (size_t i = 0; i < SLOTS_PER_SLAB; i++)
        pthread_mutex_init(&slab[i].lock, NULL);
    slabs[count] = slab;
    atomic_store_explicit(&slab_count, count + 1, memory_order_release);
    next_unused = 1;
    return &slab[0];
}

static abi_handle *
take_slot(void)
{
    if (reuse_length > REUSE_DELAY) {
        abi_handle *slot = reuse_head;
        reuse_head = slot->next_free;
        if (!reuse_head)
            reuse_tail = NULL;
        reuse_length--;
        slot->next_free = NULL;
        return slot;
    }
    return fresh_slot();
}

void *
abi_handle_new(int kind, uint32_t id, void *conn)
{
    if (kind < 0 || kind >= ABI_KIND_COUNT)
        return NULL;
    abi_handle *owner = NULL;
    if (kind != ABI_KIND_CONNECT && !(owner = abi_handle_check(conn, ABI_KIND_CONNECT)))
        return NULL;
    abi_handle *handle = take_slot();
    if (!handle)
        return NULL;
    atomic_store_explicit(&handle->id, id, memory_order_relaxed);
    atomic_store_explicit(&handle->conn, owner ? owner : handle, memory_order_relaxed);
    atomic_store_explicit(&handle->info.seq, 0, memory_order_relaxed);
    atomic_store_explicit(&handle->info.start_ns, 0, memory_order_relaxed);
    /* A caller that stored a string as the slot was released took it back or left it to be freed here. */
    for (int i = 0; i < ABI_KEPT_COUNT; i++)
        free(atomic_exchange(&handle->kept[i], NULL));
    /* A caller racing an earlier release may have left an error behind. */
    pthread_mutex_lock(&handle->lock);
    virResetError(&handle->last_error);
    pthread_mutex_unlock(&handle->lock);
    atomic_store_explicit(&handle->magic, kind_magic[kind], memory_order_release);
    atomic_fetch_add_explicit(&live_handles, 1, memory_order_relaxed);
    return handle;
}

void
abi_handle_release(void *ptr)
{
    abi_handle *handle = NULL;
    for (int kind = 0; kind < ABI_KIND_COUNT && !handle; kind++)
        handle = abi_handle_check(ptr, (abi_kind)kind);
    if (!handle)
        return;
    atomic_store_explicit(&handle->magic, RELEASED_MAGIC, memory_order_release);
    abi_object_clear(handle);
    for (int i = 0; i < ABI_KEPT_COUNT; i++)
        free(atomic_exchange(&handle->kept[i], NULL));
    pthread_mutex_lock(&handle->lock);
    virResetError(&handle->last_error);
    handle->handler = NULL;
    handle->handler_data = NULL;
    pthread_mutex_unlock(&handle->lock);
    virResetError(&handle->job_error);
    atomic_store_explicit(&handle->id, 0, memory_order_relaxed);
    atomic_store_explicit(&handle->conn, NULL, memory_order_relaxed);

    if (reuse_tail)
        reuse_tail->next_free = handle;
    else
        reuse_head = handle;
    reuse_tail = handle;
    reuse_length++;
    atomic_fetch_sub_explicit(&live_handles, 1, memory_order_relaxed);
}

int
abi_debug_live_handles(void)
{
    return atomic_load_explicit(&live_handles, memory_order_relaxed);
}
