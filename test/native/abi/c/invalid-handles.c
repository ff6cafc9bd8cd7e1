/*
 * Every entry point that takes a handle, called with a handle that is not valid: NULL, freed (a double
 * free for the Free functions), a foreign pointer (static junk, a wild address, a pointer into a live
 * handle) and a live handle of another kind.  Each call prints one line:
 *
 *     CALL | VARIANT | RESULT | CODE DOMAIN MESSAGE
 *
 * libvirt answers NULL with an error; tsvirt must answer every variant exactly as NULL, and NULL exactly
 * as libvirt does.  "null" runs the NULL variant only (what a program linked to the real libvirt can
 * survive: it would crash on the others); "all" runs every variant (tsvirt).
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *variant;

static void
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

static void
show(const char *call, long long result)
{
    virErrorPtr e = virGetLastError();
    printf("%s | %s | %lld | %d %d %s\n", call, variant, result, e ? e->code : 0, e ? e->domain : 0,
           e && e->message ? e->message : "(none)");
}

/* The error functions do not reset the thread's last error: start each call from none. */
#define INT(expr)  (virResetLastError(), show(#expr, (long long)(expr)))
#define PTR(expr)  (virResetLastError(), show(#expr, (expr) != NULL))
#define VOID(expr) (virResetLastError(), (expr), show(#expr, 0))

static unsigned long ul;
static int ids[4], flag;
static char *names[4];
static unsigned char uuid[VIR_UUID_BUFLEN];
static char uuidstr[VIR_UUID_STRING_BUFLEN];
static virNodeInfo nodeinfo;
static virSecurityModel secmodel;
static virSecurityLabel seclabel;
static virDomainInfo dominfo;
static virDomainJobInfo jobinfo;
static virStoragePoolInfo poolinfo;
static virStorageVolInfo volinfo;
static virDomainPtr *domains;
static virNetworkPtr *networks;
static virStoragePoolPtr *pools;
static virStorageVolPtr *volumes;
static const char *xml = "<domain type='test'><name>never</name><memory>1024</memory></domain>";

static void
on_connection(virConnectPtr H)
{
    INT(virConnectRef(H));
    INT(virConnectClose(H));
    PTR(virConnectGetType(H));
    INT(virConnectGetVersion(H, &ul));
    INT(virConnectGetLibVersion(H, &ul));
    PTR(virConnectGetHostname(H));
    PTR(virConnectGetURI(H));
    INT(virConnectGetMaxVcpus(H, NULL));
    INT(virNodeGetInfo(H, &nodeinfo));
    PTR(virConnectGetCapabilities(H));
    INT(virNodeGetSecurityModel(H, &secmodel));
    INT(virConnectIsEncrypted(H));
    INT(virConnectIsSecure(H));
    INT(virConnectIsAlive(H));
    INT(virConnectListDomains(H, ids, 4));
    INT(virConnectNumOfDomains(H));
    PTR(virDomainCreateXML(H, xml, 0));
    PTR(virDomainCreateLinux(H, xml, 0));
    PTR(virDomainLookupByName(H, "test"));
    PTR(virDomainLookupByID(H, 1));
    PTR(virDomainLookupByUUID(H, uuid));
    PTR(virDomainLookupByUUIDString(H, "6695eb01-f6a4-8304-79aa-97f2502e193f"));
    INT(virDomainRestore(H, "/nonexistent"));
    INT(virDomainRestoreFlags(H, "/nonexistent", NULL, 0));
    PTR(virDomainDefineXML(H, xml));
    PTR(virDomainDefineXMLFlags(H, xml, 0));
    INT(virConnectNumOfDefinedDomains(H));
    INT(virConnectListDefinedDomains(H, names, 4));
    INT(virConnectListAllDomains(H, &domains, 0));
    INT(virConnectNumOfNetworks(H));
    INT(virConnectListNetworks(H, names, 4));
    INT(virConnectNumOfDefinedNetworks(H));
    INT(virConnectListDefinedNetworks(H, names, 4));
    INT(virConnectListAllNetworks(H, &networks, 0));
    PTR(virNetworkLookupByName(H, "default"));
    PTR(virNetworkLookupByUUID(H, uuid));
    PTR(virNetworkLookupByUUIDString(H, "6695eb01-f6a4-8304-79aa-97f2502e193f"));
    PTR(virNetworkCreateXML(H, "<network/>"));
    PTR(virNetworkDefineXML(H, "<network/>"));
    INT(virConnectNumOfStoragePools(H));
    INT(virConnectListStoragePools(H, names, 4));
    INT(virConnectNumOfDefinedStoragePools(H));
    INT(virConnectListDefinedStoragePools(H, names, 4));
    INT(virConnectListAllStoragePools(H, &pools, 0));
    PTR(virStoragePoolLookupByName(H, "default-pool"));
    PTR(virStoragePoolLookupByUUID(H, uuid));
    PTR(virStoragePoolLookupByUUIDString(H, "6695eb01-f6a4-8304-79aa-97f2502e193f"));
    PTR(virStoragePoolCreateXML(H, "<pool/>", 0));
    PTR(virStoragePoolDefineXML(H, "<pool/>", 0));
    PTR(virStorageVolLookupByKey(H, "key"));
    PTR(virStorageVolLookupByPath(H, "/path"));
    PTR(virConnGetLastError(H));
    VOID(virConnResetLastError(H));
    VOID(virConnSetErrorFunc(H, NULL, quiet));
#ifdef TSVIRT
    /* libvirt crashes on this one */
    virError error;
    INT(virConnCopyLastError(H, &error));
    /* tsvirt's own */
    PTR(virDomainCreateXMLJob(H, xml, 0));
    PTR(virDomainCreateLinuxJob(H, xml, 0));
    PTR(virDomainRestoreJob(H, "/nonexistent", 0));
    PTR(virNetworkCreateXMLJob(H, "<network/>", 0));
    INT(virConnectListAllJobs(H, NULL, 0));
    PTR(virJobLookupByID(H, 1));
#endif
}

static void
on_domain(virDomainPtr H)
{
    PTR(virDomainGetConnect(H));
    INT(virDomainShutdown(H));
    INT(virDomainShutdownFlags(H, 0));
    INT(virDomainReboot(H, 0));
    INT(virDomainDestroy(H));
    INT(virDomainDestroyFlags(H, 0));
    INT(virDomainRef(H));
    INT(virDomainFree(H));
    INT(virDomainSuspend(H));
    INT(virDomainResume(H));
    INT(virDomainSave(H, "/nonexistent/save"));
    INT(virDomainSaveFlags(H, "/nonexistent/save", NULL, 0));
    INT(virDomainHasManagedSaveImage(H, 0));
    INT(virDomainCoreDump(H, "/nonexistent/core", 0));
    INT(virDomainCoreDumpWithFormat(H, "/nonexistent/core", 0, 0));
    INT(virDomainGetInfo(H, &dominfo));
    INT(virDomainGetState(H, &flag, NULL, 0));
    PTR(virDomainGetName(H));
    INT(virDomainGetID(H));
    INT(virDomainGetUUID(H, uuid));
    INT(virDomainGetUUIDString(H, uuidstr));
    PTR(virDomainGetOSType(H));
    INT(virDomainGetMaxMemory(H));
    INT(virDomainGetSecurityLabel(H, &seclabel));
    PTR(virDomainGetXMLDesc(H, 0));
    INT(virDomainUndefine(H));
    INT(virDomainUndefineFlags(H, 0));
    INT(virDomainCreate(H));
    INT(virDomainCreateWithFlags(H, 0));
    INT(virDomainGetAutostart(H, &flag));
    INT(virDomainIsActive(H));
    INT(virDomainIsPersistent(H));
    INT(virDomainGetJobInfo(H, &jobinfo));
    INT(virDomainAbortJob(H));
#ifdef TSVIRT
    PTR(virDomainCreateJob(H, 0));
    PTR(virDomainSaveJob(H, "/nonexistent/save", 0));
    PTR(virDomainCoreDumpJob(H, "/nonexistent/core", 0, 0));
#endif
}

static void
on_network(virNetworkPtr H)
{
    PTR(virNetworkGetConnect(H));
    INT(virNetworkUndefine(H));
    INT(virNetworkCreate(H));
    INT(virNetworkDestroy(H));
    INT(virNetworkRef(H));
    INT(virNetworkFree(H));
    PTR(virNetworkGetName(H));
    INT(virNetworkGetUUID(H, uuid));
    INT(virNetworkGetUUIDString(H, uuidstr));
    PTR(virNetworkGetXMLDesc(H, 0));
    PTR(virNetworkGetBridgeName(H));
    INT(virNetworkGetAutostart(H, &flag));
    INT(virNetworkSetAutostart(H, 0));
    INT(virNetworkIsActive(H));
    INT(virNetworkIsPersistent(H));
#ifdef TSVIRT
    PTR(virNetworkCreateJob(H, 0));
#endif
}

static void
on_pool(virStoragePoolPtr H)
{
    PTR(virStoragePoolGetConnect(H));
    INT(virStoragePoolBuild(H, 0));
    INT(virStoragePoolUndefine(H));
    INT(virStoragePoolCreate(H, 0));
    INT(virStoragePoolDestroy(H));
    INT(virStoragePoolDelete(H, 0));
    INT(virStoragePoolRef(H));
    INT(virStoragePoolFree(H));
    INT(virStoragePoolRefresh(H, 0));
    PTR(virStoragePoolGetName(H));
    INT(virStoragePoolGetUUID(H, uuid));
    INT(virStoragePoolGetUUIDString(H, uuidstr));
    INT(virStoragePoolGetInfo(H, &poolinfo));
    PTR(virStoragePoolGetXMLDesc(H, 0));
    INT(virStoragePoolGetAutostart(H, &flag));
    INT(virStoragePoolNumOfVolumes(H));
    INT(virStoragePoolListVolumes(H, names, 4));
    INT(virStoragePoolListAllVolumes(H, &volumes, 0));
    INT(virStoragePoolIsActive(H));
    INT(virStoragePoolIsPersistent(H));
    PTR(virStorageVolLookupByName(H, "volume"));
    PTR(virStorageVolCreateXML(H, "<volume/>", 0));
    PTR(virStorageVolCreateXMLFrom(H, "<volume/>", NULL, 0));
#ifdef TSVIRT
    PTR(virStorageVolCreateXMLJob(H, "<volume/>", 0, 0));
    PTR(virStorageVolCreateXMLFromJob(H, "<volume/>", NULL, 0, 0));
#endif
}

static void
on_volume(virStorageVolPtr H, virStoragePoolPtr pool)
{
    PTR(virStoragePoolLookupByVolume(H));
    PTR(virStorageVolGetConnect(H));
    PTR(virStorageVolGetName(H));
    PTR(virStorageVolGetKey(H));
    INT(virStorageVolDelete(H, 0));
    INT(virStorageVolWipe(H, 0));
    INT(virStorageVolWipePattern(H, 0, 0));
    INT(virStorageVolRef(H));
    INT(virStorageVolFree(H));
    INT(virStorageVolGetInfo(H, &volinfo));
    PTR(virStorageVolGetXMLDesc(H, 0));
    PTR(virStorageVolGetPath(H));
    INT(virStorageVolResize(H, 1048576, 0));
    PTR(virStorageVolCreateXMLFrom(pool, "<volume><name>clone</name></volume>", H, 0));
#ifdef TSVIRT
    PTR(virStorageVolWipeJob(H, 0, 0));
    PTR(virStorageVolCreateXMLFromJob(pool, "<volume><name>clone</name></volume>", H, 0, 0));
#endif
}

#ifdef TSVIRT
static void
on_job(virJobPtr H)
{
    virJobInfo info;
    INT(virJobGetInfo(H, &info));
    INT(virJobCancel(H));
    PTR(virJobGetError(H));
    PTR(virJobGetOperation(H));
    INT(virJobGetID(H));
    INT(virJobRef(H));
    INT(virJobFree(H));
    PTR(virJobGetConnect(H));
    PTR(virJobGetDomain(H));
    PTR(virJobGetNetwork(H));
    PTR(virJobGetStorageVol(H));
    INT(virJobWait(H));
    INT(virJobSetCallback(H, NULL, NULL, NULL));
}

static char junk[4096];
#endif

int
main(int argc, char **argv)
{
    int all = argc > 1 && strcmp(argv[1], "all") == 0;
    virSetErrorFunc(NULL, quiet);

    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    if (!conn || !dom || !net || !pool) {
        fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
        return 1;
    }

    variant = "null";
    on_connection(NULL);
    on_domain(NULL);
    on_network(NULL);
    on_pool(NULL);
    on_volume(NULL, pool);
#ifdef TSVIRT
    on_job(NULL);
#endif
    if (!all)
        goto out;

#ifdef TSVIRT
    virStorageVolPtr vol =
        virStorageVolCreateXML(pool, "<volume><name>abi-invalid.img</name><capacity>1048576</capacity></volume>", 0);
    virJobPtr job = vol ? virStorageVolWipeJob(vol, 0, 0) : NULL;
    if (!vol || !job || virJobWait(job) != VIR_JOB_COMPLETED) {
        fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
        return 1;
    }

    /* Handles whose last reference is gone. */
    virConnectPtr freed_conn = virConnectOpen("test:///default");
    virConnectClose(freed_conn);
    virDomainPtr freed_dom = virDomainLookupByName(conn, "test");
    virDomainFree(freed_dom);
    virNetworkPtr freed_net = virNetworkLookupByName(conn, "default");
    virNetworkFree(freed_net);
    virStoragePoolPtr freed_pool = virStoragePoolLookupByName(conn, "default-pool");
    virStoragePoolFree(freed_pool);
    virStorageVolPtr freed_vol = virStorageVolLookupByName(pool, "abi-invalid.img");
    virStorageVolFree(freed_vol);
    virJobFree(job);

    memset(junk, 0xa5, sizeof(junk));
    void *wild = (void *)(uintptr_t)0x10;
    void *heap = malloc(4096);
    memset(heap, 0x5a, 4096);

    variant = "freed";
    on_connection(freed_conn);
    on_domain(freed_dom);
    on_network(freed_net);
    on_pool(freed_pool);
    on_volume(freed_vol, pool);
    on_job(job);

    variant = "junk";
    on_connection((void *)junk);
    on_domain((void *)junk);
    on_network((void *)junk);
    on_pool((void *)junk);
    on_volume((void *)junk, pool);
    on_job((void *)junk);

    variant = "heap";
    on_connection(heap);
    on_domain(heap);
    on_network(heap);
    on_pool(heap);
    on_volume(heap, pool);
    on_job(heap);

    variant = "wild";
    on_connection(wild);
    on_domain(wild);
    on_network(wild);
    on_pool(wild);
    on_volume(wild, pool);
    on_job(wild);

    variant = "inside";
    on_connection((void *)((char *)conn + 4));
    on_domain((void *)((char *)dom + 4));
    on_network((void *)((char *)net + 4));
    on_pool((void *)((char *)pool + 4));
    on_volume((void *)((char *)vol + 4), pool);
    on_job((void *)((char *)vol + 4));

    variant = "kind";
    on_connection((void *)dom);
    on_domain((void *)conn);
    on_network((void *)pool);
    on_pool((void *)net);
    on_volume((void *)pool, pool);
    on_job((void *)conn);

    free(heap);
    virStorageVolDelete(vol, 0);
    virStorageVolFree(vol);
#endif

out:
    virStoragePoolFree(pool);
    virNetworkFree(net);
    virDomainFree(dom);
    printf("close: %d\n", virConnectClose(conn));
    return 0;
}
