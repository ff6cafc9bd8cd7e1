/*
 * abi_close.c: the close callbacks of C programs (abi_close.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_close.h"
#include "abi_error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct registration registration;
struct registration {
    void *conn;
    virConnectCloseFunc cb;
    void *opaque;
    virFreeCallback freecb;
    int timer; /* -1: none (no event loop, or fired) */
    int reason;
    int error_code; /* what ended the connection: the loop thread's last error during cb, as in libvirt */
    int error_domain;
    char *error_message;
    int posted;
    int holds_ref; /* the reference the bridge took on conn, given back by dispatch or release */
    registration *next;
};

static struct {
    pthread_mutex_t lock;
    registration *all;
} state = {.lock = PTHREAD_MUTEX_INITIALIZER};

static registration *
find_locked(const void *conn)
{
    for (registration *r = state.all; r; r = r->next)
        if (r->conn == conn)
            return r;
    return NULL;
}

static void
unlink_locked(registration *r)
{
    for (registration **p = &state.all; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            return;
        }
}

/* Takes conn's registration out of the list and its timer off the loop: the caller then owns it (NULL if
 * there is none). */
static registration *
detach(const void *conn)
{
    pthread_mutex_lock(&state.lock);
    registration *r = find_locked(conn);
    if (r) {
        unlink_locked(r);
        if (r->timer != -1)
            virEventRemoveTimeout(r->timer);
    }
    pthread_mutex_unlock(&state.lock);
    return r;
}

/* Gives back the reference the bridge took on conn, leaving the thread's last error as it was: libvirt's
 * event loop does not touch it. */
static void
give_back(void *conn)
{
    virErrorPtr saved = virSaveLastError();
    virConnectClose(conn);
    if (saved) {
        abi_error_take(saved);
        virFreeError(saved);
    }
}

/* The timer's callback, on the thread running the event loop. */
static void
dispatch(int timer, void *opaque)
{
    (void)opaque;
    pthread_mutex_lock(&state.lock);
    registration *r = NULL;
    for (registration *c = state.all; c && !r; c = c->next)
        if (c->timer == timer && c->posted)
            r = c;
    if (!r) {
        pthread_mutex_unlock(&state.lock);
        return;
    }
    virEventRemoveTimeout(timer);
    r->timer = -1;
    r->posted = 0;
    void *conn = r->conn, *data = r->opaque;
    virConnectCloseFunc cb = r->cb;
    virFreeCallback freecb = r->freecb;
    int reason = r->reason;
    int error_code = r->error_code, error_domain = r->error_domain;
    char *error_message = r->error_message;
    r->error_message = NULL;
    r->opaque = NULL;
    r->freecb = NULL;
    r->holds_ref = 0;
    pthread_mutex_unlock(&state.lock);
    if (error_code)
        abi_error_raise(error_code, error_domain, error_message);
    free(error_message);
    cb(conn, reason, data);
    if (freecb)
        freecb(data);
    give_back(conn);
}

int
abi_close_add(void *conn, void *cb, void *opaque, void *freecb)
{
    registration *r = detach(conn);
    if (r && r->holds_ref)
        virConnectClose(conn);
    if (r)
        free(r->error_message);
    free(r);
    r = calloc(1, sizeof(*r));
    if (!r)
        return -1;
    *r = (registration){.conn = conn,
                        .cb = (virConnectCloseFunc)cb,
                        .opaque = opaque,
                        .freecb = (virFreeCallback)freecb,
                        .timer = -1,
                        .holds_ref = 1};
    int timer = virEventAddTimeout(-1, dispatch, NULL, NULL);
    pthread_mutex_lock(&state.lock);
    r->timer = timer < 0 ? -1 : timer;
    r->next = state.all;
    state.all = r;
    pthread_mutex_unlock(&state.lock);
    return 0;
}

int
abi_close_post(void *conn, int reason, int error_code, int error_domain, const char *error_message)
{
    char *message = error_message ? strdup(error_message) : NULL;
    pthread_mutex_lock(&state.lock);
    registration *r = find_locked(conn);
    int rc = -1;
    if (r && r->timer != -1 && !r->posted) {
        r->posted = 1;
        r->reason = reason;
        r->error_code = message ? error_code : 0;
        r->error_domain = error_domain;
        r->error_message = message;
        message = NULL;
        virEventUpdateTimeout(r->timer, 0);
        rc = 0;
    }
    pthread_mutex_unlock(&state.lock);
    free(message);
    return rc;
}

void
abi_close_release(const void *conn)
{
    registration *r = detach(conn);
    if (!r)
        return;
    if (r->freecb)
        r->freecb(r->opaque);
    if (r->holds_ref)
        virConnectClose((virConnectPtr)conn);
    free(r->error_message);
    free(r);
}
