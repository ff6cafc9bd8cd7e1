/* Domain lifecycle events of a daemon, in C through libvirt's default event loop: one connection listens, a
 * second one suspends and resumes the domain. Built unchanged against the real libvirt and for tsvirt-run;
 * both must print the same (test/remote/c-events.test.ts). */
#include <stdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static int seen;

static int
lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    printf("event %s: %s event=%d detail=%d\n", (const char *)opaque, virDomainGetName(dom), event, detail);
    seen++;
    return 0;
}

static void
freecb(void *opaque)
{
    printf("freecb %s\n", (const char *)opaque);
}

static int
wait_for(int n)
{
    for (int i = 0; i < 1000 && seen < n; i++)
        if (virEventRunDefaultImpl() < 0)
            return -1;
    return seen >= n ? 0 : -1;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    virConnectPtr listener = virConnectOpen(argv[1]);
    virConnectPtr actor = virConnectOpen(argv[1]);
    if (!listener || !actor)
        return 1;
    int id = virConnectDomainEventRegisterAny(listener, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "all", freecb);
    printf("register: %d\n", id);
    virDomainPtr dom = virDomainLookupByName(actor, "test");
    printf("suspend: %d\n", virDomainSuspend(dom));
    printf("wait: %d\n", wait_for(1));
    printf("resume: %d\n", virDomainResume(dom));
    printf("wait: %d\n", wait_for(2));
    printf("deregister: %d\n", virConnectDomainEventDeregisterAny(listener, id));
    printf("deregister again: %d\n", virConnectDomainEventDeregisterAny(listener, id));
    virErrorPtr e = virGetLastError();
    printf("  error code=%d domain=%d\n", e ? e->code : 0, e ? e->domain : 0);
    virDomainFree(dom);
    printf("close: %d %d\n", virConnectClose(actor), virConnectClose(listener));
    return 0;
}
