/*
 * virDomainGetID on two handles of one domain kept across state changes: `a` is the handle each change is
 * made on, `b` a second lookup made at the start. argv[1] is a scratch directory for the save image and dump.
 * Uses libvirt's API only, so that the same source runs against libvirt and tsvirt.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static void
quiet(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

static void
show(const char *after, virDomainPtr a, virDomainPtr b)
{
    printf("%-10s a=%d b=%d\n", after, (int)virDomainGetID(a), (int)virDomainGetID(b));
}

int
main(int argc, char **argv)
{
    char image[4096], core[4096];
    if (argc < 2)
        return 2;
    snprintf(image, sizeof image, "%s/image", argv[1]);
    snprintf(core, sizeof core, "%s/core", argv[1]);
    virSetErrorFunc(NULL, quiet);
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr a = virDomainLookupByName(conn, "test");
    virDomainPtr b = virDomainLookupByName(conn, "test");
    show("start", a, b);
    if (virDomainSave(a, image) < 0)
        return 1;
    show("save", a, b);
    if (virDomainRestore(conn, image) < 0)
        return 1;
    show("restore", a, b);
    virDomainDestroy(a);
    show("destroy", a, b);
    virDomainCreate(a);
    show("create", a, b);
    virDomainShutdown(a);
    show("shutdown", a, b);
    virDomainCreate(a);
    virDomainSuspend(a);
    virDomainResume(a);
    virDomainReboot(a, 0);
    show("reboot", a, b);
    virDomainCoreDump(a, core, VIR_DUMP_CRASH);
    show("crash", a, b);
    virDomainFree(a);
    virDomainFree(b);
    virConnectClose(conn);
    return 0;
}
