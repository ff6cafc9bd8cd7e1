/* A libvirt client program, unchanged for both builds: against the real libvirt (-lvirt) and through
 * tsvirt-run on tsvirt's remote driver. It prints what it sees of the daemon at argv[1]; the two runs must
 * print the same. argv[2] is a folder the daemon may write a save image into. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static void
quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void
print_error(const char *what)
{
    virErrorPtr e = virGetLastError();
    printf("%s: error code=%d domain=%d level=%d message=%s\n", what, e ? e->code : -1, e ? e->domain : -1,
           e ? (int)e->level : -1, e && e->message ? e->message : "(none)");
}

int
main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    virSetErrorFunc(NULL, quiet);
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn) {
        print_error("open");
        return 1;
    }
    unsigned long version = 0;
    printf("type=%s\n", virConnectGetType(conn));
    if (virConnectGetVersion(conn, &version) == 0)
        printf("version=%lu\n", version);
    printf("alive=%d\n", virConnectIsAlive(conn));

    virDomainPtr *domains = NULL;
    int n = virConnectListAllDomains(conn, &domains, 0);
    printf("domains=%d\n", n);
    for (int i = 0; i < n; i++) {
        virDomainInfo info;
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainGetUUIDString(domains[i], uuid);
        if (virDomainGetInfo(domains[i], &info) == 0)
            printf("  %s id=%d uuid=%s state=%d maxMem=%lu memory=%lu vcpus=%d\n", virDomainGetName(domains[i]),
                   (int)virDomainGetID(domains[i]), uuid, info.state, info.maxMem, info.memory, info.nrVirtCpu);
        virDomainFree(domains[i]);
    }
    free(domains);

    virDomainPtr missing = virDomainLookupByName(conn, "nosuch");
    if (!missing)
        print_error("lookup nosuch");

    virDomainPtr dom = virDomainLookupByName(conn, "test");
    if (!dom) {
        print_error("lookup test");
        return 1;
    }
    char *xml = virDomainGetXMLDesc(dom, 0);
    printf("xml bytes=%zu starts=%.24s\n", xml ? strlen(xml) : 0, xml ? xml : "");
    free(xml);
    int state = 0, reason = 0;
    virDomainSuspend(dom);
    virDomainGetState(dom, &state, &reason, 0);
    printf("after suspend: state=%d reason=%d\n", state, reason);
    if (virDomainSuspend(dom) < 0)
        print_error("suspend again");
    virDomainResume(dom);
    virDomainGetState(dom, &state, &reason, 0);
    printf("after resume: state=%d reason=%d\n", state, reason);

    /* A blocking call: this thread waits while the daemon saves. */
    char path[4096];
    snprintf(path, sizeof path, "%s/c-client.save", argv[2]);
    printf("save=%d\n", virDomainSave(dom, path));
    printf("active after save=%d\n", virDomainIsActive(dom));
    printf("restore=%d\n", virDomainRestore(conn, path));
    printf("restore missing=%d\n", virDomainRestore(conn, "/nonexistent/c-client.save"));
    print_error("restore missing");
    virDomainFree(dom);

    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    printf("network default bridge=%s active=%d\n", net ? virNetworkGetBridgeName(net) : "?",
           net ? virNetworkIsActive(net) : -1);
    if (net)
        virNetworkFree(net);
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    virStoragePoolInfo pinfo;
    if (pool && virStoragePoolGetInfo(pool, &pinfo) == 0)
        printf("pool default-pool state=%d capacity=%llu\n", pinfo.state, pinfo.capacity);
    if (pool)
        virStoragePoolFree(pool);

    printf("close=%d\n", virConnectClose(conn));
    return 0;
}
