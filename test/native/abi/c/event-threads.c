/*
 * The default event loop run by two threads at once while a third causes events and a fourth registers and
 * deregisters callbacks over and over: every event reaches the long-lived callback exactly once and in
 * order, each freecb runs exactly once, and every domain handle an event made is freed.  tsvirt only (the
 * counts, not libvirt's output, are the point).  Prints "ok ..." lines, or "FAIL ...".
 *
 * Usage: event-threads URI ROUNDS CHURN
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "live-handles.h"

static virConnectPtr conn;
static atomic_int stop;
static atomic_int seen, out_of_order, churn_calls, freed;
static int expected_event = VIR_DOMAIN_EVENT_SUSPENDED;
static atomic_int failures;

/* Prints "ok WHAT" or "FAIL WHAT", counting failures. */
#define REPORT(ok, ...)                      \
    do {                                     \
        if (!(ok))                           \
            failures++;                      \
        printf("%s ", (ok) ? "ok" : "FAIL"); \
        printf(__VA_ARGS__);                 \
        printf("\n");                        \
    } while (0)

static int
steady(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)c;
    (void)dom;
    (void)detail;
    (void)opaque;
    /* Callbacks never run at once (one thread iterates at a time), so this needs no lock. */
    if (event != expected_event)
        out_of_order++;
    expected_event = event == VIR_DOMAIN_EVENT_SUSPENDED ? VIR_DOMAIN_EVENT_RESUMED : VIR_DOMAIN_EVENT_SUSPENDED;
    seen++;
    return 0;
}

static int
churning(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)c;
    (void)event;
    (void)detail;
    (void)opaque;
    if (virDomainGetName(dom))
        churn_calls++;
    return 0;
}

static void
count_free(void *opaque)
{
    (void)opaque;
    freed++;
}

static void
wake_up(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static void *
loop(void *arg)
{
    (void)arg;
    while (!stop)
        if (virEventRunDefaultImpl() < 0) {
            REPORT(0, "virEventRunDefaultImpl: %s", virGetLastErrorMessage());
            return NULL;
        }
    return NULL;
}

static int churn_rounds;
static void *
churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < churn_rounds; i++) {
        int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK(churning), NULL, count_free);
        if (id < 0 || virConnectDomainEventDeregisterAny(conn, id) != 0) {
            REPORT(0, "churn round %d: %s", i, virGetLastErrorMessage());
            return NULL;
        }
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    int rounds = argc > 2 ? atoi(argv[2]) : 100;
    churn_rounds = argc > 3 ? atoi(argv[3]) : 100;
    setvbuf(stdout, NULL, _IOLBF, 0);
    virEventRegisterDefaultImpl();
    conn = virConnectOpen(uri);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    int id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(steady), NULL, count_free);
    pthread_t loops[2], churner;
    for (int i = 0; i < 2; i++)
        pthread_create(&loops[i], NULL, loop, NULL);
    pthread_create(&churner, NULL, churn, NULL);
    for (int i = 0; i < rounds; i++)
        if (virDomainSuspend(dom) < 0 || virDomainResume(dom) < 0)
            REPORT(0, "round %d: %s", i, virGetLastErrorMessage());
    pthread_join(churner, NULL);
    while (seen < 2 * rounds)
        usleep(1000);
    stop = 1;
    for (int i = 0; i < 2; i++)
        virEventAddTimeout(0, wake_up, NULL, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(loops[i], NULL);

    REPORT(seen == 2 * rounds, "every event once: %d of %d", (int)seen, 2 * rounds);
    REPORT(out_of_order == 0, "in order: %d out of order", (int)out_of_order);
    REPORT(freed == churn_rounds, "freecb once per churned callback: %d of %d", (int)freed, churn_rounds);
    int deregistered = virConnectDomainEventDeregisterAny(conn, id);
    REPORT(deregistered == 0 && freed == churn_rounds + 1, "deregistered: %d, %d freed", deregistered, (int)freed);
    virDomainFree(dom);
    int closed = virConnectClose(conn);
    int left = live_handles();
    REPORT(closed == 0 && left == 0, "closed with no handle left: close %d, %d left", closed, left);
    return failures ? 1 : 0;
}
