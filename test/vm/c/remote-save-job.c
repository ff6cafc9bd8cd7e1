/*
 * One save job on a real libvirtd's domain, from C through tsvirt-run: virDomainSaveJob returns at once, the
 * program reads the job's progress with virJobGetInfo every 100 ms until it ends, and prints a line per change:
 * "running TYPE PERCENT PROCESSED TOTAL", then "end state=S percent=P".
 *
 * usage: remote-save-job URI DOMAIN FILE
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    virDomainPtr dom;
    virJobPtr job;
    virJobInfo info, last;

    if (argc != 4) {
        fprintf(stderr, "usage: %s URI DOMAIN FILE\n", argv[0]);
        return 2;
    }
    if (!(conn = virConnectOpen(argv[1]))) {
        fprintf(stderr, "open: %s\n", virGetLastErrorMessage());
        return 1;
    }
    if (!(dom = virDomainLookupByName(conn, argv[2])) || !(job = virDomainSaveJob(dom, argv[3], 0))) {
        fprintf(stderr, "save: %s\n", virGetLastErrorMessage());
        return 1;
    }
    memset(&last, 0, sizeof(last));
    last.percentComplete = -2;
    for (;;) {
        if (virJobGetInfo(job, &info) < 0) {
            fprintf(stderr, "info: %s\n", virGetLastErrorMessage());
            return 1;
        }
        if (info.state != VIR_JOB_RUNNING)
            break;
        if (info.percentComplete != last.percentComplete || info.dataProcessed != last.dataProcessed)
            printf("running %d %d %llu %llu\n", info.type, info.percentComplete, info.dataProcessed, info.dataTotal);
        last = info;
        usleep(100 * 1000);
    }
    if (virJobWait(job) < 0 || virJobGetInfo(job, &info) < 0) {
        fprintf(stderr, "wait: %s\n", virGetLastErrorMessage());
        return 1;
    }
    printf("end state=%d percent=%d\n", info.state, info.percentComplete);
    if (info.state != VIR_JOB_COMPLETED) {
        virErrorPtr err = virJobGetError(job);
        fprintf(stderr, "job: %s\n", err ? err->message : "?");
    }
    virJobFree(job);
    virDomainFree(dom);
    virConnectClose(conn);
    return info.state == VIR_JOB_COMPLETED ? 0 : 1;
}
