/*
 * fuzz-handles.c: a seeded fuzz test of the C ABI's handle checks.
 *
 * Calls entry points chosen at random with bad handles chosen at random: NULL, freed, double-freed, a
 * live handle of another kind, a misaligned address inside a handle slab, a free slot of a slab, and
 * addresses outside every slab (small numbers, random bits, the stack, a heap copy of a live handle's
 * bytes).  libvirt answers NULL with its error (invalid-handles.test.ts checks that against libvirt), so
 * every other bad handle must get exactly the result and the error (code, domain, message) NULL got.
 * Meanwhile the live handles must keep working.
 *
 * Usage: fuzz-handles SEED CALLS.  Prints mismatches, then "fuzz-handles: seed S, N calls, M mismatches";
 * exits 0 when there were none.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONN, DOM, NET, POOL, VOL, JOB, KINDS };
static const char *const kind_names[KINDS] = {"connection", "domain", "network", "pool", "volume", "job"};

/* Arguments the calls share; none of them is what the calls are about. */
static unsigned long ul;
static int ids[4], flag;
static char *names[4];
static unsigned char uuid[VIR_UUID_BUFLEN];
static char uuidstr[VIR_UUID_STRING_BUFLEN];
static virNodeInfo nodeinfo;
static virDomainInfo dominfo;
static virDomainJobInfo domjobinfo;
static virStoragePoolInfo poolinfo;
static virStorageVolInfo volinfo;
static virJobInfo jobinfo;
static virDomainPtr *domains;
static virStoragePoolPtr live_pool;
static const char *xml = "<domain type='test'><name>never</name><memory>1024</memory></domain>";

typedef struct entry {
    const char *name;
    int kind;
    /* NULL's answer: what every bad handle must get. */
    long long result;
    int code, domain;
    char message[256];
} entry;

#define ENTRIES(X, P)                                                                          \
    X(CONN, virConnectRef(H))                                                                  \
    X(CONN, virConnectClose(H))                                                                \
    P(CONN, virConnectGetType(H))                                                              \
    X(CONN, virConnectGetVersion(H, &ul))                                                      \
    P(CONN, virConnectGetHostname(H))                                                          \
    P(CONN, virConnectGetURI(H))                                                               \
    X(CONN, virNodeGetInfo(H, &nodeinfo))                                                      \
    P(CONN, virConnectGetCapabilities(H))                                                      \
    X(CONN, virConnectIsAlive(H))                                                              \
    X(CONN, virConnectListDomains(H, ids, 4))                                                  \
    X(CONN, virConnectNumOfDomains(H))                                                         \
    P(CONN, virDomainCreateXML(H, xml, 0))                                                     \
    P(CONN, virDomainLookupByName(H, "test"))                                                  \
    P(CONN, virDomainLookupByUUIDString(H, "6695eb01-f6a4-8304-79aa-97f2502e193f"))            \
    X(CONN, virDomainRestore(H, "/nonexistent"))                                               \
    P(CONN, virDomainDefineXML(H, xml))                                                        \
    X(CONN, virConnectListDefinedDomains(H, names, 4))                                         \
    X(CONN, virConnectListAllDomains(H, &domains, 0))                                          \
    X(CONN, virConnectNumOfNetworks(H))                                                        \
    P(CONN, virNetworkLookupByName(H, "default"))                                              \
    P(CONN, virNetworkDefineXML(H, "<network/>"))                                              \
    X(CONN, virConnectNumOfStoragePools(H))                                                    \
    P(CONN, virStoragePoolLookupByName(H, "default-pool"))                                     \
    P(CONN, virStorageVolLookupByPath(H, "/path"))                                             \
    P(CONN, virDomainCreateXMLJob(H, xml, 0))                                                  \
    X(CONN, virConnectListAllJobs(H, NULL, 0))                                                 \
    P(CONN, virJobLookupByID(H, 1))                                                            \
    P(DOM, virDomainGetConnect(H))                                                             \
    X(DOM, virDomainShutdown(H))                                                               \
    X(DOM, virDomainDestroy(H))                                                                \
    X(DOM, virDomainRef(H))                                                                    \
    X(DOM, virDomainFree(H))                                                                   \
    X(DOM, virDomainSuspend(H))                                                                \
    X(DOM, virDomainResume(H))                                                                 \
    X(DOM, virDomainSave(H, "/nonexistent/save"))                                              \
    X(DOM, virDomainCoreDump(H, "/nonexistent/core", 0))                                       \
    X(DOM, virDomainGetInfo(H, &dominfo))                                                      \
    X(DOM, virDomainGetState(H, &flag, NULL, 0))                                               \
    P(DOM, virDomainGetName(H))                                                                \
    X(DOM, virDomainGetID(H))                                                                  \
    X(DOM, virDomainGetUUID(H, uuid))                                                          \
    X(DOM, virDomainGetUUIDString(H, uuidstr))                                                 \
    P(DOM, virDomainGetOSType(H))                                                              \
    X(DOM, virDomainGetMaxMemory(H))                                                           \
    P(DOM, virDomainGetXMLDesc(H, 0))                                                          \
    X(DOM, virDomainUndefine(H))                                                               \
    X(DOM, virDomainCreate(H))                                                                 \
    X(DOM, virDomainIsActive(H))                                                               \
    X(DOM, virDomainGetJobInfo(H, &domjobinfo))                                                \
    X(DOM, virDomainAbortJob(H))                                                               \
    P(DOM, virDomainSaveJob(H, "/nonexistent/save", 0))                                        \
    P(NET, virNetworkGetConnect(H))                                                            \
    X(NET, virNetworkUndefine(H))                                                              \
    X(NET, virNetworkCreate(H))                                                                \
    X(NET, virNetworkDestroy(H))                                                               \
    X(NET, virNetworkRef(H))                                                                   \
    X(NET, virNetworkFree(H))                                                                  \
    P(NET, virNetworkGetName(H))                                                               \
    X(NET, virNetworkGetUUIDString(H, uuidstr))                                                \
    P(NET, virNetworkGetXMLDesc(H, 0))                                                         \
    P(NET, virNetworkGetBridgeName(H))                                                         \
    X(NET, virNetworkSetAutostart(H, 0))                                                       \
    X(NET, virNetworkIsActive(H))                                                              \
    P(NET, virNetworkCreateJob(H, 0))                                                          \
    P(POOL, virStoragePoolGetConnect(H))                                                       \
    X(POOL, virStoragePoolBuild(H, 0))                                                         \
    X(POOL, virStoragePoolDestroy(H))                                                          \
    X(POOL, virStoragePoolRef(H))                                                              \
    X(POOL, virStoragePoolFree(H))                                                             \
    X(POOL, virStoragePoolRefresh(H, 0))                                                       \
    P(POOL, virStoragePoolGetName(H))                                                          \
    X(POOL, virStoragePoolGetInfo(H, &poolinfo))                                               \
    P(POOL, virStoragePoolGetXMLDesc(H, 0))                                                    \
    X(POOL, virStoragePoolNumOfVolumes(H))                                                     \
    X(POOL, virStoragePoolListVolumes(H, names, 4))                                            \
    P(POOL, virStorageVolLookupByName(H, "volume"))                                            \
    P(POOL, virStorageVolCreateXML(H, "<volume/>", 0))                                         \
    P(POOL, virStorageVolCreateXMLJob(H, "<volume/>", 0, 0))                                   \
    P(VOL, virStoragePoolLookupByVolume(H))                                                    \
    P(VOL, virStorageVolGetConnect(H))                                                         \
    P(VOL, virStorageVolGetName(H))                                                            \
    P(VOL, virStorageVolGetKey(H))                                                             \
    X(VOL, virStorageVolDelete(H, 0))                                                          \
    X(VOL, virStorageVolWipe(H, 0))                                                            \
    X(VOL, virStorageVolRef(H))                                                                \
    X(VOL, virStorageVolFree(H))                                                               \
    X(VOL, virStorageVolGetInfo(H, &volinfo))                                                  \
    P(VOL, virStorageVolGetPath(H))                                                            \
    X(VOL, virStorageVolResize(H, 1048576, 0))                                                 \
    P(VOL, virStorageVolCreateXMLFrom(live_pool, "<volume><name>clone</name></volume>", H, 0)) \
    P(VOL, virStorageVolWipeJob(H, 0, 0))                                                      \
    X(JOB, virJobGetInfo(H, &jobinfo))                                                         \
    X(JOB, virJobCancel(H))                                                                    \
    P(JOB, virJobGetError(H))                                                                  \
    P(JOB, virJobGetOperation(H))                                                              \
    X(JOB, virJobGetID(H))                                                                     \
    X(JOB, virJobRef(H))                                                                       \
    X(JOB, virJobFree(H))                                                                      \
    P(JOB, virJobGetConnect(H))                                                                \
    P(JOB, virJobGetDomain(H))                                                                 \
    X(JOB, virJobWait(H))                                                                      \
    X(JOB, virJobSetCallback(H, NULL, NULL, NULL))

#define ROW(k, expr) {#expr, k, 0, 0, 0, ""},
static entry entries[] = {ENTRIES(ROW, ROW)};
#define ENTRY_COUNT ((int)(sizeof(entries) / sizeof(entries[0])))

/* Calls entry number index with handle H: its result, or for pointers whether it returned one. */
static long long
call_entry(int index, void *H)
{
    int i = 0;
#define CALL(k, expr) \
    if (index == i++) \
        return (long long)(expr);
#define CALLP(k, expr) \
    if (index == i++)  \
        return (expr) != NULL;
    ENTRIES(CALL, CALLP)
    return 0;
}

/* xorshift64*: the same calls for the same seed. */
static uint64_t rng;
static uint64_t
next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}
static long long
below(long long n)
{
    return (long long)(next() % (uint64_t)n);
}

static void
quiet(void *data, virErrorPtr error)
{
    (void)data, (void)error;
}

/* Runs e with h; the answer as NULL's is recorded when record is set. */
static int mismatches;
static void
run(entry *e, void *h, const char *variant, int record)
{
    virResetLastError();
    long long result = call_entry((int)(e - entries), h);
    virErrorPtr err = virGetLastError();
    int code = err ? err->code : 0, domain = err ? err->domain : 0;
    const char *message = err && err->message ? err->message : "(none)";
    if (record) {
        e->result = result;
        e->code = code;
        e->domain = domain;
        snprintf(e->message, sizeof(e->message), "%s", message);
        return;
    }
    if (result == e->result && code == e->code && domain == e->domain && strcmp(message, e->message) == 0)
        return;
    if (++mismatches <= 20)
        printf("MISMATCH %s with a %s %s handle (%p): %lld %d %d %s; NULL gets %lld %d %d %s\n", e->name, variant,
               kind_names[e->kind], h, result, code, domain, message, e->result, e->code, e->domain, e->message);
}

static uintptr_t
gcd(uintptr_t a, uintptr_t b)
{
    while (b) {
        uintptr_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void *live[KINDS];
static void *freed[KINDS];

static int
is_live(void *p)
{
    for (int k = 0; k < KINDS; k++)
        if (p == live[k])
            return 1;
    return 0;
}

/* A handle of kind k, freed and then freed again: the second free must fail as with NULL. */
static void *
fresh_freed(int k, const char **variant)
{
    void *h = NULL;
    switch (k) {
    case CONN:
        h = virConnectOpen("test:///default");
        virConnectClose(h);
        break;
    case DOM:
        h = virDomainLookupByName(live[CONN], "test");
        virDomainFree(h);
        break;
    case NET:
        h = virNetworkLookupByName(live[CONN], "default");
        virNetworkFree(h);
        break;
    case POOL:
        h = virStoragePoolLookupByName(live[CONN], "default-pool");
        virStoragePoolFree(h);
        break;
    case VOL:
        h = virStorageVolLookupByName(live_pool, "fuzz.img");
        virStorageVolFree(h);
        break;
    case JOB:
        /* A running job keeps its handle: it is gone once the job ended and the caller let go. */
        h = virDomainSaveJob(live[DOM], "/nonexistent/dir/fuzz.save", 0);
        virJobWait(h);
        virJobFree(h);
        break;
    }
    *variant = "double-freed";
    return h;
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz-handles SEED CALLS\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[1], NULL, 0);
    long calls = strtol(argv[2], NULL, 0);
    rng = seed ? seed : 1;
    virSetErrorFunc(NULL, quiet);

    live[CONN] = virConnectOpen("test:///default");
    live[DOM] = virDomainLookupByName(live[CONN], "test");
    live[NET] = virNetworkLookupByName(live[CONN], "default");
    live[POOL] = live_pool = virStoragePoolLookupByName(live[CONN], "default-pool");
    live[VOL] =
        live_pool
            ? virStorageVolCreateXML(live_pool, "<volume><name>fuzz.img</name><capacity>1048576</capacity></volume>", 0)
            : NULL;
    live[JOB] = live[VOL] ? virStorageVolWipeJob(live[VOL], 0, 0) : NULL;
    if (!live[JOB] || virJobWait(live[JOB]) != VIR_JOB_COMPLETED) {
        fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
        return 1;
    }
    for (int k = 0; k < KINDS; k++) {
        const char *ignored;
        freed[k] = fresh_freed(k, &ignored);
    }
    char *domname = virDomainGetXMLDesc(live[DOM], 0);
    int domains_before = virConnectNumOfDomains(live[CONN]);

    for (int i = 0; i < ENTRY_COUNT; i++)
        run(&entries[i], NULL, "NULL", 1);

    /* Handles sit in slabs of equal slots: the slot size divides every distance between two of them. */
    uintptr_t slot = 0;
    for (int a = 0; a < KINDS; a++)
        for (int b = a + 1; b < KINDS; b++) {
            uintptr_t pa = (uintptr_t)live[a], pb = (uintptr_t)live[b];
            uintptr_t d = pa > pb ? pa - pb : pb - pa;
            if (d < (uintptr_t)1 << 24)
                slot = gcd(slot, d);
        }
    if (slot < 16)
        slot = 64;
    unsigned char *forged = malloc(slot * KINDS);
    int stack_junk[64];
    memset(stack_junk, 0x5a, sizeof(stack_junk));

    long done = 0;
    while (done < calls) {
        entry *e = &entries[below(ENTRY_COUNT)];
        int k = e->kind;
        void *h = NULL;
        const char *variant = NULL;
        switch (below(9)) {
        case 0:
            variant = "NULL";
            break;
        case 1:
            h = freed[k];
            variant = "freed";
            break;
        case 2:
            h = below(8) ? freed[k] : fresh_freed(k, &variant);
            variant = variant ? variant : "freed";
            break;
        case 3: {
            int other = (int)below(KINDS - 1);
            h = live[other >= k ? other + 1 : other];
            variant = "wrong-kind";
            break;
        }
        case 4:
            h = (char *)live[below(KINDS)] + 1 + below((long long)slot - 1);
            variant = "misaligned";
            break;
        case 5:
            h = (char *)live[below(KINDS)] + (below(400) - 200) * (long long)slot;
            variant = "free-slot";
            if (is_live(h))
                continue;
            break;
        case 6:
            h = (void *)(uintptr_t)next();
            variant = "random";
            break;
        case 7:
            h = (void *)(uintptr_t)(1 + below(1 << 16));
            variant = "small";
            break;
        case 8: {
            /* A byte-for-byte copy of a live handle of the right kind, somewhere else. */
            unsigned char *copy = forged + (size_t)k * slot;
            memcpy(copy, live[k], slot);
            h = below(2) ? (void *)copy : (void *)&stack_junk[below(64)];
            variant = "forged";
            break;
        }
        }
        run(e, h, variant, 0);
        done++;
    }

    /* The live handles still work, and nothing changed behind them. */
    char *after = virDomainGetXMLDesc(live[DOM], 0);
    const char *text;
    struct {
        int ok;
        const char *what;
    } checks[] = {
        {after && domname && strcmp(after, domname) == 0, "the domain's XML"},
        {virConnectNumOfDomains(live[CONN]) == domains_before, "the number of running domains"},
        {(text = virDomainGetName(live[DOM])) && strcmp(text, "test") == 0, "the domain's name"},
        {(text = virNetworkGetName(live[NET])) && strcmp(text, "default") == 0, "the network's name"},
        {virStoragePoolNumOfVolumes(live[POOL]) >= 1, "the pool's volumes"},
        {(text = virStorageVolGetName(live[VOL])) && strcmp(text, "fuzz.img") == 0, "the volume's name"},
        {virJobGetInfo(live[JOB], &jobinfo) == 0 && jobinfo.state == VIR_JOB_COMPLETED, "the job's state"},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (!checks[i].ok) {
            printf("MISMATCH the live handles changed: %s (%s)\n", checks[i].what, virGetLastErrorMessage());
            mismatches++;
        }
    free(after);
    free(domname);
    free(forged);
    virStorageVolDelete(live[VOL], 0);
    virJobFree(live[JOB]);
    virStorageVolFree(live[VOL]);
    virStoragePoolFree(live[POOL]);
    virNetworkFree(live[NET]);
    virDomainFree(live[DOM]);
    int closed = virConnectClose(live[CONN]);
    if (closed != 0) {
        printf("MISMATCH the connection still has %d references: a handle leaked\n", closed);
        mismatches++;
    }
    printf("fuzz-handles: seed %llu, %ld calls, %d mismatches\n", (unsigned long long)seed, done, mismatches);
    return mismatches ? 1 : 0;
}
