/*
 * abi_ring.c: the queue of calls from other threads and how the JavaScript thread serves it (abi_ring.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_ring.h"

#include <errno.h>
#include <semaphore.h>
#include <sched.h>
#include <time.h>

/*
 * Waiting on a machine with more runnable threads than CPUs, where the caller and the JavaScript thread may
 * share one CPU (bench/abi/bench.c num-domains, median per call at load average 6-11 on 2 CPUs):
 *  - a caller spinning in place for its answer: 77 us, since it holds the CPU the answer needs;
 *  - a caller sleeping on its condition variable at once: 16 us (the futex wake-up);
 *  - spinning 3 us, then giving way (sched_yield): 1-2 us when the two threads run on different CPUs,
 *    9-12 us when they share one, the two spinning in turn;
 *  - giving way at once (this): 2-8 us.
 * A caller gives way until ANSWER_WAIT_NS, then sleeps.  The server spins SERVER_SPIN_NS on the CPU for the
 * next call, which a caller on another CPU makes within a microsecond, then gives way while it waits (waiting
 * for calls in the kernel instead, woken by a futex, measured 24 us).
 */
#define ANSWER_WAIT_NS 60000LL
#define SERVER_SPIN_NS 2000LL

enum { SERVER_SLEEPING, SERVER_WAKING, SERVER_SERVING };

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static abi_call *ring_head;
static abi_call *ring_tail;
static _Atomic int ring_length;
static _Atomic int server = SERVER_SLEEPING;
static _Atomic int closed;
static abi_waker waker;

/*
 * koffi relays at most 256 calls from other threads at once (its max_async_calls) and dies beyond that,
 * so wakers take a slot first.  Only a caller that finds the server asleep wakes it, so few ever wait.
 */
#define RELAY_SLOTS 64
static sem_t relay_slots;

static long long
now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

int
abi_ring_init(abi_waker fn)
{
    if (!fn || waker)
        return -1;
    if (sem_init(&relay_slots, 0, RELAY_SLOTS) != 0)
        return -1;
    waker = fn;
    return 0;
}

static void
push(abi_call *call)
{
    call->next = NULL;
    pthread_mutex_lock(&ring_lock);
    if (ring_tail)
        ring_tail->next = call;
    else
        ring_head = call;
    ring_tail = call;
    pthread_mutex_unlock(&ring_lock);
    atomic_fetch_add(&ring_length, 1);
}

static abi_call *
pop(void)
{
    if (atomic_load_explicit(&ring_length, memory_order_acquire) == 0)
        return NULL;
    pthread_mutex_lock(&ring_lock);
    abi_call *call = ring_head;
    if (call) {
        ring_head = call->next;
        if (!ring_head)
            ring_tail = NULL;
        atomic_fetch_sub(&ring_length, 1);
    }
    pthread_mutex_unlock(&ring_lock);
    return call;
}

static void
wake_server(void)
{
    /* Queued before looking (sequentially consistent, as abi_ring_sleep looks after stating it sleeps):
     * either this caller sees the server asleep, or the server sees this call. */
    int expected = SERVER_SLEEPING;
    if (atomic_load(&server) != SERVER_SLEEPING || !atomic_compare_exchange_strong(&server, &expected, SERVER_WAKING))
        return;
    if (atomic_load(&closed))
        return;
    while (sem_wait(&relay_slots) != 0 && errno == EINTR)
        continue;
    waker();
    sem_post(&relay_slots);
}

int
abi_ring_call(abi_call *call)
{
    push(call);
    wake_server();
    abi_call_wait(call);
    return call->status;
}

void
abi_call_wait(abi_call *call)
{
    long long start = now_ns();
    while (!atomic_load_explicit(&call->settled, memory_order_acquire) && now_ns() - start < ANSWER_WAIT_NS)
        sched_yield();
    /* Also once settled: the settling thread may still be signalling, and the call lives on the stack. */
    pthread_mutex_lock(&call->lock);
    while (!atomic_load_explicit(&call->settled, memory_order_relaxed))
        pthread_cond_wait(&call->settled_cond, &call->lock);
    pthread_mutex_unlock(&call->lock);
}

int
abi_ring_serve(long long spin_ns, long long budget_ns)
{
    int served = 0;
    long long start = now_ns();
    long long last = start;
    /* Once a wait passed SERVER_SPIN_NS, the server gives way between polls for the rest of the turn, also
     * after serving a call: a caller sharing its CPU then runs at once (measured 8.5-9 us per call against
     * 9.5-12 us when spinning again after each call, at load average 7). */
    int yielding = 0;
    for (unsigned spins = 0;; spins++) {
        abi_call *call = pop();
        if (call) {
            abi_dispatch_queued(call);
            served++;
            last = now_ns();
            if (last - start >= budget_ns)
                break;
            continue;
        }
        if (spin_ns <= 0)
            break;
        if ((spins & 63) == 0) {
            long long now = now_ns();
            if (now - last >= spin_ns || now - start >= budget_ns)
                break;
            yielding = now - last >= SERVER_SPIN_NS;
        }
        if (yielding)
            sched_yield();
        else
            cpu_relax();
    }
    return served;
}

int
abi_ring_sleep(void)
{
    atomic_store(&server, SERVER_SLEEPING);
    if (atomic_load(&ring_length) == 0)
        return 1;
    /* Calls came: serve them, unless their caller is already waking the server, which then serves them. */
    int expected = SERVER_SLEEPING;
    return atomic_compare_exchange_strong(&server, &expected, SERVER_SERVING) ? 0 : 1;
}

void
abi_ring_awake(void)
{
    atomic_store(&server, SERVER_SERVING);
}

void
abi_ring_close(void)
{
    atomic_store(&closed, 1);
}
