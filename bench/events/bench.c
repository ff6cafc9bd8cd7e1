/*
 * Domain event latency from C: a thread blocked in virEventRunDefaultImpl(), the main thread suspending and
 * resuming the domain; each sample is the time from just before virDomainSuspend()/Resume() to the
 * lifecycle callback on the loop's thread.  The same source is linked to tsvirt (tsvirt-run) and to the
 * real libvirt; bench/events.mjs runs both.  Prints one JSON line.
 *
 * Usage: bench ROUNDS
 */
#include <libvirt/libvirt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static atomic_int seen, stop;
static atomic_llong at;

static long long
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)dom;
    (void)event;
    (void)detail;
    (void)opaque;
    at = now_ns();
    seen++;
    return 0;
}

static void *
loop(void *arg)
{
    (void)arg;
    while (!stop)
        virEventRunDefaultImpl();
    return NULL;
}

static void
wake(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static int
compare(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    int id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
    pthread_t thread;
    pthread_create(&thread, NULL, loop, NULL);
    long long *samples = calloc((size_t)rounds, sizeof(*samples));
    for (int i = 0; i < rounds; i++) {
        long long t0 = now_ns();
        if (i % 2 ? virDomainResume(dom) : virDomainSuspend(dom))
            return 1;
        while (seen <= i)
            sched_yield();
        samples[i] = at - t0;
    }
    stop = 1;
    virEventAddTimeout(0, wake, NULL, NULL);
    pthread_join(thread, NULL);
    virConnectDomainEventDeregisterAny(conn, id);
    virDomainFree(dom);
    virConnectClose(conn);
    qsort(samples, (size_t)rounds, sizeof(*samples), compare);
    printf("{\"samples\": %d, \"median_ns\": %lld, \"p90_ns\": %lld, \"p99_ns\": %lld}\n", rounds, samples[rounds / 2],
           samples[rounds * 9 / 10], samples[rounds * 99 / 100]);
    free(samples);
    return 0;
}
