/*
 * vir_event.c: what libvirt-event.h declares, served by C alone: the registered event loop
 * implementation, and tsvirt's default one (virEventRegisterDefaultImpl(), virEventRunDefaultImpl()).
 *
 * The default loop behaves as libvirt 9.0's, which runs on a GLib main context, as far as a program can
 * see (test/native/abi/c/domain-events.c prints the same under both):
 *  - watch and timer numbers count from 1, each on its own, and are never reused;
 *  - an iteration waits in poll() until a handle is ready, a timeout expires or another thread changes
 *    the loop, then dispatches what is due, in priority order: of the sources ready, only those of the
 *    most urgent priority run in that iteration.  Releasing a removed handle (its ff) is most urgent,
 *    handles and timeouts come next, and releasing a removed timeout comes last, so a timeout that fires
 *    on every iteration keeps it waiting, as in libvirt;
 *  - sources of one priority run in the order they were attached: adding a handle or a timeout, or
 *    changing its events or period, attaches it anew, at the end;
 *  - a timeout fires when its period has passed since it was attached or last fired (0: every
 *    iteration); -1 disables it;
 *  - one thread runs an iteration at a time; another one calling meanwhile waits for its turn.  A
 *    callback may run a nested iteration on its own thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* ---- the registered implementation ---- */

static pthread_mutex_t impl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    virEventAddHandleFunc add_handle;
    virEventUpdateHandleFunc update_handle;
    virEventRemoveHandleFunc remove_handle;
    virEventAddTimeoutFunc add_timeout;
    virEventUpdateTimeoutFunc update_timeout;
    virEventRemoveTimeoutFunc remove_timeout;
} impl;

void
virEventRegisterImpl(virEventAddHandleFunc addHandle, virEventUpdateHandleFunc updateHandle,
                     virEventRemoveHandleFunc removeHandle, virEventAddTimeoutFunc addTimeout,
                     virEventUpdateTimeoutFunc updateTimeout, virEventRemoveTimeoutFunc removeTimeout)
{
    pthread_mutex_lock(&impl_lock);
    impl.add_handle = addHandle;
    impl.update_handle = updateHandle;
    impl.remove_handle = removeHandle;
    impl.add_timeout = addTimeout;
    impl.update_timeout = updateTimeout;
    impl.remove_timeout = removeTimeout;
    pthread_mutex_unlock(&impl_lock);
}

/* The function of the implementation, read under the lock: a call may come from any thread. */
#define IMPL(field, type)                 \
    static type field##_fn(void)          \
    {                                     \
        pthread_mutex_lock(&impl_lock);   \
        type fn = impl.field;             \
        pthread_mutex_unlock(&impl_lock); \
        return fn;                        \
    }
IMPL(add_handle, virEventAddHandleFunc)
IMPL(update_handle, virEventUpdateHandleFunc)
IMPL(remove_handle, virEventRemoveHandleFunc)
IMPL(add_timeout, virEventAddTimeoutFunc)
IMPL(update_timeout, virEventUpdateTimeoutFunc)
IMPL(remove_timeout, virEventRemoveTimeoutFunc)
#undef IMPL

/* Without an implementation these fail (or do nothing) and leave the last error as it was, as libvirt. */
int
virEventAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    virEventAddHandleFunc fn = add_handle_fn();
    return fn ? fn(fd, events, cb, opaque, ff) : -1;
}

void
virEventUpdateHandle(int watch, int events)
{
    virEventUpdateHandleFunc fn = update_handle_fn();
    if (fn)
        fn(watch, events);
}

int
virEventRemoveHandle(int watch)
{
    virEventRemoveHandleFunc fn = remove_handle_fn();
    return fn ? fn(watch) : -1;
}

int
virEventAddTimeout(int frequency, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    virEventAddTimeoutFunc fn = add_timeout_fn();
    return fn ? fn(frequency, cb, opaque, ff) : -1;
}

void
virEventUpdateTimeout(int timer, int frequency)
{
    virEventUpdateTimeoutFunc fn = update_timeout_fn();
    if (fn)
        fn(timer, frequency);
}

int
virEventRemoveTimeout(int timer)
{
    virEventRemoveTimeoutFunc fn = remove_timeout_fn();
    return fn ? fn(timer) : -1;
}

/* ---- the default loop ---- */

enum { PRIORITY_HIGH = -100, PRIORITY_DEFAULT = 0, PRIORITY_IDLE = 200 };

typedef enum { SOURCE_HANDLE, SOURCE_TIMER, SOURCE_RELEASE } source_kind;

/* A handle, a timeout, or the release of a removed one (its ff, run later as an idle task). */
typedef struct source source;
struct source {
    source_kind kind;
    int id;             /* watch or timer number; 0 for a release */
    int fd;             /* handle */
    int events;         /* handle: what it is watched for, 0 paused */
    int interval;       /* timer: period in ms, -1 disabled */
    int64_t expires_ns; /* timer: when it is next due */
    int removed;
    int in_call;       /* its callback is running (a nested iteration skips it) */
    uint64_t attached; /* attach order; 0 while not attached (paused, disabled, removed) */
    int priority;
    void *cb;
    void *opaque;
    virFreeCallback ff;
    source *next;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t turn; /* signalled when no thread owns the loop any more */
    int initialized;
    int wake_fd;
    pthread_t owner;
    int owned; /* nesting depth of the owner's iterations */
    int polling;
    int next_watch;
    int next_timer;
    uint64_t next_attach;
    source *sources; /* handles and timers, in creation order */
    source *releases;
    source **releases_tail;
} loop = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .turn = PTHREAD_COND_INITIALIZER,
    .wake_fd = -1,
    .next_watch = 1,
    .next_timer = 1,
    .next_attach = 1,
    .releases_tail = &loop.releases,
};

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Makes a thread waiting in poll() look again.  Called with the lock held. */
static void
wake_locked(void)
{
    if (!loop.polling || (loop.owned && pthread_equal(loop.owner, pthread_self())))
        return;
    uint64_t one = 1;
    ssize_t written;
    do
        written = write(loop.wake_fd, &one, sizeof(one));
    while (written < 0 && errno == EINTR);
}

static int
init_locked(void)
{
    if (loop.initialized)
        return 0;
    loop.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (loop.wake_fd < 0)
        return -1;
    loop.initialized = 1;
    return 0;
}

static source *
find_locked(source_kind kind, int id)
{
    for (source *s = loop.sources; s; s = s->next)
        if (s->kind == kind && s->id == id && !s->removed)
            return s;
    return NULL;
}

static void
attach_locked(source *s)
{
    s->attached = loop.next_attach++;
    if (s->kind == SOURCE_TIMER)
        s->expires_ns = now_ns() + (int64_t)s->interval * 1000000;
    wake_locked();
}

/* Takes s out of the list of handles and timers and queues its release at its kind's priority. */
static void
remove_locked(source *s)
{
    s->removed = 1;
    s->attached = 0;
    for (source **p = &loop.sources; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    s->priority = s->kind == SOURCE_HANDLE ? PRIORITY_HIGH : PRIORITY_IDLE;
    s->kind = SOURCE_RELEASE;
    s->next = NULL;
    *loop.releases_tail = s;
    loop.releases_tail = &s->next;
    s->attached = loop.next_attach++;
    wake_locked();
}

static source *
new_source_locked(source_kind kind, void *cb, void *opaque, virFreeCallback ff)
{
    source *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->kind = kind;
    s->priority = PRIORITY_DEFAULT;
    s->cb = cb;
    s->opaque = opaque;
    s->ff = ff;
    source **p = &loop.sources;
    while (*p)
        p = &(*p)->next;
    *p = s;
    return s;
}

static int
default_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&loop.lock);
    source *s = init_locked() == 0 ? new_source_locked(SOURCE_HANDLE, (void *)cb, opaque, ff) : NULL;
    int watch = -1;
    if (s) {
        s->id = watch = loop.next_watch++;
        s->fd = fd;
        s->events = events;
        if (events != 0)
            attach_locked(s);
    }
    pthread_mutex_unlock(&loop.lock);
    return watch;
}

static void
default_update_handle(int watch, int events)
{
    pthread_mutex_lock(&loop.lock);
    source *s = find_locked(SOURCE_HANDLE, watch);
    if (s && events != 0 && events != s->events) {
        s->events = events;
        attach_locked(s);
    } else if (s && events == 0 && s->attached) {
        s->events = 0;
        s->attached = 0;
    }
    pthread_mutex_unlock(&loop.lock);
}

static int
default_remove_handle(int watch)
{
    pthread_mutex_lock(&loop.lock);
    source *s = find_locked(SOURCE_HANDLE, watch);
    if (s)
        remove_locked(s);
    pthread_mutex_unlock(&loop.lock);
    return s ? 0 : -1;
}

static int
default_add_timeout(int interval, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&loop.lock);
    source *s = init_locked() == 0 ? new_source_locked(SOURCE_TIMER, (void *)cb, opaque, ff) : NULL;
    int timer = -1;
    if (s) {
        s->id = timer = loop.next_timer++;
        s->interval = interval;
        if (interval >= 0)
            attach_locked(s);
    }
    pthread_mutex_unlock(&loop.lock);
    return timer;
}

static void
default_update_timeout(int timer, int interval)
{
    pthread_mutex_lock(&loop.lock);
    source *s = find_locked(SOURCE_TIMER, timer);
    if (s && interval >= 0) {
        s->interval = interval;
        attach_locked(s);
    } else if (s) {
        s->interval = -1;
        s->attached = 0;
    }
    pthread_mutex_unlock(&loop.lock);
}

static int
default_remove_timeout(int timer)
{
    pthread_mutex_lock(&loop.lock);
    source *s = find_locked(SOURCE_TIMER, timer);
    if (s)
        remove_locked(s);
    pthread_mutex_unlock(&loop.lock);
    return s ? 0 : -1;
}

int
virEventRegisterDefaultImpl(void)
{
    pthread_mutex_lock(&loop.lock);
    int rc = init_locked();
    pthread_mutex_unlock(&loop.lock);
    if (rc < 0)
        return -1;
    virEventRegisterImpl(default_add_handle, default_update_handle, default_remove_handle, default_add_timeout,
                         default_update_timeout, default_remove_timeout);
    return 0;
}

/* One source due in this iteration, as it was when the iteration chose it. */
typedef struct {
    source *s;
    source_kind kind; /* a source removed meanwhile is a release now, due in a later iteration */
    uint64_t attached;
    int events; /* handle: what poll() reported, as virEventHandleType bits */
} due;

static int
to_poll_events(int events)
{
    return (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) | (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
}

static int
from_poll_events(int revents)
{
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) | (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

static int
compare_due(const void *a, const void *b)
{
    uint64_t x = ((const due *)a)->attached, y = ((const due *)b)->attached;
    return x < y ? -1 : x > y;
}

/* Whether s still is what the iteration chose: not removed, re-attached, paused or running. */
static int
still_due_locked(const due *d)
{
    return d->s->attached == d->attached && !d->s->in_call;
}

static void
unlink_release_locked(source *s)
{
    for (source **p = &loop.releases; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            if (loop.releases_tail == &s->next)
                loop.releases_tail = p;
            return;
        }
}

/* One iteration, the calling thread owning the loop; lock held on entry and on return. */
static int
iterate_locked(void)
{
    /* What the poll watches: the wake-up descriptor, then every attached handle. */
    size_t capacity = 1, count = 0;
    for (source *s = loop.sources; s; s = s->next)
        capacity++;
    struct pollfd *fds = calloc(capacity, sizeof(*fds));
    source **polled = calloc(capacity, sizeof(*polled));
    uint64_t *polled_attach = calloc(capacity, sizeof(*polled_attach));
    due *list = NULL;
    int rc = -1;
    if (!fds || !polled || !polled_attach)
        goto out;
    fds[count++] = (struct pollfd){.fd = loop.wake_fd, .events = POLLIN};

    int64_t now = now_ns();
    int timeout = loop.releases && loop.owned == 1 ? 0 : -1;
    for (source *s = loop.sources; s; s = s->next) {
        if (!s->attached || s->in_call)
            continue;
        if (s->kind == SOURCE_HANDLE) {
            polled[count] = s;
            polled_attach[count] = s->attached;
            fds[count++] = (struct pollfd){.fd = s->fd, .events = (short)to_poll_events(s->events)};
        } else {
            int64_t left = s->expires_ns - now;
            int ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
            if (timeout < 0 || ms < timeout)
                timeout = ms;
        }
    }

    loop.polling++;
    pthread_mutex_unlock(&loop.lock);
    int ready;
    do
        ready = poll(fds, count, timeout);
    while (ready < 0 && (errno == EINTR || errno == EAGAIN));
    pthread_mutex_lock(&loop.lock);
    loop.polling--;
    if (ready < 0)
        goto out;
    if (fds[0].revents & POLLIN) {
        uint64_t value;
        if (read(loop.wake_fd, &value, sizeof(value)) < 0) {
            /* another thread drained it */
        }
    }

    /* What is due now, and the most urgent priority among it. */
    size_t releases = 0, sources = 0;
    for (source *s = loop.releases; s; s = s->next)
        releases++;
    for (source *s = loop.sources; s; s = s->next)
        sources++;
    list = calloc(releases + sources + 1, sizeof(*list));
    if (!list)
        goto out;
    size_t n = 0;
    int best = PRIORITY_IDLE + 1;
    now = now_ns();
    /* Releases run only in the outermost iteration, which alone frees them. */
    for (source *s = loop.owned == 1 ? loop.releases : NULL; s; s = s->next) {
        list[n++] = (due){s, s->kind, s->attached, 0};
        if (s->priority < best)
            best = s->priority;
    }
    for (source *s = loop.sources; s; s = s->next)
        if (s->kind == SOURCE_TIMER && s->attached && !s->in_call && s->expires_ns <= now) {
            list[n++] = (due){s, s->kind, s->attached, 0};
            best = best < PRIORITY_DEFAULT ? best : PRIORITY_DEFAULT;
        }
    for (size_t i = 1; i < count; i++) {
        int events = fds[i].revents & (fds[i].events | POLLERR | POLLHUP | POLLNVAL);
        if (events && polled[i]->attached == polled_attach[i]) {
            list[n++] = (due){polled[i], SOURCE_HANDLE, polled_attach[i], from_poll_events(events)};
            best = best < PRIORITY_DEFAULT ? best : PRIORITY_DEFAULT;
        }
    }
    qsort(list, n, sizeof(*list), compare_due);

    for (size_t i = 0; i < n; i++) {
        due *d = &list[i];
        int priority = d->kind == SOURCE_RELEASE ? d->s->priority : PRIORITY_DEFAULT;
        if (priority != best || d->kind != d->s->kind)
            continue;
        if (d->s->kind == SOURCE_RELEASE) {
            source *s = d->s;
            unlink_release_locked(s);
            pthread_mutex_unlock(&loop.lock);
            if (s->ff)
                s->ff(s->opaque);
            free(s);
            pthread_mutex_lock(&loop.lock);
            continue;
        }
        if (!still_due_locked(d))
            continue;
        source *s = d->s;
        s->in_call = 1;
        if (s->kind == SOURCE_TIMER)
            s->expires_ns = now + (int64_t)s->interval * 1000000;
        int id = s->id, fd = s->fd;
        void *cb = s->cb, *opaque = s->opaque;
        pthread_mutex_unlock(&loop.lock);
        if (s->kind == SOURCE_TIMER)
            ((virEventTimeoutCallback)cb)(id, opaque);
        else
            ((virEventHandleCallback)cb)(id, fd, d->events, opaque);
        pthread_mutex_lock(&loop.lock);
        s->in_call = 0; /* removed during its call, it waits in the releases */
    }
    rc = 0;
out:
    free(list);
    free(fds);
    free(polled);
    free(polled_attach);
    return rc;
}

int
virEventRunDefaultImpl(void)
{
    if (abi_on_js_thread()) {
        /* Nothing could reach the loop while this thread waits in it: the drivers run here. */
        abi_error_reset();
        abi_error_raise(VIR_ERR_OPERATION_INVALID, VIR_FROM_NONE,
                        "Requested operation is not valid: virEventRunDefaultImpl would wait on the thread that runs "
                        "tsvirt's drivers; call it from "
                        "another thread");
        abi_error_dispatch(NULL);
        return -1;
    }
    pthread_mutex_lock(&loop.lock);
    if (init_locked() < 0) {
        pthread_mutex_unlock(&loop.lock);
        return -1;
    }
    pthread_t self = pthread_self();
    while (loop.owned && !pthread_equal(loop.owner, self))
        pthread_cond_wait(&loop.turn, &loop.lock);
    loop.owner = self;
    loop.owned++;
    int rc = iterate_locked();
    if (--loop.owned == 0)
        pthread_cond_broadcast(&loop.turn);
    pthread_mutex_unlock(&loop.lock);
    return rc;
}
