/*
 * Many threads at once: THREADS threads each make CALLS calls, a mix of lookups and frees, queries, lists,
 * failures (whose thread-local error must be the thread's own), handles shared between threads, and reads
 * of a running job's progress.  Prints the calls made, the wrong answers (must be 0), then the handles
 * left once everything is freed (must be 0).
 *
 * usage: threads [THREADS [CALLS]]
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live-handles.h"

static virConnectPtr conn;
static virDomainPtr shared_dom;
static virJobPtr shared_job;
static char shared_uuid[VIR_UUID_STRING_BUFLEN];
static pthread_barrier_t start;

typedef struct worker {
    int index;
    int calls;
    long long made;
    int wrong;
    char first_wrong[256];
} worker;

static void
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

static void
wrong(worker *w, int step, const char *what)
{
    if (w->wrong++ == 0)
        snprintf(w->first_wrong, sizeof(w->first_wrong), "step %d: %s (last error: %s)", step, what,
                 virGetLastErrorMessage());
}

static void
one_call(worker *w, int i)
{
    int step = i % 14;
    char buf[VIR_UUID_STRING_BUFLEN];
    switch (step) {
    case 0: {
        virDomainPtr dom = virDomainLookupByName(conn, "test");
        const char *name = dom ? virDomainGetName(dom) : NULL;
        if (!name || strcmp(name, "test") != 0 || virDomainFree(dom) != 0)
            wrong(w, step, "lookup, name, free");
        break;
    }
    case 1: {
        virDomainInfo info;
        if (virDomainGetInfo(shared_dom, &info) != 0 || info.nrVirtCpu != 2)
            wrong(w, step, "virDomainGetInfo");
        break;
    }
    case 2:
        if (virConnectNumOfDomains(conn) < 0)
            wrong(w, step, "virConnectNumOfDomains");
        break;
    case 3: {
        /* A failure whose error must stay this thread's, whatever the others do meanwhile. */
        char name[32];
        snprintf(name, sizeof(name), "nosuch-%d", w->index);
        if (virDomainLookupByName(conn, name) != NULL || virGetLastErrorCode() != VIR_ERR_NO_DOMAIN ||
            virGetLastErrorDomain() != VIR_FROM_TEST)
            wrong(w, step, "failed lookup's error");
        break;
    }
    case 4: {
        virDomainPtr *list = NULL;
        int n = virConnectListAllDomains(conn, &list, 0);
        if (n < 1 || !list || list[n] != NULL)
            wrong(w, step, "virConnectListAllDomains");
        for (int k = 0; k < n; k++)
            virDomainFree(list[k]);
        free(list);
        break;
    }
    case 5:
        if (virDomainGetUUIDString(shared_dom, buf) != 0 || strcmp(buf, shared_uuid) != 0)
            wrong(w, step, "virDomainGetUUIDString");
        break;
    case 6:
        if (virDomainRef(shared_dom) != 0 || virDomainFree(shared_dom) != 0)
            wrong(w, step, "ref and free of a shared handle");
        break;
    case 7: {
        virJobInfo info;
        if (virJobGetInfo(shared_job, &info) != 0 || info.dataTotal == 0)
            wrong(w, step, "virJobGetInfo");
        break;
    }
    case 8: {
        char *xml = virDomainGetXMLDesc(shared_dom, 0);
        if (!xml || strncmp(xml, "<domain", 7) != 0)
            wrong(w, step, "virDomainGetXMLDesc");
        free(xml);
        break;
    }
    case 9: {
        char *uri = virConnectGetURI(conn);
        if (!uri || strncmp(uri, "test:///default", 15) != 0)
            wrong(w, step, "virConnectGetURI");
        free(uri);
        break;
    }
    case 10: {
        virNetworkPtr net = virNetworkLookupByName(conn, "default");
        const char *name = net ? virNetworkGetName(net) : NULL;
        if (!name || strcmp(name, "default") != 0 || virNetworkFree(net) != 0)
            wrong(w, step, "network lookup, name, free");
        break;
    }
    case 11:
        if (virDomainIsActive(shared_dom) < 0)
            wrong(w, step, "virDomainIsActive");
        break;
    case 12:
        if (virDomainFree(NULL) != -1 || virGetLastErrorCode() != VIR_ERR_INVALID_DOMAIN)
            wrong(w, step, "virDomainFree(NULL)");
        break;
    case 13: {
        /* A connection of the thread's own, now and then. */
        if (i % 1000 == 13) {
            virConnectPtr own = virConnectOpen("test:///default");
            if (!own || virConnectNumOfDomains(own) < 1 || virConnectClose(own) != 0)
                wrong(w, step, "own connection");
        } else {
            virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
            if (!pool || virStoragePoolIsActive(pool) != 1 || virStoragePoolFree(pool) != 0)
                wrong(w, step, "pool lookup, active, free");
        }
        break;
    }
    }
    w->made++;
}

static void *
work(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < w->calls; i++)
        one_call(w, i);
    return NULL;
}

int
main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    int calls = argc > 2 ? atoi(argv[2]) : 10000;
    virSetErrorFunc(NULL, quiet);

    conn = virConnectOpen("test:///default");
    virConnectPtr slow = virConnectOpen("test:///default?rate=16M");
    shared_dom = conn ? virDomainLookupByName(conn, "test") : NULL;
    virDomainPtr slow_dom = slow ? virDomainLookupByName(slow, "test") : NULL;
    if (!shared_dom || !slow_dom || virDomainGetUUIDString(shared_dom, shared_uuid) != 0) {
        fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
        return 1;
    }
    /* A core dump that runs all along: its progress is read while everything else goes on. */
    shared_job = virDomainCoreDumpJob(slow_dom, "/dev/null", 0, 0);
    if (!shared_job) {
        fprintf(stderr, "no job: %s\n", virGetLastErrorMessage());
        return 1;
    }

    pthread_barrier_init(&start, NULL, (unsigned)threads);
    worker *workers = calloc((size_t)threads, sizeof(worker));
    pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int t = 0; t < threads; t++) {
        workers[t].index = t;
        workers[t].calls = calls;
        pthread_create(&ids[t], NULL, work, &workers[t]);
    }
    long long made = 0;
    int wrongs = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        made += workers[t].made;
        wrongs += workers[t].wrong;
        if (workers[t].wrong)
            printf("thread %d: %d wrong, first %s\n", t, workers[t].wrong, workers[t].first_wrong);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    virJobCancel(shared_job);
    int state = virJobWait(shared_job);
    virJobFree(shared_job);
    virDomainFree(slow_dom);
    virDomainFree(shared_dom);
    virConnectClose(slow);
    virConnectClose(conn);

    printf("calls: %lld\n", made);
    printf("wrong: %d\n", wrongs);
    printf("job: %d\n", state);
    printf("handles left: %d\n", live_handles());
    fprintf(stderr, "%d threads x %d calls in %.2f s (%.0f calls/s)\n", threads, calls, seconds,
            (double)made / seconds);
    free(workers);
    free(ids);
    return 0;
}
