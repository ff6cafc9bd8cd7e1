/*
 * Domain events through an event loop of the program's own (virEventRegisterImpl): the library adds,
 * arms and removes its timer through the program's functions, which may be called from any thread, and the
 * program's loop calls the timer's callback, which delivers the events.  Built against tsvirt and against
 * libvirt, both must print the same (test/native/abi/domain-events.test.ts).
 *
 * Usage: custom-event-loop URI
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- a small event loop: timeouts only, thread safe, woken through a pipe ---- */

typedef struct {
    int id;
    int interval;
    long long expires_ms;
    int removed;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
} timeout;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static timeout timeouts[16];
static int ntimeouts;
static int wake[2];
static int adds, removes;

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
poke(void)
{
    if (write(wake[1], "w", 1) < 0)
        perror("write");
}

static int
add_handle(int fd, int event, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    (void)fd;
    (void)event;
    (void)cb;
    (void)opaque;
    (void)ff;
    return -1;
}

static void
update_handle(int watch, int event)
{
    (void)watch;
    (void)event;
}

static int
remove_handle(int watch)
{
    (void)watch;
    return -1;
}

static int
add_timeout(int interval, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&lock);
    int id = -1;
    if (ntimeouts < 16) {
        id = 100 + ntimeouts;
        timeouts[ntimeouts++] = (timeout){id, interval, now_ms() + (interval > 0 ? interval : 0), 0, cb, opaque, ff};
        adds++;
    }
    pthread_mutex_unlock(&lock);
    poke();
    return id;
}

static timeout *
find(int id)
{
    for (int i = 0; i < ntimeouts; i++)
        if (timeouts[i].id == id && !timeouts[i].removed)
            return &timeouts[i];
    return NULL;
}

static void
update_timeout(int id, int interval)
{
    pthread_mutex_lock(&lock);
    timeout *t = find(id);
    if (t) {
        t->interval = interval;
        t->expires_ms = now_ms() + (interval > 0 ? interval : 0);
    }
    pthread_mutex_unlock(&lock);
    poke();
}

static int
remove_timeout(int id)
{
    pthread_mutex_lock(&lock);
    timeout *t = find(id);
    if (t) {
        t->removed = 1;
        removes++;
    }
    pthread_mutex_unlock(&lock);
    return t ? 0 : -1;
}

/* One iteration: waits for the next due timeout or a poke, then calls what is due. */
static void
run_once(void)
{
    pthread_mutex_lock(&lock);
    long long wait = -1, now = now_ms();
    for (int i = 0; i < ntimeouts; i++)
        if (!timeouts[i].removed && timeouts[i].interval >= 0) {
            long long left = timeouts[i].expires_ms - now;
            left = left < 0 ? 0 : left;
            if (wait < 0 || left < wait)
                wait = left;
        }
    pthread_mutex_unlock(&lock);
    struct pollfd fd = {.fd = wake[0], .events = POLLIN};
    if (poll(&fd, 1, (int)wait) > 0) {
        char buf[64];
        if (read(wake[0], buf, sizeof(buf)) < 0)
            perror("read");
    }
    pthread_mutex_lock(&lock);
    now = now_ms();
    for (int i = 0; i < ntimeouts; i++) {
        timeout *t = &timeouts[i];
        if (t->removed || t->interval < 0 || t->expires_ms > now)
            continue;
        t->expires_ms = now + t->interval;
        virEventTimeoutCallback cb = t->cb;
        void *opaque = t->opaque;
        int id = t->id;
        pthread_mutex_unlock(&lock);
        cb(id, opaque);
        pthread_mutex_lock(&lock);
    }
    pthread_mutex_unlock(&lock);
}

/* ---- the program ---- */

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
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet);
    if (pipe(wake) < 0)
        return 1;
    virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout, update_timeout, remove_timeout);
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    int id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "own loop", NULL);
    printf("register: %d, timeouts added: %d\n", id, adds);
    virDomainSuspend(dom);
    virDomainResume(dom);
    while (seen < 2)
        run_once();
    printf("deregister: %d\n", virConnectDomainEventDeregisterAny(conn, id));
    printf("timeouts added: %d, removed: %d\n", adds, removes);
    printf("default loop's handle functions unused: add=%d\n", virEventAddHandle(0, 1, NULL, NULL, NULL));
    virDomainFree(dom);
    printf("close: %d\n", virConnectClose(conn));
    return 0;
}
