/*
 * Calls from many threads at once through the ring (native/src/abi/abi_ring.c).
 *
 * usage: ring exact THREADS ROUNDS
 *   each thread starts a domain of its own, then for ROUNDS rounds looks it up, suspends it, reads its state,
 *   resumes it, reads its state again, takes and drops references and frees its handle.  A lost call
 *   hangs; a call served twice shows as a wrong state or as a reference too many, hence a handle left.
 *   Prints the calls made, the wrong answers (must be 0) and the handles left (must be 0).
 * usage: ring exit THREADS MILLISECONDS
 *   threads call in a loop, pausing now and then so that calls also wake the JavaScript thread, and main
 *   returns while they do: the process must exit with status 0.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live-handles.h"

static virConnectPtr conn;
static int rounds;

typedef struct worker {
    int index;
    long long calls;
    int wrong;
    char first_wrong[200];
} worker;

static void
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

static void
wrong(worker *w, const char *what)
{
    if (w->wrong++ == 0)
        snprintf(w->first_wrong, sizeof(w->first_wrong), "%s (last error: %s)", what, virGetLastErrorMessage());
}

static void
expect_state(worker *w, virDomainPtr dom, int state, int reason, const char *what)
{
    int s = -1, r = -1;
    w->calls++;
    if (virDomainGetState(dom, &s, &r, 0) != 0 || s != state || r != reason)
        wrong(w, what);
}

static void *
exact(void *arg)
{
    worker *w = arg;
    char name[32], xml[256];
    snprintf(name, sizeof(name), "ring-%d", w->index);
    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>%s</name><memory>8192</memory><os><type>hvm</type></os></domain>", name);
    virDomainPtr created = virDomainCreateXML(conn, xml, 0);
    if (!created) {
        wrong(w, "virDomainCreateXML");
        return NULL;
    }
    for (int i = 0; i < rounds; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, name);
        w->calls++;
        if (!dom) {
            wrong(w, "lookup");
            continue;
        }
        w->calls += 6;
        if (virDomainSuspend(dom) != 0)
            wrong(w, "suspend");
        expect_state(w, dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, "paused after suspend");
        if (virDomainResume(dom) != 0)
            wrong(w, "resume");
        expect_state(w, dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED, "running after resume");
        if (virDomainRef(dom) != 0 || virDomainFree(dom) != 0 || virConnectNumOfDomains(conn) < 1)
            wrong(w, "ref, free, count");
        if (virDomainFree(dom) != 0)
            wrong(w, "free");
    }
    if (virDomainDestroy(created) != 0 || virDomainFree(created) != 0)
        wrong(w, "destroy");
    return NULL;
}

static volatile int keep_calling = 1;

static void *
endless(void *arg)
{
    worker *w = arg;
    while (keep_calling) {
        virDomainPtr dom = virDomainLookupByName(conn, "test");
        virDomainInfo info;
        if (dom) {
            virDomainGetInfo(dom, &info);
            char *xml = virDomainGetXMLDesc(dom, 0);
            free(xml);
            virDomainFree(dom);
        }
        virConnectNumOfDomains(conn);
        w->calls += 5;
        /* Now and then long enough for the JavaScript thread to fall asleep: the next call wakes it. */
        if (w->calls % 3 == 0)
            usleep(2500 + (useconds_t)(w->index * 300));
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    int threads = atoi(argv[2]);
    virSetErrorFunc(NULL, quiet);
    conn = virConnectOpen("test:///default?rate=0");
    if (!conn)
        return 1;
    worker *workers = calloc((size_t)threads, sizeof(worker));
    pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));

    if (strcmp(argv[1], "exit") == 0) {
        for (int t = 0; t < threads; t++)
            pthread_create(&ids[t], NULL, endless, &workers[t]);
        usleep((useconds_t)atoi(argv[3]) * 1000);
        /* Returns while every thread is calling: tsvirt-run exits the process under their feet. */
        return 0;
    }

    rounds = atoi(argv[3]);
    for (int t = 0; t < threads; t++) {
        workers[t].index = t;
        pthread_create(&ids[t], NULL, exact, &workers[t]);
    }
    long long calls = 0;
    int wrongs = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        calls += workers[t].calls;
        wrongs += workers[t].wrong;
        if (workers[t].wrong)
            printf("thread %d: %d wrong, first %s\n", t, workers[t].wrong, workers[t].first_wrong);
    }
    virConnectClose(conn);
    printf("calls: %lld\nwrong: %d\nhandles left: %d\n", calls, wrongs, live_handles());
    free(workers);
    free(ids);
    return 0;
}
