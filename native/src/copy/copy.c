/*
 * copy.c: life of a copy task: argument checks, the worker thread, publishing the result, cancel and free.
 */
#include "copy_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Workers only call into libc; a small stack keeps many concurrent tasks cheap. */
#define COPY_WORKER_STACK (256 * 1024)

static tsvirt_copy_task *
task_new(copy_op op, const char *target, unsigned int flags)
{
    tsvirt_copy_task *task = calloc(1, sizeof(*task));
    if (!task)
        return NULL;
    atomic_init(&task->progress.processed, 0);
    atomic_init(&task->progress.total, 0);
    atomic_init(&task->progress.state, TSVIRT_COPY_RUNNING);
    atomic_init(&task->progress.error, 0);
    atomic_init(&task->cancel_requested, false);
    atomic_init(&task->refs, 1);
    task->op = op;
    task->flags = flags;
    task->linger_fd = -1;
    if (target && !(task->target = strdup(target))) {
        free(task);
        return NULL;
    }
    return task;
}

static void
task_destroy(tsvirt_copy_task *task)
{
    free(task->source);
    free(task->target);
    free(task);
}

static void
task_release(tsvirt_copy_task *task)
{
    if (atomic_fetch_sub_explicit(&task->refs, 1, memory_order_acq_rel) == 1)
        task_destroy(task);
}

/* Publishes the final state: error and message are visible to whoever sees the state. */
static void
task_finish(tsvirt_copy_task *task, int state)
{
    atomic_store_explicit(&task->progress.state, state, memory_order_release);
}

static int
task_vfail(tsvirt_copy_task *task, int err, bool with_text, const char *fmt, va_list ap)
{
    if (task->message[0])
        return TSVIRT_COPY_FAILED;
    int len = vsnprintf(task->message, sizeof(task->message), fmt, ap);
    if (with_text && len >= 0 && (size_t)len < sizeof(task->message)) {
        char buf[256];
        /* GNU strerror_r: returns the text, which may or may not live in buf. */
        const char *text = strerror_r(err, buf, sizeof(buf));
        snprintf(task->message + len, sizeof(task->message) - (size_t)len, ": %s", text);
    }
    atomic_store_explicit(&task->progress.error, err, memory_order_relaxed);
    return TSVIRT_COPY_FAILED;
}

int
copy_fail(tsvirt_copy_task *task, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int state = task_vfail(task, err, true, fmt, ap);
    va_end(ap);
    return state;
}

int
copy_fail_plain(tsvirt_copy_task *task, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int state = task_vfail(task, err, false, fmt, ap);
    va_end(ap);
    return state;
}

void
copy_close_later(tsvirt_copy_task *task, int fd)
{
    task->linger_fd = fd;
}

bool
copy_cancelled(tsvirt_copy_task *task)
{
    return atomic_load_explicit(&task->cancel_requested, memory_order_relaxed);
}

int
copy_commit_target(tsvirt_copy_task *task, int *fd)
{
    /* Last chance to stop: past this point the operation completes even when cancelled. */
    if (copy_cancelled(task))
        return TSVIRT_COPY_CANCELLED;
    if (fsync(*fd) < 0)
        return copy_fail(task, errno, "cannot sync data to file '%s'", task->target);
    int rc = close(*fd);
    *fd = -1;
    if (rc < 0)
        return copy_fail(task, errno, "cannot close file '%s'", task->target);
    if (copy_sync_parent_dir(task->target) < 0)
        return copy_fail(task, errno, "cannot sync the directory of '%s'", task->target);
    return TSVIRT_COPY_DONE;
}

void
copy_set_total(tsvirt_copy_task *task, uint64_t total)
{
    atomic_store_explicit(&task->progress.total, total, memory_order_relaxed);
}

void
copy_add_processed(tsvirt_copy_task *task, uint64_t bytes)
{
    uint64_t processed = atomic_fetch_add_explicit(&task->progress.processed, bytes, memory_order_relaxed) + bytes;
    /* A source that gained data since it was measured: revise the total rather than pass it. */
    if (processed > atomic_load_explicit(&task->progress.total, memory_order_relaxed))
        atomic_store_explicit(&task->progress.total, processed, memory_order_relaxed);
}

static void *
worker_main(void *arg)
{
    tsvirt_copy_task *task = arg;
    int state = TSVIRT_COPY_FAILED;
    switch (task->op) {
    case COPY_OP_CLONE:
        state = copy_run_clone(task);
        break;
    case COPY_OP_ALLOCATE:
        state = copy_run_allocate(task);
        break;
    case COPY_OP_WIPE:
        state = copy_run_wipe(task);
        break;
    }
    int linger_fd = task->linger_fd;
    task_finish(task, state);
    if (linger_fd >= 0)
        close(linger_fd);
    task_release(task);
    return NULL;
}

/*
 * Workers outlive what their users see: a worker still closes its removed partial file after publishing
 * the final state, and a process may exit with tasks running. koffi unloads libraries when Node's
 * environment goes away, and a worker would then return into unmapped code. So once a worker starts,
 * this library stays mapped until the process ends.
 */
static void
pin_library(void)
{
    Dl_info info;
    if (dladdr((void *)&tsvirt_copy_task_free, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

/* Starts the worker, or fails the task when no thread can be had. */
static tsvirt_copy_task *
task_launch(tsvirt_copy_task *task)
{
    pthread_attr_t attr;
    pthread_t thread;
    sigset_t all, old;
    int rc;

    static pthread_once_t pinned = PTHREAD_ONCE_INIT;
    pthread_once(&pinned, pin_library);
    atomic_store_explicit(&task->refs, 2, memory_order_relaxed);
    if ((rc = pthread_attr_init(&attr)) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, COPY_WORKER_STACK);
        /* The worker inherits this mask: signals stay with the threads that handle them (Node's). */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        rc = pthread_create(&thread, &attr, worker_main, task);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        atomic_store_explicit(&task->refs, 1, memory_order_relaxed);
        task_finish(task, copy_fail(task, rc, "cannot create thread for volume task"));
    }
    return task;
}

/* A task that failed its argument checks: it never runs, and reads like any failed task. */
static tsvirt_copy_task *
task_reject(tsvirt_copy_task *task, const char *why)
{
    task_finish(task, copy_fail_plain(task, EINVAL, "%s", why));
    return task;
}

static bool
valid_path(const char *path)
{
    return path && path[0];
}

tsvirt_copy_task *
tsvirt_copy_clone_start(const char *source, const char *target, uint64_t capacity, uint32_t mode, unsigned int flags)
{
    tsvirt_copy_task *task = task_new(COPY_OP_CLONE, valid_path(target) ? target : NULL, flags);
    if (!task)
        return NULL;
    if (valid_path(source) && !(task->source = strdup(source))) {
        task_destroy(task);
        errno = ENOMEM;
        return NULL;
    }
    task->capacity = capacity;
    task->mode = mode;
    if (!task->source)
        return task_reject(task, "invalid source path");
    if (!task->target)
        return task_reject(task, "invalid target path");
    if (flags & ~(unsigned int)(TSVIRT_COPY_REFLINK_AUTO | TSVIRT_COPY_REFLINK_ALWAYS | TSVIRT_COPY_NO_OFFLOAD))
        return task_reject(task, "unsupported clone flags");
    if ((flags & TSVIRT_COPY_REFLINK_AUTO) && (flags & TSVIRT_COPY_REFLINK_ALWAYS))
        return task_reject(task, "conflicting reflink flags");
    if (capacity > INT64_MAX)
        return task_reject(task, "invalid capacity");
    if (mode > 07777)
        return task_reject(task, "invalid file mode");
    return task_launch(task);
}

tsvirt_copy_task *
tsvirt_copy_allocate_start(const char *target, uint64_t capacity, uint64_t allocation, uint32_t mode,
                           unsigned int flags)
{
    tsvirt_copy_task *task = task_new(COPY_OP_ALLOCATE, valid_path(target) ? target : NULL, flags);
    if (!task)
        return NULL;
    task->capacity = capacity;
    task->allocation = allocation;
    task->mode = mode;
    if (!task->target)
        return task_reject(task, "invalid target path");
    if (flags & ~(unsigned int)TSVIRT_COPY_NO_OFFLOAD)
        return task_reject(task, "unsupported allocation flags");
    if (allocation > capacity)
        return task_reject(task, "allocation exceeds capacity");
    if (capacity > INT64_MAX)
        return task_reject(task, "invalid capacity");
    if (mode > 07777)
        return task_reject(task, "invalid file mode");
    return task_launch(task);
}

tsvirt_copy_task *
tsvirt_copy_wipe_start(const char *target, int algorithm, uint64_t offset, uint64_t length, unsigned int flags)
{
    tsvirt_copy_task *task = task_new(COPY_OP_WIPE, valid_path(target) ? target : NULL, flags);
    if (!task)
        return NULL;
    task->algorithm = algorithm;
    task->offset = offset;
    task->length = length;
    if (!task->target)
        return task_reject(task, "invalid target path");
    if (flags != 0)
        return task_reject(task, "unsupported wipe flags");
    if (offset > INT64_MAX || length > INT64_MAX - offset)
        return task_reject(task, "invalid wipe range");
    if (algorithm < 0 || algorithm >= TSVIRT_WIPE_LAST) {
        task_finish(task, copy_fail_plain(task, EINVAL, "wiping algorithm %d not supported", algorithm));
        return task;
    }
    if (algorithm == TSVIRT_WIPE_TRIM) {
        task_finish(task, copy_fail_plain(task, EOPNOTSUPP, "'trim' algorithm not supported"));
        return task;
    }
    return task_launch(task);
}

const tsvirt_copy_progress *
tsvirt_copy_task_progress(const tsvirt_copy_task *task)
{
    return &task->progress;
}

const char *
tsvirt_copy_task_message(const tsvirt_copy_task *task)
{
    if (atomic_load_explicit(&task->progress.state, memory_order_acquire) != TSVIRT_COPY_FAILED)
        return "";
    return task->message;
}

void
tsvirt_copy_task_cancel(tsvirt_copy_task *task)
{
    atomic_store_explicit(&task->cancel_requested, true, memory_order_relaxed);
}

void
tsvirt_copy_task_free(tsvirt_copy_task *task)
{
    if (!task)
        return;
    tsvirt_copy_task_cancel(task);
    task_release(task);
}
