/*
 * The job API from C: start, watch progress from another thread, wait, cancel, fail, free while running,
 * completion callbacks, libvirt's per-domain job view, and the blocking functions that wait for a job.
 * Every check prints "ok NAME" or "FAIL NAME: why"; the test expects every name once and no FAIL.
 *
 * usage: jobs SCRATCH-DIR
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live-handles.h"

static int failures;

#define CHECK(name, cond, ...)                                       \
    do {                                                             \
        if (cond) {                                                  \
            printf("ok %s\n", name);                                 \
        } else {                                                     \
            failures++;                                              \
            printf("FAIL %s: ", name);                               \
            printf(__VA_ARGS__);                                     \
            printf(" (last error: %s)\n", virGetLastErrorMessage()); \
        }                                                            \
    } while (0)

static void
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

static char path[4][512];

/* ---- watching a job from another thread ---- */

typedef struct watch {
    virJobPtr job;
    int samples;
    int regressions; /* dataProcessed or timeElapsed went down */
    char first_regression[160];
    int bad_percent; /* running, bounded, and not within 0..99 */
    int running_seen;
    virJobInfo last;
} watch;

static void *
watcher(void *arg)
{
    watch *w = arg;
    virJobInfo info;
    memset(&w->last, 0, sizeof(w->last));
    for (;;) {
        if (virJobGetInfo(w->job, &info) < 0)
            break;
        w->samples++;
        if ((info.dataProcessed < w->last.dataProcessed || info.timeElapsed < w->last.timeElapsed) &&
            w->regressions++ == 0)
            snprintf(w->first_regression, sizeof(w->first_regression),
                     "processed %llu after %llu, elapsed %llu after %llu", info.dataProcessed, w->last.dataProcessed,
                     info.timeElapsed, w->last.timeElapsed);
        if (info.state == VIR_JOB_RUNNING) {
            w->running_seen++;
            if (info.type == VIR_JOB_BOUNDED && (info.percentComplete < 0 || info.percentComplete > 99))
                w->bad_percent++;
        }
        w->last = info;
        if (info.state != VIR_JOB_RUNNING)
            break;
        usleep(200);
    }
    return NULL;
}

/* Polls until the job has done some work (or ended). */
static void
await_progress(virJobPtr job)
{
    virJobInfo info;
    do {
        usleep(1000);
    } while (virJobGetInfo(job, &info) == 0 && info.state == VIR_JOB_RUNNING && info.dataProcessed == 0);
}

/* ---- callbacks ---- */

typedef struct delivery {
    sem_t done;
    pthread_t caller;
    int calls;
    int state;
    int on_caller_thread;
    int info_state; /* virJobGetInfo from inside the callback */
    int wait_state; /* virJobWait from inside the callback */
    int freed;      /* virJobFree of the caller's reference from inside */
    int freecb_after_cb;
    virJobPtr job;
    virJobPtr seen;
} delivery;

static void
on_end(virJobPtr job, int state, void *opaque)
{
    delivery *d = opaque;
    virJobInfo info;
    d->calls++;
    d->state = state;
    d->seen = job;
    d->on_caller_thread = pthread_equal(pthread_self(), d->caller);
    d->info_state = virJobGetInfo(job, &info) == 0 ? info.state : -1;
    d->wait_state = virJobWait(job);
    d->freed = virJobFree(d->job);
}

static void
on_free(void *opaque)
{
    delivery *d = opaque;
    d->freecb_after_cb = d->calls == 1;
    sem_post(&d->done);
}

static int
state_of(virDomainPtr dom)
{
    int state = -1;
    virDomainGetState(dom, &state, NULL, 0);
    return state;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: jobs SCRATCH-DIR\n");
        return 2;
    }
    for (int i = 0; i < 4; i++)
        snprintf(path[i], sizeof(path[i]), "%s/job-%d.save", argv[1], i);
    virSetErrorFunc(NULL, quiet);

    /* The test driver's jobs move the domain's 2 GiB of memory at the URI's rate. */
    virConnectPtr fast = virConnectOpen("test:///default?rate=16G");
    virConnectPtr medium = virConnectOpen("test:///default?rate=2G");
    virConnectPtr slow = virConnectOpen("test:///default?rate=64M");
    virDomainPtr dom = virDomainLookupByName(fast, "test");
    if (!fast || !medium || !slow || !dom) {
        printf("FAIL setup: %s\n", virGetLastErrorMessage());
        return 1;
    }

    /* A save job, watched from a second thread while this one waits for it. */
    virDomainPtr dom_medium = virDomainLookupByName(medium, "test");
    virJobPtr job = virDomainSaveJob(dom_medium, path[0], 0);
    CHECK("save-started", job != NULL, "virDomainSaveJob returned NULL");
    const char *operation = virJobGetOperation(job);
    CHECK("operation", operation && strcmp(operation, "save") == 0, "operation %s", operation);
    CHECK("operation-kept", virJobGetOperation(job) == operation, "a second call returned another string");
    watch w = {.job = job};
    pthread_t thread;
    pthread_create(&thread, NULL, watcher, &w);
    int state = virJobWait(job);
    pthread_join(thread, NULL);
    CHECK("wait-completed", state == VIR_JOB_COMPLETED, "virJobWait returned %d", state);
    CHECK("watched-running", w.running_seen > 1, "%d samples while running", w.running_seen);
    CHECK("progress-monotonic", w.regressions == 0, "%d regressions, first %s", w.regressions, w.first_regression);
    CHECK("percent-below-100", w.bad_percent == 0, "%d samples out of 0..99", w.bad_percent);
    CHECK("final-info",
          w.last.state == VIR_JOB_COMPLETED && w.last.percentComplete == 100 && w.last.dataTotal > 0 &&
              w.last.dataProcessed == w.last.dataTotal && w.last.dataRemaining == 0 && w.last.timeRemaining == 0,
          "state %d percent %d processed %llu of %llu", w.last.state, w.last.percentComplete, w.last.dataProcessed,
          w.last.dataTotal);
    virResetLastError();
    CHECK("no-error-when-completed", virJobGetError(job) == NULL && virGetLastError() == NULL, "an error");
    virConnectPtr owner = virJobGetConnect(job);
    CHECK("job-connect", owner == medium, "%p is not the connection %p", (void *)owner, (void *)medium);
    virConnectClose(owner);
    virDomainPtr saved = virJobGetDomain(job);
    CHECK("job-domain", saved && strcmp(virDomainGetName(saved), "test") == 0, "no domain");
    virDomainFree(saved);
    virResetLastError();
    CHECK("job-no-network", virJobGetNetwork(job) == NULL && virGetLastError() == NULL, "a network");
    CHECK("cancel-completed", virJobCancel(job) == -1 && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID,
          "cancel of a completed job did not fail as invalid");
    CHECK("free", virJobFree(job) == 0, "virJobFree failed");
    CHECK("saved-domain-off", state_of(dom) == VIR_DOMAIN_SHUTOFF, "state %d", state_of(dom));
    virDomainFree(dom_medium);

    /* A restore, cancelled once under way. */
    job = virDomainRestoreJob(slow, path[0], 0);
    await_progress(job);
    CHECK("cancel", virJobCancel(job) == 0, "virJobCancel failed");
    CHECK("cancel-again", virJobCancel(job) == 0, "a second cancel failed");
    state = virJobWait(job);
    CHECK("wait-cancelled", state == VIR_JOB_CANCELLED, "virJobWait returned %d", state);
    virErrorPtr error = virJobGetError(job);
    CHECK("cancel-error",
          error && error->code == VIR_ERR_OPERATION_ABORTED && error->domain == VIR_FROM_TEST &&
              strcmp(error->message, "operation aborted: domain restore job: canceled by client") == 0,
          "error %d %d %s", error ? error->code : 0, error ? error->domain : 0, error ? error->message : "");
    CHECK("cancel-error-kept", virJobGetError(job) == error, "a second call returned another error");
    virJobInfo info;
    virJobGetInfo(job, &info);
    CHECK("cancelled-info", info.state == VIR_JOB_CANCELLED && info.percentComplete < 100, "state %d percent %d",
          info.state, info.percentComplete);
    CHECK("cancel-cancelled", virJobCancel(job) == 0, "cancelling a cancelled job failed");
    virJobFree(job);
    CHECK("cancelled-domain-off", state_of(dom) == VIR_DOMAIN_SHUTOFF, "state %d", state_of(dom));

    /* A restore that completes and hands out the domain it restored. */
    job = virDomainRestoreJob(fast, path[0], 0);
    state = virJobWait(job);
    virDomainPtr restored = virJobGetDomain(job);
    CHECK("restored", state == VIR_JOB_COMPLETED && restored && virDomainIsActive(restored) == 1, "state %d domain %p",
          state, (void *)restored);
    virDomainFree(restored);
    virJobFree(job);

    /* A job that fails: its error belongs to the job, not to the thread. */
    job = virDomainRestoreJob(fast, path[3], 0);
    CHECK("failing-started", job != NULL, "the failure came too early");
    state = virJobWait(job);
    error = virJobGetError(job);
    CHECK("failed", state == VIR_JOB_FAILED && error && error->code == VIR_ERR_SYSTEM_ERROR, "state %d error %d %s",
          state, error ? error->code : 0, error ? error->message : "");
    CHECK("failure-not-thread-error", virGetLastError() == NULL, "the thread has an error");
    virJobFree(job);

    /* Checks that need no waiting fail the start itself, with the thread's error. */
    job = virDomainSaveJob(dom, path[1], 1u << 30);
    CHECK("start-refused", job == NULL && virGetLastErrorCode() == VIR_ERR_INVALID_ARG, "flags were accepted");

    /* Freed while running: the job goes on to its end. */
    virDomainPtr dom_slowish = virDomainLookupByName(medium, "test");
    job = virDomainSaveJob(dom_slowish, path[1], 0);
    CHECK("free-running", virJobFree(job) == 0, "virJobFree failed");
    virDomainFree(dom_slowish);
    for (int i = 0; i < 500 && state_of(dom) != VIR_DOMAIN_SHUTOFF; i++)
        usleep(10000);
    CHECK("freed-job-finished", state_of(dom) == VIR_DOMAIN_SHUTOFF, "state %d", state_of(dom));

    /* Callback on a running job, which frees the caller's reference itself. */
    delivery d = {.caller = pthread_self()};
    sem_init(&d.done, 0, 0);
    d.job = virDomainRestoreJob(medium, path[1], 0);
    CHECK("callback-set", virJobSetCallback(d.job, on_end, &d, on_free) == 0, "virJobSetCallback failed");
    CHECK("callback-once",
          virJobSetCallback(d.job, on_end, &d, on_free) == -1 && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID,
          "a second callback was accepted");
    sem_wait(&d.done);
    CHECK("callback", d.calls == 1 && d.state == VIR_JOB_COMPLETED && d.seen == d.job, "calls %d state %d", d.calls,
          d.state);
    CHECK("callback-thread", !d.on_caller_thread, "the callback ran on the caller's thread");
    CHECK("callback-inside", d.info_state == VIR_JOB_COMPLETED && d.wait_state == VIR_JOB_COMPLETED && d.freed == 0,
          "info %d wait %d free %d", d.info_state, d.wait_state, d.freed);
    CHECK("freecb-after-cb", d.freecb_after_cb, "the free callback came first");

    /* Callback on a job already over: delivered at once; no free callback. */
    delivery late = {.caller = pthread_self()};
    sem_init(&late.done, 0, 0);
    late.job = virDomainSaveJob(dom, path[2], 0);
    virJobWait(late.job);
    CHECK("late-callback-set", virJobSetCallback(late.job, on_end, &late, NULL) == 0, "virJobSetCallback failed");
    for (int i = 0; i < 500 && late.calls == 0; i++)
        usleep(10000);
    CHECK("late-callback", late.calls == 1 && late.state == VIR_JOB_COMPLETED, "calls %d", late.calls);

    /* libvirt's per-domain view of a job, and its abort. */
    job = virDomainRestoreJob(slow, path[2], 0);
    await_progress(job);
    virDomainPtr running = virJobGetDomain(job);
    CHECK("no-domain-yet", running == NULL, "a restore job has a domain before it defined one");
    virJobCancel(job);
    virJobWait(job);
    virJobFree(job);

    virDomainPtr again = virDomainLookupByName(medium, "test");
    virDomainCreate(again);
    job = virDomainSaveJob(again, path[3], 0);
    await_progress(job);
    virDomainJobInfo domjob;
    int got = virDomainGetJobInfo(dom, &domjob);
    CHECK("domain-job-bounded", got == 0 && domjob.type == VIR_DOMAIN_JOB_BOUNDED && domjob.dataTotal > 0,
          "got %d type %d", got, domjob.type);
    virJobPtr *jobs = NULL;
    int count = virConnectListAllJobs(medium, &jobs, VIR_CONNECT_LIST_JOBS_RUNNING);
    CHECK("list-jobs", count == 1 && jobs && jobs[0] && jobs[1] == NULL, "count %d", count);
    for (int i = 0; i < count; i++)
        virJobFree(jobs[i]);
    free(jobs);
    CHECK("abort", virDomainAbortJob(dom) == 0, "virDomainAbortJob failed");
    CHECK("aborted", virJobWait(job) == VIR_JOB_CANCELLED, "not cancelled");
    CHECK("abort-none", virDomainAbortJob(dom) == -1 && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID,
          "abort without a job");
    virJobFree(job);
    virDomainFree(again);

    /* The blocking functions wait for their job on this thread. */
    CHECK("save-blocking", virDomainSave(dom, path[3]) == 0 && state_of(dom) == VIR_DOMAIN_SHUTOFF, "save");
    CHECK("restore-blocking", virDomainRestore(fast, path[3]) == 0 && state_of(dom) == VIR_DOMAIN_RUNNING, "restore");
    snprintf(path[3], sizeof(path[3]), "%s/core", argv[1]);
    CHECK("dump-blocking", virDomainCoreDump(dom, path[3], 0) == 0 && access(path[3], F_OK) == 0, "dump");
    CHECK("save-blocking-error",
          virDomainSave(dom, "/nonexistent/dir/save") == -1 && virGetLastErrorCode() == VIR_ERR_SYSTEM_ERROR,
          "no error");

    virDomainFree(dom);
    virConnectClose(slow);
    virConnectClose(medium);
    virConnectClose(fast);
    int live = live_handles();
    CHECK("no-handles-left", live == 0, "%d handles left", live);
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
