/*
 * Every function and variable the library exports, called the way a program would, on test:///default.
 * Prints "ok NAME" when a call did what libvirt documents, "FAIL NAME: why" when not; the test expects
 * one "ok" line per name in native/exports.generated.txt, and nothing else.
 *
 * usage: api-coverage SCRATCH-DIR
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live-handles.h"

static int failures;

#define OK(name, cond, ...)                                          \
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

static int
STREQ(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static const char *TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f";
static const unsigned char TEST_UUID_RAW[VIR_UUID_BUFLEN] = {
    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04, 0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f,
};

static const char *DOMAIN_XML = "<domain type='test'><name>%s</name><uuid>%s</uuid><memory unit='KiB'>65536</memory>"
                                "<os><type>hvm</type></os></domain>";
static const char *MY_UUID = "7c3e9fd1-5a42-4bd7-8e0f-6f1c2d3e4a5b";
static const char *NETWORK_XML = "<network><name>%s</name><bridge name='%s'/></network>";
static const char *POOL_XML = "<pool type='dir'><name>%s</name><target><path>/%s</path></target></pool>";
static const char *VOLUME_XML =
    "<volume><name>%s</name><capacity unit='bytes'>1048576</capacity><allocation>0</allocation></volume>";

static char xml_buf[1024];

static const char *
xml(const char *format, const char *a, const char *b)
{
    snprintf(xml_buf, sizeof(xml_buf), format, a, b);
    return xml_buf;
}

static int handler_calls;

static void
count_errors(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
    handler_calls++;
}

static sem_t delivered;
static int delivered_state = -1;

static void
on_end(virJobPtr job, int state, void *opaque)
{
    (void)job;
    (void)opaque;
    delivered_state = state;
    sem_post(&delivered);
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    (void)conn;
    (void)reason;
    (void)opaque;
}

static void
host(virConnectPtr conn)
{
    unsigned long lib = 0, type = 0;
    OK("virInitialize", virInitialize() == 0, "failed");
    OK("virGetVersion", virGetVersion(&lib, NULL, &type) == 0 && lib == 9000000 && type == 9000000, "%lu", lib);

    virConnectPtr other = virConnectOpen("test:///default");
    OK("virConnectOpen", other != NULL, "NULL");
    OK("virConnectRef", virConnectRef(other) == 0, "failed");
    OK("virConnectClose", virConnectClose(other) == 1 && virConnectClose(other) == 0, "references were miscounted");
    other = virConnectOpenReadOnly("test:///default");
    OK("virConnectOpenReadOnly",
       other && !virDomainDefineXML(other, xml(DOMAIN_XML, "ro", MY_UUID)) &&
           virGetLastErrorCode() == VIR_ERR_OPERATION_DENIED,
       "writes were allowed");
    virConnectClose(other);

    unsigned long version = 0;
    OK("virConnectGetType", STREQ(virConnectGetType(conn), "TEST"), "type");
    OK("virConnectGetVersion", virConnectGetVersion(conn, &version) == 0 && version == 2, "%lu", version);
    OK("virConnectGetLibVersion", virConnectGetLibVersion(conn, &version) == 0 && version == 9000000, "%lu", version);
    char *text = virConnectGetHostname(conn);
    OK("virConnectGetHostname", text && *text, "no host name");
    free(text);
    text = virConnectGetURI(conn);
    OK("virConnectGetURI", STREQ(text, "test:///default"), "%s", text);
    free(text);
    OK("virConnectGetMaxVcpus", virConnectGetMaxVcpus(conn, NULL) == 32, "not 32");
    virNodeInfo node;
    OK("virNodeGetInfo",
       virNodeGetInfo(conn, &node) == 0 && STREQ(node.model, "i686") && node.cpus == 16 && node.mhz == 1400 &&
           node.memory == 3145728 && VIR_NODEINFO_MAXCPUS(node) == 16,
       "model %s", node.model);
    text = virConnectGetCapabilities(conn);
    /* A driver without the function answers libvirt's "not supported": the call still went through. */
    OK("virConnectGetCapabilities",
       text ? strncmp(text, "<capabilities>", 14) == 0 : virGetLastErrorCode() == VIR_ERR_NO_SUPPORT, "%.20s", text);
    free(text);
    virSecurityModel model;
    memset(&model, 'x', sizeof(model));
    OK("virNodeGetSecurityModel",
       virNodeGetSecurityModel(conn, &model) == 0 && STREQ(model.model, "testSecurity") && STREQ(model.doi, ""),
       "model %s", model.model);
    OK("virConnectIsEncrypted", virConnectIsEncrypted(conn) == 0, "encrypted");
    OK("virConnectIsSecure", virConnectIsSecure(conn) == 1, "not secure");
    OK("virConnectIsAlive", virConnectIsAlive(conn) == 1, "not alive");
    /* A local driver accepts close callbacks and keeps none (libvirt's); it has no keepalive. */
    OK("virConnectRegisterCloseCallback",
       virConnectRegisterCloseCallback(conn, on_close, NULL, NULL) == 0 &&
           virConnectRegisterCloseCallback(conn, NULL, NULL, NULL) == -1 &&
           virGetLastErrorCode() == VIR_ERR_INVALID_ARG,
       "failed");
    OK("virConnectUnregisterCloseCallback", virConnectUnregisterCloseCallback(conn, on_close) == 0, "failed");
    OK("virConnectSetKeepAlive",
       virConnectSetKeepAlive(conn, 5, 3) == -1 && virGetLastErrorCode() == VIR_ERR_NO_SUPPORT, "failed");
}

static void
domains(virConnectPtr conn, const char *dir)
{
    int ids[4], state = -1, reason = -1, flag = -1;
    char *names[4];
    unsigned char uuid[VIR_UUID_BUFLEN];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    char file[512];

    OK("virConnectNumOfDomains", virConnectNumOfDomains(conn) == 1, "not 1");
    OK("virConnectListDomains", virConnectListDomains(conn, ids, 4) == 1 && ids[0] == 1, "ids");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    OK("virDomainLookupByName", dom != NULL, "NULL");
    virDomainPtr other = virDomainLookupByID(conn, 1);
    OK("virDomainLookupByID", other && STREQ(virDomainGetName(other), "test"), "not test");
    virDomainFree(other);
    other = virDomainLookupByUUID(conn, TEST_UUID_RAW);
    OK("virDomainLookupByUUID", other && STREQ(virDomainGetName(other), "test"), "not test");
    virDomainFree(other);
    other = virDomainLookupByUUIDString(conn, TEST_UUID);
    OK("virDomainLookupByUUIDString", other && STREQ(virDomainGetName(other), "test"), "not test");
    OK("virDomainRef", virDomainRef(other) == 0, "failed");
    OK("virDomainFree", virDomainFree(other) == 0 && virDomainFree(other) == 0 && virDomainFree(other) == -1,
       "references were miscounted");

    OK("virDomainGetConnect", virDomainGetConnect(dom) == conn, "another connection");
    OK("virDomainGetName", STREQ(virDomainGetName(dom), "test"), "name");
    OK("virDomainGetID", virDomainGetID(dom) == 1, "id");
    OK("virDomainGetUUID", virDomainGetUUID(dom, uuid) == 0 && memcmp(uuid, TEST_UUID_RAW, VIR_UUID_BUFLEN) == 0,
       "uuid");
    OK("virDomainGetUUIDString", virDomainGetUUIDString(dom, uuidstr) == 0 && STREQ(uuidstr, TEST_UUID), "%s", uuidstr);
    char *text = virDomainGetOSType(dom);
    OK("virDomainGetOSType", STREQ(text, "linux"), "%s", text);
    free(text);
    OK("virDomainGetMaxMemory", virDomainGetMaxMemory(dom) == 8388608, "%lu", virDomainGetMaxMemory(dom));
    virDomainInfo info;
    OK("virDomainGetInfo",
       virDomainGetInfo(dom, &info) == 0 && info.state == VIR_DOMAIN_RUNNING && info.maxMem == 8388608 &&
           info.memory == 2097152 && info.nrVirtCpu == 2,
       "state %d", info.state);
    OK("virDomainGetState", virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING, "state %d",
       state);
    virSecurityLabel label;
    OK("virDomainGetSecurityLabel",
       virDomainGetSecurityLabel(dom, &label) == 0 && STREQ(label.label, "libvirt-test") && label.enforcing == 1,
       "label %s", label.label);
    text = virDomainGetXMLDesc(dom, 0);
    OK("virDomainGetXMLDesc", text && strstr(text, "<name>test</name>"), "no name");
    free(text);
    OK("virDomainGetAutostart", virDomainGetAutostart(dom, &flag) == 0 && flag == 0, "autostart %d", flag);
    OK("virDomainIsActive", virDomainIsActive(dom) == 1, "not active");
    OK("virDomainIsPersistent", virDomainIsPersistent(dom) == 1, "not persistent");
    OK("virDomainHasManagedSaveImage", virDomainHasManagedSaveImage(dom, 0) == 0, "has one");
    virDomainJobInfo jobinfo;
    OK("virDomainGetJobInfo", virDomainGetJobInfo(dom, &jobinfo) == 0 && jobinfo.type == VIR_DOMAIN_JOB_NONE, "type %d",
       jobinfo.type);
    OK("virDomainSuspend",
       virDomainSuspend(dom) == 0 && virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_PAUSED,
       "state %d", state);
    OK("virDomainResume",
       virDomainResume(dom) == 0 && virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_RUNNING,
       "state %d", state);

    /* A persistent domain through its life cycle. */
    virDomainPtr mine = virDomainDefineXML(conn, xml(DOMAIN_XML, "abi-coverage", MY_UUID));
    OK("virDomainDefineXML", mine != NULL, "NULL");
    other = virDomainDefineXMLFlags(conn, xml(DOMAIN_XML, "abi-coverage", MY_UUID), 0);
    OK("virDomainDefineXMLFlags", other != NULL, "NULL");
    virDomainFree(other);
    OK("virConnectNumOfDefinedDomains", virConnectNumOfDefinedDomains(conn) == 1, "not 1");
    OK("virConnectListDefinedDomains",
       virConnectListDefinedDomains(conn, names, 4) == 1 && STREQ(names[0], "abi-coverage"), "names");
    free(names[0]);
    virDomainPtr *list = NULL;
    int count = virConnectListAllDomains(conn, &list, 0);
    OK("virConnectListAllDomains", count == 2 && list && list[2] == NULL, "count %d", count);
    for (int i = 0; i < count; i++)
        virDomainFree(list[i]);
    free(list);
    OK("virDomainCreate", virDomainCreate(mine) == 0 && virDomainIsActive(mine) == 1, "not running");
    OK("virDomainShutdown", virDomainShutdown(mine) == 0, "failed");
    OK("virDomainCreateWithFlags", virDomainCreateWithFlags(mine, 0) == 0, "failed");
    OK("virDomainShutdownFlags", virDomainShutdownFlags(mine, 0) == 0, "failed");
    virDomainCreate(mine);
    OK("virDomainReboot", virDomainReboot(mine, 0) == 0, "failed");
    OK("virDomainDestroy", virDomainDestroy(mine) == 0 && virDomainIsActive(mine) == 0, "still running");
    virDomainCreate(mine);
    OK("virDomainDestroyFlags", virDomainDestroyFlags(mine, 0) == 0, "failed");
    virJobPtr job = virDomainCreateJob(mine, 0);
    OK("virDomainCreateJob", job && virJobWait(job) == VIR_JOB_COMPLETED && virDomainIsActive(mine) == 1, "failed");
    virJobFree(job);
    virDomainDestroy(mine);
    OK("virDomainUndefine", virDomainUndefine(mine) == 0 && virDomainLookupByName(conn, "abi-coverage") == NULL,
       "still defined");
    virDomainFree(mine);
    mine = virDomainDefineXML(conn, xml(DOMAIN_XML, "abi-coverage", MY_UUID));
    OK("virDomainUndefineFlags", virDomainUndefineFlags(mine, 0) == 0, "failed");
    virDomainFree(mine);

    /* Transient domains. */
    mine = virDomainCreateXML(conn, xml(DOMAIN_XML, "abi-transient", MY_UUID), 0);
    OK("virDomainCreateXML", mine && virDomainIsPersistent(mine) == 0, "not transient");
    virDomainDestroy(mine);
    virDomainFree(mine);
    mine = virDomainCreateLinux(conn, xml(DOMAIN_XML, "abi-transient", MY_UUID), 0);
    OK("virDomainCreateLinux", mine && virDomainIsActive(mine) == 1, "not running");
    virDomainDestroy(mine);
    virDomainFree(mine);
    job = virDomainCreateXMLJob(conn, xml(DOMAIN_XML, "abi-transient", MY_UUID), 0);
    mine = job && virJobWait(job) == VIR_JOB_COMPLETED ? virJobGetDomain(job) : NULL;
    OK("virDomainCreateXMLJob", mine && virDomainIsActive(mine) == 1, "no domain");
    virDomainDestroy(mine);
    virDomainFree(mine);
    virJobFree(job);
    job = virDomainCreateLinuxJob(conn, xml(DOMAIN_XML, "abi-transient", MY_UUID), 0);
    mine = job && virJobWait(job) == VIR_JOB_COMPLETED ? virJobGetDomain(job) : NULL;
    OK("virDomainCreateLinuxJob", mine && virDomainIsActive(mine) == 1, "no domain");
    virDomainDestroy(mine);
    virDomainFree(mine);
    virJobFree(job);

    /* Save, restore and dump, blocking and as jobs. */
    snprintf(file, sizeof(file), "%s/coverage.save", dir);
    OK("virDomainSave", virDomainSave(dom, file) == 0 && virDomainIsActive(dom) == 0, "failed");
    OK("virDomainRestore", virDomainRestore(conn, file) == 0 && virDomainIsActive(dom) == 1, "failed");
    OK("virDomainSaveFlags", virDomainSaveFlags(dom, file, NULL, 0) == 0, "failed");
    OK("virDomainRestoreFlags", virDomainRestoreFlags(conn, file, NULL, 0) == 0, "failed");
    job = virDomainSaveJob(dom, file, 0);
    OK("virDomainSaveJob", job && virJobWait(job) == VIR_JOB_COMPLETED, "failed");
    virJobFree(job);
    job = virDomainRestoreJob(conn, file, 0);
    OK("virDomainRestoreJob", job && virJobWait(job) == VIR_JOB_COMPLETED, "failed");
    virJobFree(job);
    snprintf(file, sizeof(file), "%s/coverage.core", dir);
    OK("virDomainCoreDump", virDomainCoreDump(dom, file, 0) == 0, "failed");
    OK("virDomainCoreDumpWithFormat", virDomainCoreDumpWithFormat(dom, file, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, 0) == 0,
       "failed");
    job = virDomainCoreDumpJob(dom, file, 0, 0);
    OK("virDomainCoreDumpJob", job && virJobWait(job) == VIR_JOB_COMPLETED, "failed");
    virJobFree(job);
    virDomainFree(dom);
}

static void
jobs(const char *dir)
{
    char file[512];
    snprintf(file, sizeof(file), "%s/jobs.save", dir);
    virConnectPtr slow = virConnectOpen("test:///default?rate=16M");
    virDomainPtr dom = virDomainLookupByName(slow, "test");

    virJobPtr job = virDomainSaveJob(dom, file, 0);
    virJobInfo info;
    OK("virJobGetInfo", virJobGetInfo(job, &info) == 0 && info.state == VIR_JOB_RUNNING && info.dataTotal > 0,
       "state %d", info.state);
    OK("virJobGetOperation", STREQ(virJobGetOperation(job), "save"), "operation");
    virConnectPtr conn = virJobGetConnect(job);
    OK("virJobGetConnect", conn == slow, "another connection");
    virConnectClose(conn);
    virDomainPtr target = virJobGetDomain(job);
    OK("virJobGetDomain", target && STREQ(virDomainGetName(target), "test"), "domain");
    virDomainFree(target);
    OK("virJobGetNetwork", virJobGetNetwork(job) == NULL && virGetLastError() == NULL, "a network");
    OK("virJobGetStorageVol", virJobGetStorageVol(job) == NULL && virGetLastError() == NULL, "a volume");
    virJobPtr *list = NULL;
    int count = virConnectListAllJobs(slow, &list, VIR_CONNECT_LIST_JOBS_RUNNING);
    OK("virConnectListAllJobs", count == 1 && list[0] == job && list[1] == NULL, "count %d", count);
    OK("virJobGetID", virJobGetID(job) > 0 && virJobGetID(job) != (unsigned int)-1, "id %u", virJobGetID(job));
    virConnectPtr other = virConnectOpen("test:///default");
    virJobPtr found = virJobLookupByID(other, (int)virJobGetID(job));
    OK("virJobLookupByID", found == job && virJobFree(found) == 0, "another job");
    virConnectClose(other);
    for (int i = 0; i < count; i++)
        virJobFree(list[i]);
    free(list);
    OK("virJobRef", virJobRef(job) == 0 && virJobFree(job) == 0, "failed");
    OK("virDomainAbortJob", virDomainAbortJob(dom) == 0, "failed");
    OK("virJobWait", virJobWait(job) == VIR_JOB_CANCELLED, "not cancelled");
    virErrorPtr error = virJobGetError(job);
    OK("virJobGetError", error && error->code == VIR_ERR_OPERATION_ABORTED, "no error");
    sem_init(&delivered, 0, 0);
    OK("virJobSetCallback",
       virJobSetCallback(job, on_end, NULL, NULL) == 0 && sem_wait(&delivered) == 0 &&
           delivered_state == VIR_JOB_CANCELLED,
       "state %d", delivered_state);
    OK("virJobFree", virJobFree(job) == 0, "failed");

    job = virDomainSaveJob(dom, file, 0);
    OK("virJobCancel", virJobCancel(job) == 0 && virJobWait(job) == VIR_JOB_CANCELLED, "not cancelled");
    virJobFree(job);
    virDomainFree(dom);
    virConnectClose(slow);
}

static void
networks(virConnectPtr conn)
{
    char *names[4];
    unsigned char uuid[VIR_UUID_BUFLEN];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    int flag = -1;

    OK("virConnectNumOfNetworks", virConnectNumOfNetworks(conn) == 1, "not 1");
    OK("virConnectListNetworks", virConnectListNetworks(conn, names, 4) == 1 && STREQ(names[0], "default"), "names");
    free(names[0]);
    OK("virConnectNumOfDefinedNetworks", virConnectNumOfDefinedNetworks(conn) == 0, "not 0");
    OK("virConnectListDefinedNetworks", virConnectListDefinedNetworks(conn, names, 4) == 0, "not 0");
    virNetworkPtr *list = NULL;
    int count = virConnectListAllNetworks(conn, &list, 0);
    OK("virConnectListAllNetworks", count == 1 && list[1] == NULL, "count %d", count);
    for (int i = 0; i < count; i++)
        virNetworkFree(list[i]);
    free(list);

    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    OK("virNetworkLookupByName", net != NULL, "NULL");
    OK("virNetworkGetConnect", virNetworkGetConnect(net) == conn, "another connection");
    OK("virNetworkGetName", STREQ(virNetworkGetName(net), "default"), "name");
    OK("virNetworkGetUUIDString",
       virNetworkGetUUIDString(net, uuidstr) == 0 && STREQ(uuidstr, "dd8fe884-6c02-601e-7551-cca97df1c5df"), "%s",
       uuidstr);
    OK("virNetworkGetUUID", virNetworkGetUUID(net, uuid) == 0 && uuid[0] == 0xdd && uuid[15] == 0xdf, "uuid");
    virNetworkPtr other = virNetworkLookupByUUID(conn, uuid);
    OK("virNetworkLookupByUUID", other && STREQ(virNetworkGetName(other), "default"), "name");
    virNetworkFree(other);
    other = virNetworkLookupByUUIDString(conn, uuidstr);
    OK("virNetworkLookupByUUIDString", other && STREQ(virNetworkGetName(other), "default"), "name");
    OK("virNetworkRef", virNetworkRef(other) == 0 && virNetworkFree(other) == 0, "failed");
    OK("virNetworkFree", virNetworkFree(other) == 0 && virNetworkFree(other) == -1, "references were miscounted");
    char *text = virNetworkGetXMLDesc(net, 0);
    OK("virNetworkGetXMLDesc", text && strstr(text, "<name>default</name>"), "no name");
    free(text);
    text = virNetworkGetBridgeName(net);
    OK("virNetworkGetBridgeName", STREQ(text, "virbr0"), "%s", text);
    free(text);
    OK("virNetworkSetAutostart", virNetworkSetAutostart(net, 1) == 0, "failed");
    OK("virNetworkGetAutostart", virNetworkGetAutostart(net, &flag) == 0 && flag == 1, "autostart %d", flag);
    virNetworkSetAutostart(net, 0);
    OK("virNetworkIsActive", virNetworkIsActive(net) == 1, "not active");
    OK("virNetworkIsPersistent", virNetworkIsPersistent(net) == 1, "not persistent");
    virNetworkFree(net);

    net = virNetworkDefineXML(conn, xml(NETWORK_XML, "abi-net", "virbr9"));
    OK("virNetworkDefineXML", net && virNetworkIsActive(net) == 0, "NULL or active");
    OK("virNetworkCreate", virNetworkCreate(net) == 0 && virNetworkIsActive(net) == 1, "not active");
    OK("virNetworkDestroy", virNetworkDestroy(net) == 0 && virNetworkIsActive(net) == 0, "still active");
    virJobPtr job = virNetworkCreateJob(net, 0);
    OK("virNetworkCreateJob", job && virJobWait(job) == VIR_JOB_COMPLETED && virNetworkIsActive(net) == 1, "failed");
    virJobFree(job);
    virNetworkDestroy(net);
    OK("virNetworkUndefine", virNetworkUndefine(net) == 0 && virNetworkLookupByName(conn, "abi-net") == NULL,
       "still defined");
    virNetworkFree(net);

    net = virNetworkCreateXML(conn, xml(NETWORK_XML, "abi-net", "virbr9"));
    OK("virNetworkCreateXML", net && virNetworkIsActive(net) == 1 && virNetworkIsPersistent(net) == 0, "failed");
    virNetworkDestroy(net);
    virNetworkFree(net);
    job = virNetworkCreateXMLJob(conn, xml(NETWORK_XML, "abi-net", "virbr9"), 0);
    net = job && virJobWait(job) == VIR_JOB_COMPLETED ? virJobGetNetwork(job) : NULL;
    OK("virNetworkCreateXMLJob", net && virNetworkIsActive(net) == 1, "no network");
    virNetworkDestroy(net);
    virNetworkFree(net);
    virJobFree(job);
}

static void
storage(virConnectPtr conn)
{
    char *names[4];
    unsigned char uuid[VIR_UUID_BUFLEN];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    int flag = -1;

    OK("virConnectNumOfStoragePools", virConnectNumOfStoragePools(conn) == 1, "not 1");
    OK("virConnectListStoragePools", virConnectListStoragePools(conn, names, 4) == 1 && STREQ(names[0], "default-pool"),
       "names");
    free(names[0]);
    OK("virConnectNumOfDefinedStoragePools", virConnectNumOfDefinedStoragePools(conn) == 0, "not 0");
    OK("virConnectListDefinedStoragePools", virConnectListDefinedStoragePools(conn, names, 4) == 0, "not 0");
    virStoragePoolPtr *pools = NULL;
    int count = virConnectListAllStoragePools(conn, &pools, 0);
    OK("virConnectListAllStoragePools", count == 1 && pools[1] == NULL, "count %d", count);
    for (int i = 0; i < count; i++)
        virStoragePoolFree(pools[i]);
    free(pools);

    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    OK("virStoragePoolLookupByName", pool != NULL, "NULL");
    OK("virStoragePoolGetConnect", virStoragePoolGetConnect(pool) == conn, "another connection");
    OK("virStoragePoolGetName", STREQ(virStoragePoolGetName(pool), "default-pool"), "name");
    OK("virStoragePoolGetUUIDString",
       virStoragePoolGetUUIDString(pool, uuidstr) == 0 && STREQ(uuidstr, "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"), "%s",
       uuidstr);
    OK("virStoragePoolGetUUID", virStoragePoolGetUUID(pool, uuid) == 0 && uuid[0] == 0xdf && uuid[15] == 0x66, "uuid");
    virStoragePoolPtr other = virStoragePoolLookupByUUID(conn, uuid);
    OK("virStoragePoolLookupByUUID", other && STREQ(virStoragePoolGetName(other), "default-pool"), "name");
    virStoragePoolFree(other);
    other = virStoragePoolLookupByUUIDString(conn, uuidstr);
    OK("virStoragePoolLookupByUUIDString", other && STREQ(virStoragePoolGetName(other), "default-pool"), "name");
    OK("virStoragePoolRef", virStoragePoolRef(other) == 0 && virStoragePoolFree(other) == 0, "failed");
    OK("virStoragePoolFree", virStoragePoolFree(other) == 0 && virStoragePoolFree(other) == -1, "miscounted");
    virStoragePoolInfo poolinfo;
    OK("virStoragePoolGetInfo",
       virStoragePoolGetInfo(pool, &poolinfo) == 0 && poolinfo.state == VIR_STORAGE_POOL_RUNNING &&
           poolinfo.capacity == 107374182400ULL,
       "state %d", poolinfo.state);
    char *text = virStoragePoolGetXMLDesc(pool, 0);
    OK("virStoragePoolGetXMLDesc", text && strstr(text, "<name>default-pool</name>"), "no name");
    free(text);
    OK("virStoragePoolGetAutostart", virStoragePoolGetAutostart(pool, &flag) == 0, "failed");
    OK("virStoragePoolIsActive", virStoragePoolIsActive(pool) == 1, "not active");
    OK("virStoragePoolIsPersistent", virStoragePoolIsPersistent(pool) == 1, "not persistent");
    OK("virStoragePoolRefresh", virStoragePoolRefresh(pool, 0) == 0, "failed");
    OK("virStoragePoolNumOfVolumes", virStoragePoolNumOfVolumes(pool) == 0, "not empty");

    /* Volumes. */
    virStorageVolPtr vol = virStorageVolCreateXML(pool, xml(VOLUME_XML, "abi.img", ""), 0);
    OK("virStorageVolCreateXML", vol != NULL, "NULL");
    OK("virStoragePoolListVolumes", virStoragePoolListVolumes(pool, names, 4) == 1 && STREQ(names[0], "abi.img"),
       "names");
    free(names[0]);
    virStorageVolPtr *vols = NULL;
    count = virStoragePoolListAllVolumes(pool, &vols, 0);
    OK("virStoragePoolListAllVolumes", count == 1 && vols[1] == NULL, "count %d", count);
    for (int i = 0; i < count; i++)
        virStorageVolFree(vols[i]);
    free(vols);
    OK("virStorageVolGetConnect", virStorageVolGetConnect(vol) == conn, "another connection");
    OK("virStorageVolGetName", STREQ(virStorageVolGetName(vol), "abi.img"), "name");
    const char *key = virStorageVolGetKey(vol);
    OK("virStorageVolGetKey", key && *key, "no key");
    char *path = virStorageVolGetPath(vol);
    OK("virStorageVolGetPath", path && strstr(path, "abi.img"), "%s", path);
    virStorageVolPtr same = virStorageVolLookupByName(pool, "abi.img");
    OK("virStorageVolLookupByName", same != NULL, "NULL");
    virStorageVolFree(same);
    same = virStorageVolLookupByKey(conn, key);
    OK("virStorageVolLookupByKey", same && STREQ(virStorageVolGetName(same), "abi.img"), "not found");
    virStorageVolFree(same);
    same = virStorageVolLookupByPath(conn, path);
    OK("virStorageVolLookupByPath", same && STREQ(virStorageVolGetName(same), "abi.img"), "not found");
    free(path);
    OK("virStorageVolRef", virStorageVolRef(same) == 0 && virStorageVolFree(same) == 0, "failed");
    OK("virStorageVolFree", virStorageVolFree(same) == 0 && virStorageVolFree(same) == -1, "miscounted");
    other = virStoragePoolLookupByVolume(vol);
    OK("virStoragePoolLookupByVolume", other && STREQ(virStoragePoolGetName(other), "default-pool"), "pool");
    virStoragePoolFree(other);
    virStorageVolInfo volinfo;
    OK("virStorageVolGetInfo", virStorageVolGetInfo(vol, &volinfo) == 0 && volinfo.capacity == 1048576, "capacity %llu",
       volinfo.capacity);
    text = virStorageVolGetXMLDesc(vol, 0);
    OK("virStorageVolGetXMLDesc", text && strstr(text, "<name>abi.img</name>"), "no name");
    free(text);
    OK("virStorageVolResize",
       virStorageVolResize(vol, 2097152, 0) == 0 && virStorageVolGetInfo(vol, &volinfo) == 0 &&
           volinfo.capacity == 2097152,
       "capacity %llu", volinfo.capacity);
    OK("virStorageVolWipe", virStorageVolWipe(vol, 0) == 0, "failed");
    OK("virStorageVolWipePattern", virStorageVolWipePattern(vol, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0) == 0, "failed");
    virJobPtr job = virStorageVolWipeJob(vol, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0);
    OK("virStorageVolWipeJob", job && virJobWait(job) == VIR_JOB_COMPLETED, "failed");
    virJobFree(job);
    virStorageVolPtr clone = virStorageVolCreateXMLFrom(pool, xml(VOLUME_XML, "abi-clone.img", ""), vol, 0);
    OK("virStorageVolCreateXMLFrom", clone != NULL, "NULL");
    OK("virStorageVolDelete",
       virStorageVolDelete(clone, 0) == 0 && virStorageVolLookupByName(pool, "abi-clone.img") == NULL, "still there");
    virStorageVolFree(clone);
    job = virStorageVolCreateXMLJob(pool, xml(VOLUME_XML, "abi-job.img", ""), 0, 0);
    clone = job && virJobWait(job) == VIR_JOB_COMPLETED ? virJobGetStorageVol(job) : NULL;
    OK("virStorageVolCreateXMLJob", clone && STREQ(virStorageVolGetName(clone), "abi-job.img"), "no volume");
    virStorageVolDelete(clone, 0);
    virStorageVolFree(clone);
    virJobFree(job);
    job = virStorageVolCreateXMLFromJob(pool, xml(VOLUME_XML, "abi-job.img", ""), vol, 0, 0);
    clone = job && virJobWait(job) == VIR_JOB_COMPLETED ? virJobGetStorageVol(job) : NULL;
    OK("virStorageVolCreateXMLFromJob", clone && STREQ(virStorageVolGetName(clone), "abi-job.img"), "no volume");
    virStorageVolDelete(clone, 0);
    virStorageVolFree(clone);
    virJobFree(job);
    virStorageVolDelete(vol, 0);
    virStorageVolFree(vol);
    virStoragePoolFree(pool);

    /* A pool through its life cycle. */
    pool = virStoragePoolDefineXML(conn, xml(POOL_XML, "abi-pool", "abi-pool"), 0);
    OK("virStoragePoolDefineXML", pool && virStoragePoolIsActive(pool) == 0, "NULL or active");
    OK("virStoragePoolBuild", virStoragePoolBuild(pool, 0) == 0, "failed");
    OK("virStoragePoolCreate", virStoragePoolCreate(pool, 0) == 0 && virStoragePoolIsActive(pool) == 1, "inactive");
    OK("virStoragePoolDestroy", virStoragePoolDestroy(pool) == 0 && virStoragePoolIsActive(pool) == 0, "active");
    OK("virStoragePoolDelete", virStoragePoolDelete(pool, 0) == 0, "failed");
    OK("virStoragePoolUndefine", virStoragePoolUndefine(pool) == 0, "failed");
    virStoragePoolFree(pool);
    pool = virStoragePoolCreateXML(conn, xml(POOL_XML, "abi-pool", "abi-pool"), 0);
    OK("virStoragePoolCreateXML", pool && virStoragePoolIsActive(pool) == 1 && virStoragePoolIsPersistent(pool) == 0,
       "failed");
    virStoragePoolDestroy(pool);
    virStoragePoolFree(pool);
}

static void
errors(virConnectPtr conn)
{
    virSetErrorFunc(NULL, count_errors);
    OK("virSetErrorFunc", virDomainLookupByName(conn, "nosuch") == NULL && handler_calls == 1, "calls %d",
       handler_calls);
    virErrorPtr error = virGetLastError();
    OK("virGetLastError", error && error->code == VIR_ERR_NO_DOMAIN, "no error");
    OK("virGetLastErrorCode", virGetLastErrorCode() == VIR_ERR_NO_DOMAIN, "code");
    OK("virGetLastErrorDomain", virGetLastErrorDomain() == VIR_FROM_TEST, "domain");
    OK("virGetLastErrorMessage", STREQ(virGetLastErrorMessage(), "Domain not found"), "message");
    virError copy;
    OK("virCopyLastError", virCopyLastError(&copy) == VIR_ERR_NO_DOMAIN && STREQ(copy.message, "Domain not found"),
       "copy");
    virResetError(&copy);
    OK("virResetError", copy.code == 0 && copy.message == NULL, "not reset");
    error = virSaveLastError();
    OK("virSaveLastError", error && error->code == VIR_ERR_NO_DOMAIN, "not saved");
    virFreeError(error);
    virFreeError(NULL);
    /* Nothing to observe but the absence of a crash (and of leaks, under scripts/asan.sh). */
    OK("virFreeError", 1, "%s", "crashed");
    OK("virConnGetLastError", (error = virConnGetLastError(conn)) && error->code == VIR_ERR_NO_DOMAIN, "conn error");
    OK("virConnCopyLastError", virConnCopyLastError(conn, &copy) == VIR_ERR_NO_DOMAIN, "copy");
    virResetError(&copy);
    virConnResetLastError(conn);
    OK("virConnResetLastError", virConnGetLastError(conn)->code == VIR_ERR_OK, "not reset");
    virResetLastError();
    OK("virResetLastError", virGetLastError() == NULL, "not reset");
    virConnSetErrorFunc(conn, NULL, count_errors);
    virDomainLookupByName(conn, "nosuch");
    OK("virConnSetErrorFunc", handler_calls == 2, "calls %d", handler_calls);
    virConnSetErrorFunc(conn, NULL, NULL);
    /* Prints "libvirt: Test Driver error : Domain not found" on stderr, which the test reads. */
    fflush(stdout);
    virDefaultErrorFunc(virGetLastError());
    OK("virDefaultErrorFunc", 1, "%s", "crashed");
    virSetErrorFunc(NULL, NULL);
}

static int lifecycle_calls, timer_calls, handle_calls, frees;

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)detail;
    (void)opaque;
    if (conn && event == VIR_DOMAIN_EVENT_SUSPENDED && STREQ(virDomainGetName(dom), "test"))
        lifecycle_calls++;
    return 0;
}

static void
on_timer(int timer, void *opaque)
{
    (void)opaque;
    timer_calls++;
    virEventUpdateTimeout(timer, -1);
}

static void
on_handle(int watch, int fd, int events, void *opaque)
{
    (void)opaque;
    char byte;
    if (events == VIR_EVENT_HANDLE_READABLE && read(fd, &byte, 1) == 1)
        handle_calls++;
    virEventUpdateHandle(watch, 0);
}

static void
on_free(void *opaque)
{
    (void)opaque;
    frees++;
}

/* Runs the default loop until *counter reaches target; 0, or -1 if an iteration failed. */
static int
run_loop(int *counter, int target)
{
    while (*counter < target)
        if (virEventRunDefaultImpl() < 0)
            return -1;
    return 0;
}

static void
events(virConnectPtr conn)
{
    virEventRegisterImpl(NULL, NULL, NULL, NULL, NULL, NULL);
    OK("virEventRegisterImpl", virEventAddTimeout(0, on_timer, NULL, NULL) == -1,
       "a timeout without an implementation");
    OK("virEventRegisterDefaultImpl", virEventRegisterDefaultImpl() == 0, "failed");
    int timer = virEventAddTimeout(0, on_timer, NULL, on_free);
    OK("virEventAddTimeout", timer > 0, "%d", timer);
    int fds[2];
    if (pipe(fds) < 0)
        return;
    int watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, on_handle, NULL, on_free);
    OK("virEventAddHandle", watch > 0, "%d", watch);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, on_free);
    OK("virConnectDomainEventRegisterAny", id >= 0, "%d", id);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    virDomainSuspend(dom);
    OK("virEventRunDefaultImpl",
       write(fds[1], "x", 1) == 1 && run_loop(&lifecycle_calls, 1) == 0 && run_loop(&timer_calls, 1) == 0 &&
           run_loop(&handle_calls, 1) == 0,
       "events %d, timer %d, handle %d", lifecycle_calls, timer_calls, handle_calls);
    virEventUpdateTimeout(timer, 5);
    OK("virEventUpdateTimeout", run_loop(&timer_calls, 2) == 0, "timer %d", timer_calls);
    virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE);
    OK("virEventUpdateHandle", write(fds[1], "y", 1) == 1 && run_loop(&handle_calls, 2) == 0, "handle %d",
       handle_calls);
    OK("virConnectDomainEventDeregisterAny",
       virConnectDomainEventDeregisterAny(conn, id) == 0 && frees == 1 &&
           virConnectDomainEventDeregisterAny(conn, id) == -1,
       "frees %d", frees);
    OK("virEventRemoveTimeout", virEventRemoveTimeout(timer) == 0 && virEventRemoveTimeout(timer) == -1, "failed");
    OK("virEventRemoveHandle", virEventRemoveHandle(watch) == 0 && virEventRemoveHandle(watch) == -1, "failed");
    run_loop(&frees, 3);
    close(fds[0]);
    close(fds[1]);
    virDomainResume(dom);
    virDomainFree(dom);
}

static int
sink_into(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
    (void)st;
    char *buf = opaque;
    size_t *got = (size_t *)(buf + 64);
    if (*got + nbytes > 64)
        return -1;
    memcpy(buf + *got, data, nbytes);
    *got += nbytes;
    return (int)nbytes;
}

static int
source_from(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
    (void)st;
    const char **text = opaque;
    size_t n = strlen(*text) < nbytes ? strlen(*text) : nbytes;
    memcpy(data, *text, n);
    *text += n;
    return (int)n;
}

/* A source of "hello" followed by a hole of 64 KiB, for virStreamSparseSendAll (after a first byte and a hole
 * sent by hand). */
struct sparse_source {
    const char *text;
    long long skipped;
};

static int
sparse_hole(virStreamPtr st, int *in_data, long long *length, void *opaque)
{
    (void)st;
    struct sparse_source *s = opaque;
    *in_data = *s->text != 0;
    *length = *in_data ? (long long)strlen(s->text) : 65536 - s->skipped;
    return 0;
}

static int
sparse_skip(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    ((struct sparse_source *)opaque)->skipped += length;
    return 0;
}

static int
sink_discard(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
    (void)st;
    (void)data;
    (void)opaque;
    return (int)nbytes;
}

static int
sink_hole(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    *(long long *)opaque += length;
    return 0;
}

/* Streams move data only on drivers with volume transfers: a directory pool of tsvirt:///embed. */
static void
streams(const char *dir)
{
    char uri[4200], pool_xml[4400];
    snprintf(uri, sizeof uri, "tsvirt:///embed?root=%s/streams-root", dir);
    snprintf(pool_xml, sizeof pool_xml,
             "<pool type='dir'><name>streams</name><target><path>%s/streams-pool</path></target></pool>", dir);
    virConnectPtr conn = virConnectOpen(uri);
    virStoragePoolPtr pool = conn ? virStoragePoolCreateXML(conn, pool_xml, VIR_STORAGE_POOL_CREATE_WITH_BUILD) : NULL;
    virStorageVolPtr vol = pool ? virStorageVolCreateXML(pool, xml(VOLUME_XML, "stream.img", ""), 0) : NULL;
    if (!vol) {
        printf("FAIL streams: no volume: %s\n", virGetLastErrorMessage());
        failures++;
        return;
    }
    virStreamPtr st = virStreamNew(conn, 0);
    OK("virStreamNew", st != NULL, "NULL");
    OK("virStreamRef", virStreamRef(st) == 0 && virStreamFree(st) == 0, "failed");
    OK("virStorageVolUpload", virStorageVolUpload(vol, st, 0, 0, 0) == 0, "%s", virGetLastErrorMessage());
    OK("virStreamSend", virStreamSend(st, "hello ", 6) == 6, "%s", virGetLastErrorMessage());
    const char *rest = "world";
    OK("virStreamSendAll", virStreamSendAll(st, source_from, &rest) == 0 && *rest == 0, "%s", virGetLastErrorMessage());
    OK("virStreamFinish", virStreamFinish(st) == 0, "%s", virGetLastErrorMessage());
    OK("virStreamFree", virStreamFree(st) == 0 && virStreamFree(st) == -1, "miscounted");

    char buf[64 + sizeof(size_t)] = {0};
    st = virStreamNew(conn, 0);
    OK("virStorageVolDownload", virStorageVolDownload(vol, st, 0, 11, 0) == 0, "%s", virGetLastErrorMessage());
    OK("virStreamRecv", virStreamRecv(st, buf, 6) == 6 && memcmp(buf, "hello ", 6) == 0, "%s",
       virGetLastErrorMessage());
    memset(buf, 0, sizeof buf);
    OK("virStreamRecvAll", virStreamRecvAll(st, sink_into, buf) == 0 && STREQ(buf, "world"), "got '%s'", buf);
    OK("virStreamAbort", virStreamAbort(st) == 0, "%s", virGetLastErrorMessage());
    virStreamFree(st);

    /* Sparse: "x", a hole, "hello", a hole, and back: holes of 64 KiB zero blocks come back as holes. */
    const char *hello = "hello";
    struct sparse_source src = {hello, 0};
    st = virStreamNew(conn, 0);
    virStorageVolUpload(vol, st, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    OK("virStreamSendHole", virStreamSend(st, "x", 1) == 1 && virStreamSendHole(st, 199999, 0) == 0, "%s",
       virGetLastErrorMessage());
    OK("virStreamSparseSendAll", virStreamSparseSendAll(st, source_from, sparse_hole, sparse_skip, &src) == 0, "%s",
       virGetLastErrorMessage());
    virStreamFinish(st);
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    virStorageVolDownload(vol, st, 0, 300000, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
    long long hole = 0;
    OK("virStreamRecvFlags", virStreamRecvFlags(st, buf, 1, VIR_STREAM_RECV_STOP_AT_HOLE) == 1 && buf[0] == 'x', "%s",
       virGetLastErrorMessage());
    OK("virStreamRecvHole",
       virStreamRecvFlags(st, buf, 64, VIR_STREAM_RECV_STOP_AT_HOLE) == -3 && virStreamRecvHole(st, &hole, 0) == 0 &&
           hole > 0,
       "%s", virGetLastErrorMessage());
    long long holes = 0;
    OK("virStreamSparseRecvAll", virStreamSparseRecvAll(st, sink_discard, sink_hole, &holes) == 0, "%s",
       virGetLastErrorMessage());
    virStreamFinish(st);
    virStreamFree(st);
    virStorageVolDelete(vol, 0);
    virStorageVolFree(vol);
    virStoragePoolDestroy(pool);
    virStoragePoolFree(pool);
    virConnectClose(conn);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    OK("virConnectAuthPtrDefault",
       virConnectAuthPtrDefault && virConnectAuthPtrDefault->ncredtype > 0 && virConnectAuthPtrDefault->cb,
       "no default");
    virConnectPtr conn = virConnectOpenAuth("test:///default", virConnectAuthPtrDefault, 0);
    OK("virConnectOpenAuth", conn != NULL, "NULL");
    host(conn);
    domains(conn, dir);
    jobs(dir);
    networks(conn);
    storage(conn);
    streams(dir);
    events(conn);
    errors(conn);
    virConnectClose(conn);
    int left = live_handles();
    OK("abi_debug_live_handles", left == 0, "%d handles left", left);
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
