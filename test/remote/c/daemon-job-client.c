/* A C program on tsvirtd through tsvirt-run: starts a save job on the domain argv[2] of the daemon at argv[1]
 * (into argv[3]), reads its progress, finds it again by id from a second connection and in the list of jobs,
 * and waits for it. The job's id is the daemon's: the test finds the same job from its own connection. Then,
 * given argv[4..6] (a URI, a domain, a file), it starts a save there with VIR_JOB_START_CANCEL_ON_DISCONNECT
 * and exits while it runs: the daemon cancels it. */
#include <stdio.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static int
fail(const char *what)
{
    virErrorPtr e = virGetLastError();
    printf("%s failed: %s\n", what, e && e->message ? e->message : "(no error)");
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn)
        return fail("virConnectOpen");
    virDomainPtr dom = virDomainLookupByName(conn, argv[2]);
    if (!dom)
        return fail("virDomainLookupByName");
    virJobPtr job = virDomainSaveJob(dom, argv[3], 0);
    if (!job)
        return fail("virDomainSaveJob");
    unsigned int id = virJobGetID(job);
    printf("id=%u\n", id);
    fflush(stdout);

    virJobInfo info;
    if (virJobGetInfo(job, &info) < 0)
        return fail("virJobGetInfo");
    printf("info type=%d state=%d total=%llu\n", info.type, info.state, info.dataTotal);

    virConnectPtr other = virConnectOpen(argv[1]);
    if (!other)
        return fail("virConnectOpen (second)");
    virJobPtr found = virJobLookupByID(other, (int)id);
    if (!found)
        return fail("virJobLookupByID");
    printf("found id=%u operation=%s same=%d\n", virJobGetID(found), virJobGetOperation(found),
           virJobGetID(found) == id);

    virJobPtr *jobs = NULL;
    int n = virConnectListAllJobs(other, &jobs, VIR_CONNECT_LIST_JOBS_RUNNING);
    if (n < 0)
        return fail("virConnectListAllJobs");
    int listed = 0;
    for (int i = 0; i < n; i++) {
        if (virJobGetID(jobs[i]) == id)
            listed = 1;
        virJobFree(jobs[i]);
    }
    free(jobs);
    printf("listed=%d\n", listed);

    printf("wait=%d\n", virJobWait(job));
    printf("wait found=%d\n", virJobWait(found));
    if (virJobGetInfo(found, &info) < 0)
        return fail("virJobGetInfo (found)");
    printf("found state=%d percent=%d processed=total:%d\n", info.state, info.percentComplete,
           info.dataProcessed == info.dataTotal);

    virJobFree(found);
    virJobFree(job);
    virDomainFree(dom);
    virConnectClose(other);
    virConnectClose(conn);

    if (argc < 7)
        return 0;
    virConnectPtr slow = virConnectOpen(argv[4]);
    if (!slow)
        return fail("virConnectOpen (slow)");
    virDomainPtr busy = virDomainLookupByName(slow, argv[5]);
    if (!busy)
        return fail("virDomainLookupByName (slow)");
    virJobPtr tied = virDomainSaveJob(busy, argv[6], VIR_JOB_START_CANCEL_ON_DISCONNECT);
    if (!tied)
        return fail("virDomainSaveJob (cancel on disconnect)");
    if (virJobGetInfo(tied, &info) < 0)
        return fail("virJobGetInfo (cancel on disconnect)");
    printf("tied id=%u state=%d\n", virJobGetID(tied), info.state);
    /* Exits with the job running and the connection open: the daemon cancels the job. */
    return 0;
}
