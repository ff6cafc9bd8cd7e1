/*
 * Domain lifecycle events and the default event loop, as a libvirt program uses them: the same source is
 * built against tsvirt (run by tsvirt-run) and against the real libvirt, and both must print the same
 * (test/native/abi/domain-events.test.ts).  Every wait runs the loop until what it waits for happened, so
 * the output does not depend on how many iterations that took.
 *
 * Usage: domain-events URI [freed-domain]
 *   freed-domain: only registers a callback for a domain handle already freed, and prints the error (for
 *   tsvirt alone: with libvirt that is a use after free).
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int events_seen;
static virConnectPtr main_conn;
static pthread_t loop_thread;
static int check_thread;

static void
show_error(const char *what)
{
    virErrorPtr e = virGetLastError();
    printf("  %s: code=%d domain=%d message=%s\n", what, e ? e->code : 0, e ? e->domain : 0,
           e && e->message ? e->message : "(none)");
}

static void
quiet(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

static int
lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainGetUUIDString(dom, uuid);
    printf("event %s: %s %s id=%d event=%d detail=%d conn=%s%s\n", (const char *)opaque, virDomainGetName(dom), uuid,
           virDomainGetID(dom), event, detail, conn == main_conn ? "main" : "other",
           check_thread ? (pthread_equal(pthread_self(), loop_thread) ? " thread=loop" : " thread=OTHER") : "");
    events_seen++;
    return 0;
}

static void
free_opaque(void *opaque)
{
    printf("freecb %s\n", (const char *)opaque);
}

/* Deregisters itself from within its first call. */
static int self_id = -1;
static int
once(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    lifecycle(conn, dom, event, detail, opaque);
    printf("deregister itself: %d\n", virConnectDomainEventDeregisterAny(conn, self_id));
    return 0;
}

/* Keeps a reference on the domain of its first call. */
static virDomainPtr kept;
static int
keeper(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    lifecycle(conn, dom, event, detail, opaque);
    if (!kept && virDomainRef(dom) == 0)
        kept = dom;
    return 0;
}

static int timer_fired, stop_fired, freed;
static void
ticking(int timer, void *opaque)
{
    timer_fired++;
    printf("timer %d (%s) fired %d\n", timer, (const char *)opaque, timer_fired);
    if (timer_fired == 3) {
        virEventUpdateTimeout(timer, -1);
        printf("timer %d disabled\n", timer);
    }
}

static void
stopping(int timer, void *opaque)
{
    stop_fired++;
    printf("timer %d (%s) fired, removing it: %d\n", timer, (const char *)opaque, virEventRemoveTimeout(timer));
}

static void
free_counted(void *opaque)
{
    freed++;
    printf("ff %s\n", (const char *)opaque);
}

static int handle_fired;
static void
readable(int watch, int fd, int events, void *opaque)
{
    char byte;
    ssize_t got = read(fd, &byte, 1);
    handle_fired++;
    printf("handle %d (%s) events=%d read=%zd byte=%c\n", watch, (const char *)opaque, events, got,
           got == 1 ? byte : '-');
}

static void
run_until(int *counter, int target)
{
    while (*counter < target)
        if (virEventRunDefaultImpl() < 0) {
            show_error("virEventRunDefaultImpl");
            return;
        }
}

static void *
loop_on_thread(void *arg)
{
    run_until(&events_seen, *(int *)arg);
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet);
    main_conn = virConnectOpen(uri);
    if (!main_conn) {
        show_error("virConnectOpen");
        return 1;
    }

    if (argc > 2 && strcmp(argv[2], "freed-domain") == 0) {
        virEventRegisterDefaultImpl();
        virDomainPtr freed = virDomainLookupByName(main_conn, "test");
        virDomainFree(freed);
        printf("register for a freed domain: %d\n",
               virConnectDomainEventRegisterAny(main_conn, freed, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "freed", free_opaque));
        show_error("error");
        printf("close: %d\n", virConnectClose(main_conn));
        return 0;
    }

    printf("-- without an event loop\n");
    printf("register: %d\n",
           virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "none", free_opaque));
    show_error("error");
    virResetLastError();
    printf("add timeout: %d, add handle: %d, remove timeout: %d, remove handle: %d\n",
           virEventAddTimeout(0, ticking, "none", NULL),
           virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE, readable, "none", NULL), virEventRemoveTimeout(1),
           virEventRemoveHandle(1));
    virEventUpdateTimeout(1, 0);
    virEventUpdateHandle(1, 0);
    show_error("error");

    printf("-- registering\n");
    printf("default impl: %d\n", virEventRegisterDefaultImpl());
    virDomainPtr dom = virDomainLookupByName(main_conn, "test");
    int all = virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "all", free_opaque);
    printf("register all: %d\n", all);
    printf("register all again: %d\n",
           virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "dup", NULL));
    show_error("error");
    int one = virConnectDomainEventRegisterAny(main_conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "test", free_opaque);
    printf("register for test: %d\n", one);
    int reboot = virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                  VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "reboot", NULL);
    printf("register reboot (never fires here): %d\n", reboot);
    printf("register id 27: %d\n",
           virConnectDomainEventRegisterAny(main_conn, NULL, 27, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "bad", NULL));
    show_error("error");
    printf("register id -1: %d\n",
           virConnectDomainEventRegisterAny(main_conn, NULL, -1, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "bad", NULL));
    show_error("error");
    printf("register NULL cb: %d\n", virConnectDomainEventRegisterAny(main_conn, NULL, 0, NULL, "bad", NULL));
    show_error("error");
    printf("register NULL conn: %d\n",
           virConnectDomainEventRegisterAny(NULL, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "bad", NULL));
    show_error("error");

    printf("-- events on the main thread\n");
    events_seen = 0;
    virDomainSuspend(dom);
    /* The event is queued before the call returns: the next iteration delivers it. */
    if (virEventRunDefaultImpl() < 0)
        show_error("virEventRunDefaultImpl");
    printf("one iteration after the call: %d events\n", events_seen);
    virDomainResume(dom);
    virDomainDestroy(dom);
    virDomainCreate(dom);
    run_until(&events_seen, 8);

    printf("-- events on a second thread\n");
    events_seen = 0;
    check_thread = 1;
    int target = 4;
    pthread_create(&loop_thread, NULL, loop_on_thread, &target);
    virDomainSuspend(dom);
    virDomainResume(dom);
    pthread_join(loop_thread, NULL);
    printf("and on the main thread again\n");
    loop_thread = pthread_self();
    events_seen = 0;
    virDomainSuspend(dom);
    virDomainResume(dom);
    run_until(&events_seen, 4);
    check_thread = 0;

    printf("-- deregistering\n");
    printf("deregister all: %d\n", virConnectDomainEventDeregisterAny(main_conn, all));
    printf("deregister all again: %d\n", virConnectDomainEventDeregisterAny(main_conn, all));
    show_error("error");
    printf("deregister 999: %d\n", virConnectDomainEventDeregisterAny(main_conn, 999));
    show_error("error");
    printf("deregister -1: %d\n", virConnectDomainEventDeregisterAny(main_conn, -1));
    show_error("error");
    events_seen = 0;
    virDomainSuspend(dom);
    run_until(&events_seen, 1);

    printf("-- a callback that deregisters itself\n");
    self_id = virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(once), "once", free_opaque);
    printf("register once: %d\n", self_id);
    events_seen = 0;
    virDomainResume(dom);
    run_until(&events_seen, 2);
    events_seen = 0;
    virDomainSuspend(dom);
    run_until(&events_seen, 1);

    printf("-- keeping the domain of an event\n");
    int keep = virConnectDomainEventRegisterAny(main_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIR_DOMAIN_EVENT_CALLBACK(keeper), "keeper", NULL);
    events_seen = 0;
    virDomainResume(dom);
    run_until(&events_seen, 2);
    if (kept) {
        printf("kept: %s", virDomainGetName(kept));
        printf(" active=%d", virDomainIsActive(kept));
        printf(" free=%d\n", virDomainFree(kept));
    }
    printf("deregister keeper: %d\n", virConnectDomainEventDeregisterAny(main_conn, keep));

    printf("-- a connection closed with a callback registered\n");
    virConnectPtr other = virConnectOpen(uri);
    int theirs = virConnectDomainEventRegisterAny(other, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "closed", free_opaque);
    printf("register on other: %d\n", theirs);
    printf("close other: %d\n", virConnectClose(other));
    events_seen = 0;
    virDomainSuspend(dom);
    run_until(&events_seen, 2);
    printf("deregister on other: %d\n", virConnectDomainEventDeregisterAny(other, theirs));

    printf("-- timeouts\n");
    int ticker = virEventAddTimeout(-1, ticking, "ticker", free_counted);
    printf("add disabled timeout: %d\n", ticker);
    virEventUpdateTimeout(ticker, 0);
    run_until(&timer_fired, 3);
    int stopper = virEventAddTimeout(30, stopping, "stopper", free_counted);
    printf("add 30 ms timeout: %d\n", stopper);
    run_until(&stop_fired, 1);
    run_until(&freed, 1);
    printf("remove stopper again: %d\n", virEventRemoveTimeout(stopper));
    printf("remove ticker: %d\n", virEventRemoveTimeout(ticker));
    printf("remove 999: %d\n", virEventRemoveTimeout(999));
    run_until(&freed, 2);
    printf("ticker fired %d times in all\n", timer_fired);

    printf("-- handles\n");
    int fds[2];
    if (pipe(fds) < 0)
        return 1;
    int watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, readable, "pipe", free_counted);
    printf("add handle: %d\n", watch);
    if (write(fds[1], "x", 1) != 1)
        return 1;
    run_until(&handle_fired, 1);
    virEventUpdateHandle(watch, 0);
    if (write(fds[1], "y", 1) != 1)
        return 1;
    stop_fired = 0;
    stopper = virEventAddTimeout(30, stopping, "paused", NULL);
    run_until(&stop_fired, 1);
    printf("paused handle fired %d times in all\n", handle_fired);
    virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE);
    run_until(&handle_fired, 2);
    printf("remove handle: %d\n", virEventRemoveHandle(watch));
    printf("remove handle again: %d\n", virEventRemoveHandle(watch));
    run_until(&freed, 3);
    close(fds[0]);
    close(fds[1]);

    printf("-- priorities, one iteration at a time\n");
    /* Of what is due, an iteration runs only the most urgent: releasing a removed handle, then handles and
     * timeouts, then releasing a removed timeout (which a timeout due on every iteration holds back). */
    if (pipe(fds) < 0)
        return 1;
    int quiet_watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, readable, "quiet", free_counted);
    int spare = virEventAddTimeout(-1, ticking, "spare", free_counted);
    timer_fired = 0;
    int every = virEventAddTimeout(0, ticking, "every", free_counted);
    printf("remove spare: %d, remove quiet: %d\n", virEventRemoveTimeout(spare), virEventRemoveHandle(quiet_watch));
    for (int i = 1; i <= 4; i++) {
        printf("iteration %d\n", i);
        virEventRunDefaultImpl();
    }
    printf("remove every: %d\n", virEventRemoveTimeout(every));
    for (int i = 5; i <= 5; i++) {
        printf("iteration %d\n", i);
        virEventRunDefaultImpl();
    }
    close(fds[0]);
    close(fds[1]);

    printf("-- closing\n");
    printf("deregister test: %d\n", virConnectDomainEventDeregisterAny(main_conn, one));
    printf("deregister reboot: %d\n", virConnectDomainEventDeregisterAny(main_conn, reboot));
    virDomainResume(dom);
    virDomainFree(dom);
    printf("close: %d\n", virConnectClose(main_conn));
    return 0;
}
