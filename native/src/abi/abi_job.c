/*
 * abi_job.c: published job progress (a sequence lock) and the job callback delivery thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_job.h"

#include "abi_bridge.h"
#include "abi_error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long
monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

void
abi_job_publish(void *job, int type, int state, int percent, unsigned long long elapsed_ms,
                unsigned long long remaining_ms, unsigned long long total, unsigned long long processed,
                unsigned long long remaining)
{
    abi_handle *handle = abi_handle_check(job, ABI_KIND_JOB);
    if (!handle)
        return;
    abi_job_info *info = &handle->info;
    /*
     * Readers compute a running job's elapsed time from its start on this clock, so that it never goes
     * backwards between two publications; the start comes from the first one.  The final time elapsed is
     * the job engine's, unless a reader already saw more (the two clocks differ by rounding).
     */
    long long now = monotonic_ns();
    long long start = atomic_load_explicit(&info->start_ns, memory_order_relaxed);
    if (start == 0)
        start = now - (long long)elapsed_ms * 1000000LL;
    unsigned long long ended = elapsed_ms;
    if (state != VIR_JOB_RUNNING && now > start && (unsigned long long)(now - start) / 1000000ULL > ended)
        ended = (unsigned long long)(now - start) / 1000000ULL;

    uint32_t seq = atomic_load_explicit(&info->seq, memory_order_relaxed);
    atomic_store_explicit(&info->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&info->type, type, memory_order_relaxed);
    atomic_store_explicit(&info->state, state, memory_order_relaxed);
    atomic_store_explicit(&info->percent, percent, memory_order_relaxed);
    atomic_store_explicit(&info->start_ns, start, memory_order_relaxed);
    atomic_store_explicit(&info->ended_ms, ended, memory_order_relaxed);
    atomic_store_explicit(&info->remaining_ms, remaining_ms, memory_order_relaxed);
    atomic_store_explicit(&info->total, total, memory_order_relaxed);
    atomic_store_explicit(&info->processed, processed, memory_order_relaxed);
    atomic_store_explicit(&info->remaining, remaining, memory_order_relaxed);
    atomic_store_explicit(&info->seq, seq + 2, memory_order_release);
}

void
abi_job_read(abi_handle *job, virJobInfoPtr out)
{
    abi_job_info *info = &job->info;
    virJobInfo snapshot;
    long long start;
    for (;;) {
        uint32_t before = atomic_load_explicit(&info->seq, memory_order_acquire);
        if (before & 1)
            continue;
        snapshot.type = atomic_load_explicit(&info->type, memory_order_relaxed);
        snapshot.state = atomic_load_explicit(&info->state, memory_order_relaxed);
        snapshot.percentComplete = atomic_load_explicit(&info->percent, memory_order_relaxed);
        snapshot.timeElapsed = atomic_load_explicit(&info->ended_ms, memory_order_relaxed);
        snapshot.timeRemaining = atomic_load_explicit(&info->remaining_ms, memory_order_relaxed);
        snapshot.dataTotal = atomic_load_explicit(&info->total, memory_order_relaxed);
        snapshot.dataProcessed = atomic_load_explicit(&info->processed, memory_order_relaxed);
        snapshot.dataRemaining = atomic_load_explicit(&info->remaining, memory_order_relaxed);
        start = atomic_load_explicit(&info->start_ns, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&info->seq, memory_order_relaxed) == before)
            break;
    }
    /* A running job's clock keeps going between two publications; a finished job's stopped. */
    if (snapshot.state == VIR_JOB_RUNNING) {
        long long since = monotonic_ns() - start;
        snapshot.timeElapsed = since > 0 ? (unsigned long long)since / 1000000ULL : 0;
    }
    *out = snapshot;
}

virErrorPtr
abi_job_set_error(void *job, int code, int domain, int level, const char *message, const char *str1, const char *str2,
                  const char *str3, int int1, int int2)
{
    abi_handle *handle = abi_handle_check(job, ABI_KIND_JOB);
    if (!handle)
        return NULL;
    if (handle->job_error.code == VIR_ERR_OK) {
        /* Built aside and copied in, so that a reader never sees a half-made error. */
        virError error = {
            .code = code,
            .domain = domain,
            .level = level,
            .message = (char *)message,
            .str1 = (char *)str1,
            .str2 = (char *)str2,
            .str3 = (char *)str3,
            .int1 = int1,
            .int2 = int2,
        };
        abi_error_copy(&handle->job_error, &error);
    }
    return &handle->job_error;
}

/* ---- callback delivery ---- */

typedef struct delivery {
    virJobCallback cb;
    virJobPtr job;
    int state;
    void *opaque;
    virFreeCallback freecb;
    struct delivery *next;
} delivery;

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static delivery *queue_head;
static delivery *queue_tail;
static int thread_started;

static void *
deliver(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (!queue_head)
            pthread_cond_wait(&queue_cond, &queue_lock);
        delivery *next = queue_head;
        queue_head = next->next;
        if (!queue_head)
            queue_tail = NULL;
        pthread_mutex_unlock(&queue_lock);

        next->cb(next->job, next->state, next->opaque);
        if (next->freecb)
            next->freecb(next->opaque);
        /* Gives back the reference the bridge took for the callback. */
        abi_int(ABI_FN_abiJobCallbackDone, &(abi_args){.handle = {{ABI_KIND_JOB, next->job}}});
        free(next);
    }
    return NULL;
}

int
abi_job_post_callback(void *cb, void *job, int state, void *opaque, void *freecb)
{
    delivery *entry = calloc(1, sizeof(*entry));
    if (!entry)
        return -1;
    entry->cb = (virJobCallback)cb;
    entry->job = job;
    entry->state = state;
    entry->opaque = opaque;
    entry->freecb = (virFreeCallback)freecb;

    pthread_mutex_lock(&queue_lock);
    if (!thread_started) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, deliver, NULL);
        pthread_attr_destroy(&attr);
        if (failed) {
            pthread_mutex_unlock(&queue_lock);
            free(entry);
            return -1;
        }
        thread_started = 1;
    }
    if (queue_tail)
        queue_tail->next = entry;
    else
        queue_head = entry;
    queue_tail = entry;
    pthread_cond_signal(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
    return 0;
}
