/*
 * abi_ring.h: how calls from threads other than the JavaScript thread reach it.
 *
 * Waking the JavaScript thread costs what waking a sleeping thread costs: 20 µs when the machine's CPUs
 * are awake, 120-170 µs on an idle virtual machine, whose halted vCPU the hypervisor must wake first.  So
 * calls are queued on a ring that the JavaScript thread serves, and only the caller that finds it asleep
 * wakes it (through koffi, ENGINEERING.md rule 1).  Once woken, the JavaScript thread keeps serving the
 * ring in short turns between the event loop's other work for as long as calls keep coming, then sleeps
 * again (src/ffi/ring.ts): a program that makes many calls pays the wake once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_RING_H
#define TSVIRT_ABI_RING_H

#include "abi_bridge.h"

/* Queues call (its fn, ids and args set) for the JavaScript thread and waits until it is settled.  Returns
 * the call's status.  Not on the JavaScript thread. */
ABI_INTERNAL int abi_ring_call(abi_call *call);

/* Waits until call is settled (abi_call_settle), polling first while giving way to other threads: the
 * answer often comes within microseconds, and a thread put to sleep can take far longer to wake. */
ABI_INTERNAL void abi_call_wait(abi_call *call);

/* ---- for the bridge (JavaScript thread only; through tsvirt_private_symbol) ---- */

typedef void (*abi_waker)(void);

/* Installs the function a caller calls when the ring's server sleeps. 0, or -1 if one is installed. */
int abi_ring_init(abi_waker waker);

/* Called first by the waker's JavaScript side: the server is up. */
void abi_ring_awake(void);

/* Serves queued calls until none has come for spin_ns nanoseconds (0: until the ring is empty), and at
 * most budget_ns in all.  Returns how many were served. */
int abi_ring_serve(long long spin_ns, long long budget_ns);

/* The server goes to sleep: the next caller wakes it.  Returns 1, or 0 when calls came meanwhile (the
 * server must go on serving). */
int abi_ring_sleep(void);

/* No more wakes: the process is exiting.  Callers that come later wait until it has exited. */
void abi_ring_close(void);

#endif /* TSVIRT_ABI_RING_H */
