/*
 * Readers on threads of their own, for test/native/abi/published.test.ts: loaded into the test's process
 * next to tsvirt's library (whose functions it finds with dlopen(RTLD_NOLOAD), the same copy), so that the
 * test's JavaScript can change objects while these threads read them.
 *
 *   reader_start(dom) + reader_wait(..., timeout)   every getter of a domain, once, on a new thread (or
 *   network_reader_start(net)                       of a network: active, persistent, UUID; or of a
 *   pool_reader_start(pool)                         pool: those and its info); a
 *                                                   timeout means the getters needed the JavaScript
 *                                                   thread, which reader_wait blocks
 *   stress_start(...) + stress_stop(...)            threads reading in a loop, checking that every answer
 *                                                   is one the object can have (no torn reads)
 */
#include <dlfcn.h>
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int (*getInfo)(virDomainPtr, virDomainInfoPtr);
static int (*getState)(virDomainPtr, int *, int *, unsigned int);
static unsigned int (*getID)(virDomainPtr);
static int (*isActive)(virDomainPtr);
static int (*isPersistent)(virDomainPtr);
static int (*getUUIDString)(virDomainPtr, char *);
static const char *(*getName)(virDomainPtr);
static virErrorPtr (*getLastError)(void);
static int (*netIsActive)(virNetworkPtr);
static int (*netIsPersistent)(virNetworkPtr);
static int (*netGetUUIDString)(virNetworkPtr, char *);
static int (*poolIsActive)(virStoragePoolPtr);
static int (*poolIsPersistent)(virStoragePoolPtr);
static int (*poolGetUUIDString)(virStoragePoolPtr, char *);
static int (*poolGetInfo)(virStoragePoolPtr, virStoragePoolInfoPtr);

int
readers_init(const char *library)
{
    void *lib = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        return -1;
    getInfo = dlsym(lib, "virDomainGetInfo");
    getState = dlsym(lib, "virDomainGetState");
    getID = dlsym(lib, "virDomainGetID");
    isActive = dlsym(lib, "virDomainIsActive");
    isPersistent = dlsym(lib, "virDomainIsPersistent");
    getUUIDString = dlsym(lib, "virDomainGetUUIDString");
    getName = dlsym(lib, "virDomainGetName");
    getLastError = dlsym(lib, "virGetLastError");
    netIsActive = dlsym(lib, "virNetworkIsActive");
    netIsPersistent = dlsym(lib, "virNetworkIsPersistent");
    netGetUUIDString = dlsym(lib, "virNetworkGetUUIDString");
    poolIsActive = dlsym(lib, "virStoragePoolIsActive");
    poolIsPersistent = dlsym(lib, "virStoragePoolIsPersistent");
    poolGetUUIDString = dlsym(lib, "virStoragePoolGetUUIDString");
    poolGetInfo = dlsym(lib, "virStoragePoolGetInfo");
    return poolIsActive && poolIsPersistent && poolGetUUIDString && poolGetInfo && netIsActive && netIsPersistent &&
                   netGetUUIDString && getInfo && getState && getID && isActive && isPersistent && getUUIDString &&
                   getName && getLastError
               ? 0
               : -1;
}

typedef struct reading {
    int info_rc;
    int info_state;
    unsigned long long max_mem;
    unsigned long long memory;
    int vcpus;
    unsigned long long cpu_time;
    int state_rc;
    int state;
    int reason;
    int id;
    int active;
    int persistent;
    int uuid_rc;
    char uuid[VIR_UUID_STRING_BUFLEN];
    char name[64];
    int error_code;
    int error_domain;
    char error_message[256];
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long available;
} reading;

typedef struct reader {
    pthread_t thread;
    virDomainPtr dom;
    virNetworkPtr net;
    virStoragePoolPtr pool;
    reading result;
} reader;

static void
keep_error(reading *r)
{
    virErrorPtr error = getLastError();
    if (!error || r->error_code)
        return;
    r->error_code = error->code;
    r->error_domain = error->domain;
    snprintf(r->error_message, sizeof(r->error_message), "%s", error->message ? error->message : "");
}

static void *
read_all(void *arg)
{
    reader *rd = arg;
    reading *r = &rd->result;
    virDomainInfo info;
    r->info_rc = getInfo(rd->dom, &info);
    if (r->info_rc == 0) {
        r->info_state = info.state;
        r->max_mem = info.maxMem;
        r->memory = info.memory;
        r->vcpus = info.nrVirtCpu;
        r->cpu_time = info.cpuTime;
    } else {
        keep_error(r);
    }
    r->state_rc = getState(rd->dom, &r->state, &r->reason, 0);
    if (r->state_rc < 0)
        keep_error(r);
    r->id = (int)getID(rd->dom);
    r->active = isActive(rd->dom);
    if (r->active < 0)
        keep_error(r);
    r->persistent = isPersistent(rd->dom);
    r->uuid_rc = getUUIDString(rd->dom, r->uuid);
    const char *name = getName(rd->dom);
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    return NULL;
}

/* A network's getters, into the reading's active, persistent, uuid_rc and uuid. */
static void *
read_network(void *arg)
{
    reader *rd = arg;
    reading *r = &rd->result;
    r->active = netIsActive(rd->net);
    if (r->active < 0)
        keep_error(r);
    r->persistent = netIsPersistent(rd->net);
    r->uuid_rc = netGetUUIDString(rd->net, r->uuid);
    return NULL;
}

/* A pool's getters, into the reading's info_state, capacity, allocation, available, active, persistent
 * and uuid. */
static void *
read_pool(void *arg)
{
    reader *rd = arg;
    reading *r = &rd->result;
    virStoragePoolInfo info;
    r->info_rc = poolGetInfo(rd->pool, &info);
    if (r->info_rc == 0) {
        r->info_state = info.state;
        r->capacity = info.capacity;
        r->allocation = info.allocation;
        r->available = info.available;
    } else {
        keep_error(r);
    }
    r->active = poolIsActive(rd->pool);
    r->persistent = poolIsPersistent(rd->pool);
    r->uuid_rc = poolGetUUIDString(rd->pool, r->uuid);
    return NULL;
}

static void *
start(void *dom, void *net, void *pool)
{
    reader *rd = calloc(1, sizeof(*rd));
    if (!rd)
        return NULL;
    rd->dom = dom;
    rd->net = net;
    rd->pool = pool;
    if (pthread_create(&rd->thread, NULL, pool ? read_pool : net ? read_network : read_all, rd) != 0) {
        free(rd);
        return NULL;
    }
    return rd;
}

void *
reader_start(void *dom)
{
    return start(dom, NULL, NULL);
}

void *
network_reader_start(void *net)
{
    return start(NULL, net, NULL);
}

void *
pool_reader_start(void *pool)
{
    return start(NULL, NULL, pool);
}

/* 0 with the reading in *out, or ETIMEDOUT: the reader is still at work (call again later). */
int
reader_wait(void *handle, int timeout_ms, reading *out)
{
    reader *rd = handle;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = pthread_timedjoin_np(rd->thread, NULL, &until);
    if (rc != 0)
        return rc;
    *out = rd->result;
    free(rd);
    return 0;
}

/* ---- stress ---- */

#define MAX_ALLOWED 32
static pthread_t stress_threads[64];
static int stress_count;
static _Atomic int stress_running;
static virDomainPtr stress_dom;
static int allowed_pairs[MAX_ALLOWED][2];
static int pair_count;
static unsigned long long allowed_shapes[MAX_ALLOWED][3]; /* maxMem, memory, vcpus */
static int shape_count;
static _Atomic long long reads, torn, failed;
static char first_torn[256];
static _Atomic int torn_noted;

static void
note_torn(const char *what, long long a, long long b, long long c)
{
    atomic_fetch_add(&torn, 1);
    if (atomic_exchange(&torn_noted, 1) == 0)
        snprintf(first_torn, sizeof(first_torn), "%s %lld %lld %lld", what, a, b, c);
}

static void *
stress(void *unused)
{
    (void)unused;
    while (atomic_load(&stress_running)) {
        int state, reason;
        if (getState(stress_dom, &state, &reason, 0) == 0) {
            int ok = 0;
            for (int i = 0; i < pair_count; i++)
                ok |= allowed_pairs[i][0] == state && allowed_pairs[i][1] == reason;
            if (!ok)
                note_torn("state/reason", state, reason, 0);
        } else {
            atomic_fetch_add(&failed, 1);
        }
        virDomainInfo info;
        if (getInfo(stress_dom, &info) == 0) {
            int ok = 0;
            for (int i = 0; i < shape_count; i++)
                ok |= allowed_shapes[i][0] == info.maxMem && allowed_shapes[i][1] == info.memory &&
                      allowed_shapes[i][2] == info.nrVirtCpu;
            if (!ok)
                note_torn("maxMem/memory/vcpus", (long long)info.maxMem, (long long)info.memory, info.nrVirtCpu);
        } else {
            atomic_fetch_add(&failed, 1);
        }
        atomic_fetch_add(&reads, 2);
    }
    return NULL;
}

/* pairs: npairs (state, reason); shapes: nshapes (maxMem, memory, vcpus). */
int
stress_start(void *dom, int threads, const int *pairs, int npairs, const long long *shapes, int nshapes)
{
    if (threads > 64 || npairs > MAX_ALLOWED || nshapes > MAX_ALLOWED)
        return -1;
    stress_dom = dom;
    pair_count = npairs;
    for (int i = 0; i < npairs; i++) {
        allowed_pairs[i][0] = pairs[2 * i];
        allowed_pairs[i][1] = pairs[2 * i + 1];
    }
    shape_count = nshapes;
    for (int i = 0; i < nshapes; i++)
        for (int k = 0; k < 3; k++)
            allowed_shapes[i][k] = (unsigned long long)shapes[3 * i + k];
    atomic_store(&reads, 0);
    atomic_store(&torn, 0);
    atomic_store(&failed, 0);
    atomic_store(&torn_noted, 0);
    atomic_store(&stress_running, 1);
    for (stress_count = 0; stress_count < threads; stress_count++)
        if (pthread_create(&stress_threads[stress_count], NULL, stress, NULL) != 0)
            return -1;
    return 0;
}

/* Stops the readers; counts[0..2] = reads, torn reads, failed reads; first torn read in note. */
void
stress_stop(long long *counts, char *note, int size)
{
    atomic_store(&stress_running, 0);
    for (int i = 0; i < stress_count; i++)
        pthread_join(stress_threads[i], NULL);
    counts[0] = atomic_load(&reads);
    counts[1] = atomic_load(&torn);
    counts[2] = atomic_load(&failed);
    snprintf(note, (size_t)size, "%s", first_torn);
}
