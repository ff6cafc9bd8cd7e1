/*
 * Latency of C ABI calls from this program's thread, which is not the thread running tsvirt's drivers
 * (a "foreign" thread): built with -DTSVIRT for tsvirt-run, or linked to the real libvirt (-lvirt).
 * Prints one JSON line: what was measured, the per-call median and percentiles in nanoseconds.
 *
 * usage: bench MODE SAMPLES
 *   job-info        virJobGetInfo on a running job, timed in batches of 100 calls (tsvirt only)
 *   domain-info     virDomainGetInfo on test:///default's domain, each call timed
 *   domain-state    virDomainGetState, each call timed
 *   num-domains     virConnectNumOfDomains (a call the drivers answer), each call timed
 *   suspend-resume  virDomainSuspend and virDomainResume in turn (calls that change state), each timed
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 100

static long long
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int
by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void
report(const char *what, double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof(double), by_value);
    printf("{\"what\":\"%s\",\"samples\":%d,\"median_ns\":%.1f,\"p10_ns\":%.1f,\"p90_ns\":%.1f,\"p99_ns\":%.1f}\n",
           what, n, samples[n / 2], samples[n / 10], samples[n * 9 / 10], samples[n * 99 / 100]);
}

int
main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int n = atoi(argv[2]);
    double *samples = calloc((size_t)n, sizeof(double));
#ifdef TSVIRT
    /* Jobs move 2 GiB at 1 KiB/s: the one measured runs for the whole measurement. */
    virConnectPtr conn = virConnectOpen("test:///default?rate=1K");
#else
    virConnectPtr conn = virConnectOpen("test:///default");
#endif
    virDomainPtr dom = conn ? virDomainLookupByName(conn, "test") : NULL;
    if (!samples || !dom) {
        fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
        return 1;
    }

    if (strcmp(argv[1], "domain-info") == 0) {
        virDomainInfo info;
        for (int i = 0; i < n / 10; i++)
            virDomainGetInfo(dom, &info);
        for (int i = 0; i < n; i++) {
            long long t0 = now_ns();
            if (virDomainGetInfo(dom, &info) < 0)
                return 1;
            samples[i] = (double)(now_ns() - t0);
        }
        report("virDomainGetInfo", samples, n);
    } else if (strcmp(argv[1], "domain-state") == 0) {
        int state, reason;
        for (int i = 0; i < n / 10; i++)
            virDomainGetState(dom, &state, &reason, 0);
        for (int i = 0; i < n; i++) {
            long long t0 = now_ns();
            if (virDomainGetState(dom, &state, &reason, 0) < 0)
                return 1;
            samples[i] = (double)(now_ns() - t0);
        }
        report("virDomainGetState", samples, n);
    } else if (strcmp(argv[1], "num-domains") == 0) {
        for (int i = 0; i < n / 10; i++)
            virConnectNumOfDomains(conn);
        for (int i = 0; i < n; i++) {
            long long t0 = now_ns();
            if (virConnectNumOfDomains(conn) < 0)
                return 1;
            samples[i] = (double)(now_ns() - t0);
        }
        report("virConnectNumOfDomains", samples, n);
    } else if (strcmp(argv[1], "suspend-resume") == 0) {
        for (int i = 0; i < n; i++) {
            long long t0 = now_ns();
            if ((i % 2 == 0 ? virDomainSuspend(dom) : virDomainResume(dom)) < 0)
                return 1;
            samples[i] = (double)(now_ns() - t0);
        }
        if (n % 2)
            virDomainResume(dom);
        report("virDomainSuspend/Resume", samples, n);
    }
#ifdef TSVIRT
    else if (strcmp(argv[1], "job-info") == 0) {
        virJobPtr job = virDomainSaveJob(dom, "/dev/null", 0);
        virJobInfo info;
        if (!job)
            return 1;
        for (int i = 0; i < n; i++) {
            long long t0 = now_ns();
            for (int k = 0; k < BATCH; k++)
                virJobGetInfo(job, &info);
            samples[i] = (double)(now_ns() - t0) / BATCH;
        }
        report("virJobGetInfo", samples, n);
        virJobCancel(job);
        virJobWait(job);
        virJobFree(job);
    }
#endif
    else {
        return 2;
    }
    virDomainFree(dom);
    virConnectClose(conn);
    free(samples);
    return 0;
}
