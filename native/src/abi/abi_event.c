/*
 * abi_event.c: the domain event callbacks of C programs and the queue of their events (abi_event.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_event.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct callback callback;
struct callback {
    const void *conn;
    int id;
    virConnectDomainEventCallback cb;
    void *opaque;
    virFreeCallback freecb;
    int deleted; /* deregistered during a dispatch: purged after it */
    callback *next;
};

typedef struct event event;
struct event {
    const void *conn;
    int id;
    virDomainPtr dom;
    int type;
    int detail;
    event *next;
};

static struct {
    pthread_mutex_t lock;
    callback *callbacks; /* in registration order */
    event *queue;
    event **queue_tail;
    int timer;
    int dispatching;
} state = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .queue_tail = &state.queue,
    .timer = -1,
};

/* Takes the queue, leaving it empty.  Lock held. */
static event *
take_queue_locked(void)
{
    event *taken = state.queue;
    state.queue = NULL;
    state.queue_tail = &state.queue;
    return taken;
}

/* Gives back the references of events never dispatched.  Lock not held: virDomainFree() calls the bridge. */
static void
drop_events(event *e)
{
    while (e) {
        event *next = e->next;
        virDomainFree(e->dom);
        free(e);
        e = next;
    }
}

/* Removes the timer when no callback is left, dropping what is queued.  Lock held; returns the events to
 * drop once it is released. */
static event *
cleanup_timer_locked(void)
{
    if (state.callbacks || state.timer == -1)
        return NULL;
    virEventRemoveTimeout(state.timer);
    state.timer = -1;
    return take_queue_locked();
}

static callback *
find_locked(const void *conn, int id)
{
    for (callback *c = state.callbacks; c; c = c->next)
        if (c->conn == conn && c->id == id && !c->deleted)
            return c;
    return NULL;
}

static void
unlink_locked(callback *c)
{
    for (callback **p = &state.callbacks; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

/* The timer's callback: dispatches what is queued, on the thread running the event loop. */
static void
dispatch(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    pthread_mutex_lock(&state.lock);
    state.dispatching++;
    event *queued = take_queue_locked();
    if (state.timer != -1)
        virEventUpdateTimeout(state.timer, -1);
    for (event *e = queued; e; e = e->next) {
        callback *c = find_locked(e->conn, e->id);
        if (!c)
            continue;
        virConnectDomainEventCallback cb = c->cb;
        void *conn = (void *)c->conn, *data = c->opaque;
        pthread_mutex_unlock(&state.lock);
        cb(conn, e->dom, e->type, e->detail, data);
        pthread_mutex_lock(&state.lock);
    }
    pthread_mutex_unlock(&state.lock);
    drop_events(queued);

    /* Callbacks deregistered meanwhile go now, and with the last one the timer. */
    pthread_mutex_lock(&state.lock);
    for (;;) {
        callback *gone = NULL;
        for (callback *c = state.callbacks; c && !gone; c = c->next)
            if (c->deleted)
                gone = c;
        if (!gone)
            break;
        unlink_locked(gone);
        pthread_mutex_unlock(&state.lock);
        if (gone->freecb)
            gone->freecb(gone->opaque);
        free(gone);
        pthread_mutex_lock(&state.lock);
    }
    event *dropped = state.dispatching == 1 ? cleanup_timer_locked() : NULL;
    state.dispatching--;
    pthread_mutex_unlock(&state.lock);
    drop_events(dropped);
}

int
abi_event_timer_acquire(void)
{
    pthread_mutex_lock(&state.lock);
    if (!state.callbacks && state.timer == -1)
        state.timer = virEventAddTimeout(-1, dispatch, NULL, NULL);
    int rc = state.timer < 0 ? -1 : 0;
    if (rc < 0)
        state.timer = -1;
    pthread_mutex_unlock(&state.lock);
    return rc;
}

void
abi_event_timer_release(void)
{
    pthread_mutex_lock(&state.lock);
    event *dropped = state.dispatching ? NULL : cleanup_timer_locked();
    pthread_mutex_unlock(&state.lock);
    drop_events(dropped);
}

int
abi_event_callback_add(void *conn, int id, void *cb, void *opaque, void *freecb)
{
    callback *c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    *c = (callback){.conn = conn,
                    .id = id,
                    .cb = (virConnectDomainEventCallback)cb,
                    .opaque = opaque,
                    .freecb = (virFreeCallback)freecb};
    pthread_mutex_lock(&state.lock);
    callback **p = &state.callbacks;
    while (*p)
        p = &(*p)->next;
    *p = c;
    pthread_mutex_unlock(&state.lock);
    return 0;
}

int
abi_event_post(void *conn, int id, void *dom, int type, int detail)
{
    event *e = malloc(sizeof(*e));
    if (!e)
        return -1;
    *e = (event){.conn = conn, .id = id, .dom = dom, .type = type, .detail = detail};
    pthread_mutex_lock(&state.lock);
    if (state.timer < 0) {
        pthread_mutex_unlock(&state.lock);
        free(e);
        return -1;
    }
    int first = state.queue == NULL;
    *state.queue_tail = e;
    state.queue_tail = &e->next;
    if (first)
        virEventUpdateTimeout(state.timer, 0);
    pthread_mutex_unlock(&state.lock);
    return 0;
}

void
abi_event_callback_release(const void *conn, int id)
{
    pthread_mutex_lock(&state.lock);
    callback *c = find_locked(conn, id);
    if (c && state.dispatching) {
        c->deleted = 1;
        c = NULL;
    } else if (c) {
        unlink_locked(c);
    }
    pthread_mutex_unlock(&state.lock);
    if (c) {
        if (c->freecb)
            c->freecb(c->opaque);
        free(c);
    }
    abi_event_timer_release();
}
