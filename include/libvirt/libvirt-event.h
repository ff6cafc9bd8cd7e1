/*
 * libvirt-event.h: the event loop that delivers asynchronous events.
 *
 * Domain event callbacks (virConnectDomainEventRegisterAny()) are called
 * from an event loop the program runs.  The usual way: call
 * virEventRegisterDefaultImpl() once before opening a connection, then
 * call virEventRunDefaultImpl() over and over on a thread of the
 * program's choice; each call runs one iteration and the callbacks run
 * inside it, on that thread.  A program with its own loop can hand its
 * six functions to virEventRegisterImpl() instead.
 *
 * The functions below that add, update and remove handles and timeouts
 * pass the call on to the registered implementation.  They may be called
 * from any thread; with the default implementation, a thread blocked in
 * virEventRunDefaultImpl() wakes up to take the change into account.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_EVENT_H
# define LIBVIRT_EVENT_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* What a file handle is watched for, and what happened to it: a bit set. */
typedef enum {
    VIR_EVENT_HANDLE_READABLE  = (1 << 0),
    VIR_EVENT_HANDLE_WRITABLE  = (1 << 1),
    VIR_EVENT_HANDLE_ERROR     = (1 << 2),
    VIR_EVENT_HANDLE_HANGUP    = (1 << 3),
} virEventHandleType;

/* Called when fd, watched as watch, has one of the events asked for
 * (virEventHandleType bits in events). */
typedef void (*virEventHandleCallback)(int watch, int fd, int events, void *opaque);

/* The six functions of an event loop implementation (virEventRegisterImpl()):
 * adding a handle returns its watch number (> 0), or -1. */
typedef int (*virEventAddHandleFunc)(int fd, int event,
                                     virEventHandleCallback cb,
                                     void *opaque,
                                     virFreeCallback ff);

/* Changes the events a handle is watched for; 0 stops watching it. */
typedef void (*virEventUpdateHandleFunc)(int watch, int event);

/* Stops watching a handle for good; its ff, if any, runs later with its
 * opaque.  Returns 0, or -1 if there is no such handle. */
typedef int (*virEventRemoveHandleFunc)(int watch);

/* Called each time the timeout timer expires. */
typedef void (*virEventTimeoutCallback)(int timer, void *opaque);

/* Adds a timeout: every timeout milliseconds, 0 for every iteration of
 * the loop, -1 for disabled.  Returns its timer number (> 0), or -1. */
typedef int (*virEventAddTimeoutFunc)(int timeout,
                                      virEventTimeoutCallback cb,
                                      void *opaque,
                                      virFreeCallback ff);

/* Changes a timeout's period (-1 disables it); the next expiry counts
 * from now. */
typedef void (*virEventUpdateTimeoutFunc)(int timer, int timeout);

/* Removes a timeout for good; its ff, if any, runs later with its opaque.
 * Returns 0, or -1 if there is no such timer. */
typedef int (*virEventRemoveTimeoutFunc)(int timer);

/* Makes these six functions the event loop implementation. */
void virEventRegisterImpl(virEventAddHandleFunc addHandle,
                          virEventUpdateHandleFunc updateHandle,
                          virEventRemoveHandleFunc removeHandle,
                          virEventAddTimeoutFunc addTimeout,
                          virEventUpdateTimeoutFunc updateTimeout,
                          virEventRemoveTimeoutFunc removeTimeout);

/* Makes tsvirt's own event loop the implementation.  Call it before
 * opening connections.  Returns 0, or -1 on error. */
int virEventRegisterDefaultImpl(void);

/* Runs one iteration of the default event loop on the calling thread:
 * waits until a handle is ready or a timeout expires (or another thread
 * changes the loop), then calls the callbacks that are due, domain event
 * callbacks included.  Returns 0, or -1 on error. */
int virEventRunDefaultImpl(void);

/* Watches fd for events (virEventHandleType bits).  Returns the watch
 * number, or -1 (no implementation registered, or it failed). */
int virEventAddHandle(int fd, int events,
                      virEventHandleCallback cb,
                      void *opaque,
                      virFreeCallback ff);

/* Changes the events watch is watched for; 0 pauses it. */
void virEventUpdateHandle(int watch, int events);

/* Removes watch.  Returns 0, or -1. */
int virEventRemoveHandle(int watch);

/* Adds a timeout (period in milliseconds, 0 for every iteration, -1
 * disabled).  Returns the timer number, or -1. */
int virEventAddTimeout(int frequency,
                       virEventTimeoutCallback cb,
                       void *opaque,
                       virFreeCallback ff);

/* Changes timer's period; -1 disables it. */
void virEventUpdateTimeout(int timer, int frequency);

/* Removes timer.  Returns 0, or -1. */
int virEventRemoveTimeout(int timer);

#endif /* LIBVIRT_EVENT_H */
