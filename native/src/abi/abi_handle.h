/*
 * abi_handle.h: the C side of tsvirt's handles (virConnectPtr, virDomainPtr, virJobPtr, ...).
 *
 * A handle given to C names a JavaScript object (VirConnect, VirDomain, VirJob, ...) by an id in the
 * bridge's table (src/ffi/handle-table.ts).  Reference counts live on the JavaScript side, where drivers
 * and jobs hold references too, so virConnectClose() and friends count what libvirt counts; the bridge
 * releases a slot here once its object is gone.
 *
 * Slots come from slabs that are never given back to malloc, and a slot is reused only after many others
 * were released.  So any pointer can be checked without a crash: one outside every slab, misaligned, of
 * another kind or already released is simply not a valid handle, and the entry point reports libvirt's
 * "invalid ... pointer" error.  A double free is caught the same way.
 *
 * Slots are created and released on the JavaScript thread only; any thread may check them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_HANDLE_H
#define TSVIRT_ABI_HANDLE_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* For functions shared between the library's C files: not part of its ABI. */
#define ABI_INTERNAL __attribute__((visibility("hidden")))

/* What a handle stands for.  The values are shared with src/ffi/handle-table.ts; scripts/gen-abi.mjs names
 * the kind of each opaque type of the headers after it (virStoragePool: ABI_KIND_STORAGE_POOL). */
typedef enum abi_kind {
    ABI_KIND_CONNECT = 0,
    ABI_KIND_DOMAIN = 1,
    ABI_KIND_NETWORK = 2,
    ABI_KIND_STORAGE_POOL = 3,
    ABI_KIND_STORAGE_VOL = 4,
    ABI_KIND_JOB = 5,
    ABI_KIND_STREAM = 6,
    ABI_KIND_COUNT
} abi_kind;

/* Strings a handle keeps once asked for, valid as long as the handle: its name (or a connection's type,
 * a job's operation) and a volume's key. */
enum { ABI_KEPT_NAME = 0, ABI_KEPT_KEY = 1, ABI_KEPT_COUNT };

/*
 * A job's progress as the job engine last published it, read without a trip to JavaScript.  One writer
 * (the JavaScript thread) and any number of readers: a sequence lock, odd while a write is under way.
 * Every field is atomic so that a reader racing a writer reads torn values, never undefined behaviour,
 * and retries.
 */
typedef struct abi_job_info {
    _Atomic uint32_t seq;
    _Atomic int type;
    _Atomic int state;
    _Atomic int percent;
    _Atomic long long start_ns;          /* CLOCK_MONOTONIC when the job started */
    _Atomic unsigned long long ended_ms; /* time elapsed, once the job ended */
    _Atomic unsigned long long remaining_ms;
    _Atomic unsigned long long total;
    _Atomic unsigned long long processed;
    _Atomic unsigned long long remaining;
} abi_job_info;

/*
 * What a domain, network, pool or volume handle answers without a trip to JavaScript: its identity (UUID,
 * id) and its object's read-mostly state, as the bridge last published them (src/ffi/object-publisher.ts),
 * in the same kind of sequence lock as a job's progress.  The fields are numbered (values shared with the
 * publisher); `published` says which groups are valid.  A group that is not published (a driver that does
 * not announce its changes, an object that is gone) is asked of the bridge, as before.
 */
enum {
    ABI_PUBLISHED_IDENTITY = 1, /* the UUID: the handle's own */
    ABI_PUBLISHED_STATE = 2,    /* the object's state and info, from its driver */
};

typedef enum abi_field {
    ABI_FIELD_UUID_HIGH = 0, /* the raw UUID's first 8 bytes, big-endian */
    ABI_FIELD_UUID_LOW,
    ABI_FIELD_ID,    /* a domain's, which follows its state */
    ABI_FIELD_STATE, /* virDomainState, virStoragePoolState, virStorageVolType */
    ABI_FIELD_REASON,
    ABI_FIELD_ACTIVE,
    ABI_FIELD_PERSISTENT,
    ABI_FIELD_MAX_MEM, /* KiB */
    ABI_FIELD_MEMORY,  /* KiB */
    ABI_FIELD_VCPUS,
    ABI_FIELD_CPU_TIME,          /* ns */
    ABI_FIELD_CPU_TIME_IS_CLOCK, /* 1: CPU time reads as the wall clock (the test driver's) */
    ABI_FIELD_CAPACITY,          /* bytes */
    ABI_FIELD_ALLOCATION,
    ABI_FIELD_AVAILABLE,
    ABI_FIELD_COUNT
} abi_field;

typedef struct abi_object_state {
    _Atomic uint32_t seq;
    _Atomic int published;
    _Atomic long long field[ABI_FIELD_COUNT];
} abi_object_state;

typedef struct abi_handle abi_handle;
struct abi_handle {
    _Atomic uint32_t magic;     /* the kind's magic while valid */
    _Atomic uint32_t id;        /* key of the JavaScript object in the bridge's table */
    _Atomic(abi_handle *) conn; /* the connection it belongs to (itself for a connection) */
    _Atomic(char *) kept[ABI_KEPT_COUNT];

    /* Connections: the last error raised through them and their own error callback. */
    pthread_mutex_t lock;
    virError last_error;
    virErrorFunc handler;
    void *handler_data;

    /* Domains, networks, pools and volumes: what their getters answer from any thread. */
    abi_object_state object;

    /* Jobs: progress and, once the job failed or was cancelled, its error. */
    abi_job_info info;
    virError job_error;

    abi_handle *next_free; /* while released: the next slot in the reuse queue */
};

/* The handle ptr stands for if it is a valid handle of that kind, else NULL.  Any thread; never crashes. */
ABI_INTERNAL abi_handle *abi_handle_check(const void *ptr, abi_kind kind);

/* For the bridge (JavaScript thread only; through tsvirt_private_symbol). */

/* A new handle of kind for the object with id, belonging to conn (NULL for a connection).  NULL if the
 * slabs are exhausted or memory is short. */
void *abi_handle_new(int kind, uint32_t id, void *conn);

/* Invalidates a handle whose object is gone and frees what it kept. */
void abi_handle_release(void *ptr);

/* How many handles are valid now: what tests count to find leaks. */
int abi_debug_live_handles(void);

#endif /* TSVIRT_ABI_HANDLE_H */
