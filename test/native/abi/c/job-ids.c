/*
 * Finding jobs by id from C: virJobGetID, virJobLookupByID and virConnectListAllJobs across connections,
 * after the job ended and its handle was freed, and the unhappy paths. argv[1] is a scratch directory.
 * Prints one line per check, "ok NAME" or "FAIL NAME: why".
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(name, cond, ...)         \
    do {                               \
        if (cond) {                    \
            printf("ok %s\n", name);   \
        } else {                       \
            printf("FAIL %s: ", name); \
            printf(__VA_ARGS__);       \
            printf("\n");              \
            failures++;                \
        }                              \
    } while (0)

static void
quiet(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

/* The number of jobs in conn's list with this id (0 or 1), freeing the list. */
static int
listed(virConnectPtr conn, unsigned int flags, unsigned int id)
{
    virJobPtr *jobs = NULL;
    int count = virConnectListAllJobs(conn, &jobs, flags);
    int found = 0;
    for (int i = 0; i < count; i++) {
        if (virJobGetID(jobs[i]) == id)
            found++;
        virJobFree(jobs[i]);
    }
    free(jobs);
    return count < 0 ? -1 : found;
}

static int
last_error_is(int code, const char *message)
{
    virErrorPtr e = virGetLastError();
    return e && e->code == code && strcmp(e->message, message) == 0;
}

int
main(int argc, char **argv)
{
    char file[4096], expected[256];
    if (argc < 2)
        return 2;
    snprintf(file, sizeof file, "%s/job-ids.save", argv[1]);
    virSetErrorFunc(NULL, quiet);

    virConnectPtr slow = virConnectOpen("test:///default?rate=1M");
    virConnectPtr other = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(slow, "test");
    virJobPtr job = virDomainSaveJob(dom, file, 0);
    unsigned int id = virJobGetID(job);
    CHECK("positive-id", id > 0 && id < 0x7fffffff, "id %u", id);

    virJobPtr found = virJobLookupByID(other, (int)id);
    CHECK("lookup-other-connection", found == job, "found %p, started %p", (void *)found, (void *)job);
    virConnectPtr owner = virJobGetConnect(found);
    CHECK("keeps-starting-connection", owner == slow, "connection %p", (void *)owner);
    virConnectClose(owner);
    CHECK("listed-running", listed(other, VIR_CONNECT_LIST_JOBS_RUNNING, id) == 1, "not listed");
    CHECK("not-listed-finished", listed(other, VIR_CONNECT_LIST_JOBS_FINISHED, id) == 0, "listed");

    CHECK("cancel-found", virJobCancel(found) == 0 && virJobWait(job) == VIR_JOB_CANCELLED, "not cancelled");
    CHECK("cancel-cancelled", virJobCancel(found) == 0, "cancelling again failed");
    virJobFree(found);
    virJobFree(job);
    virDomainFree(dom);

    /* freed, ended: still findable (retained), bound to the finder */
    found = virJobLookupByID(other, (int)id);
    virJobInfo info;
    CHECK("lookup-after-free", found && virJobGetInfo(found, &info) == 0 && info.state == VIR_JOB_CANCELLED, "state %d",
          found ? info.state : -1);
    owner = found ? virJobGetConnect(found) : NULL;
    CHECK("retained-bound-to-finder", owner == other, "connection %p", (void *)owner);
    if (owner)
        virConnectClose(owner);
    virErrorPtr error = found ? virJobGetError(found) : NULL;
    CHECK("retained-error", error && error->code == VIR_ERR_OPERATION_ABORTED, "no error");
    CHECK("listed-finished", listed(other, VIR_CONNECT_LIST_JOBS_FINISHED, id) == 1, "not listed");
    CHECK("listed-all", listed(other, 0, id) == 1, "not listed");
    virJobFree(found);

    /* completed: cancelling it is an error */
    virDomainPtr again = virDomainLookupByName(other, "test");
    virDomainCreate(again);
    virConnectPtr fast = virConnectOpen("test:///default?rate=0");
    virDomainPtr quick = virDomainLookupByName(fast, "test");
    job = virDomainSaveJob(quick, file, 0);
    CHECK("completed", virJobWait(job) == VIR_JOB_COMPLETED, "not completed");
    found = virJobLookupByID(other, (int)virJobGetID(job));
    snprintf(expected, sizeof expected, "Requested operation is not valid: job %u (save) has already completed",
             virJobGetID(job));
    CHECK("cancel-completed", virJobCancel(found) == -1 && last_error_is(VIR_ERR_OPERATION_INVALID, expected), "%s",
          virGetLastErrorMessage());
    virJobFree(found);
    virJobFree(job);
    virDomainFree(quick);
    virDomainFree(again);
    virConnectClose(fast);

    /* unhappy paths */
    const char *positive = "id in virJobLookupByID must be greater than zero";
    CHECK("id-zero", virJobLookupByID(other, 0) == NULL && last_error_is(VIR_ERR_INVALID_ARG, positive), "%s",
          virGetLastErrorMessage());
    CHECK("id-negative", virJobLookupByID(other, -5) == NULL && last_error_is(VIR_ERR_INVALID_ARG, positive), "%s",
          virGetLastErrorMessage());
    CHECK("id-unknown",
          virJobLookupByID(other, 0x7fffffff) == NULL &&
              last_error_is(VIR_ERR_INVALID_ARG, "invalid argument: no job with matching id 2147483647"),
          "%s", virGetLastErrorMessage());
    char root[4200];
    snprintf(root, sizeof root, "tsvirt:///embed?root=%s/root", argv[1]);
    virConnectPtr elsewhere = virConnectOpen(root);
    snprintf(expected, sizeof expected, "invalid argument: no job with matching id %u", id);
    CHECK("other-driver",
          elsewhere && virJobLookupByID(elsewhere, (int)id) == NULL && last_error_is(VIR_ERR_INVALID_ARG, expected),
          "%s", virGetLastErrorMessage());
    CHECK("other-driver-list", elsewhere && listed(elsewhere, 0, id) == 0, "listed");
    CHECK("bad-flags",
          virConnectListAllJobs(other, NULL, 4) == -1 &&
              last_error_is(VIR_ERR_INVALID_ARG, "unsupported flags (0x4) in function virConnectListAllJobs"),
          "%s", virGetLastErrorMessage());
    CHECK("bad-job-id", virJobGetID(NULL) == (unsigned int)-1 && virGetLastErrorCode() == VIR_ERR_INVALID_ARG, "%s",
          virGetLastErrorMessage());
    if (elsewhere)
        virConnectClose(elsewhere);
    virConnectClose(other);
    virConnectClose(slow);
    return failures ? 1 : 0;
}
