/* Close callbacks and keepalive in C: what virConnectRegisterCloseCallback, virConnectUnregisterCloseCallback
 * and virConnectSetKeepAlive answer on a local driver (test:///default) and on a daemon's connection, then
 * the daemon is killed and libvirt's default event loop runs until the close callback fires. Built
 * unchanged against the real libvirt and for tsvirt-run; both must print the same
 * (test/remote/c-close-callback.test.ts).  Usage: close-callback URI DAEMON-PID */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static int fired;

/* What a close callback saw, printed after the loop in a fixed order (two connections' callbacks may run
 * in either order within one iteration). */
typedef struct {
    const char *name;
    virConnectPtr conn;
    int reason;
    int calls;
    int same_conn;
    int alive;
    int freed;
    char error[128]; /* the thread's last error when the callback starts: its domain and message (its code is
                      * VIR_ERR_RPC where libvirt says VIR_ERR_SYSTEM_ERROR, docs/remote.md) */
} seen;

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    seen *s = opaque;
    virErrorPtr e = virGetLastError();
    snprintf(s->error, sizeof(s->error), "%d %s", e ? e->domain : 0, e ? e->message : "");
    s->reason = reason;
    s->calls++;
    s->same_conn = conn == s->conn;
    s->alive = virConnectIsAlive(conn);
    fired++;
}

static void
free_seen(void *opaque)
{
    seen *s = opaque;
    s->freed++;
}

static void
print_seen(const seen *s)
{
    printf("close %s: calls=%d reason=%d same-conn=%d alive=%d freed=%d error=%s\n", s->name, s->calls, s->reason,
           s->same_conn, s->alive, s->freed, s->error);
}

static void
other_close(virConnectPtr conn, int reason, void *opaque)
{
    (void)conn;
    printf("other %s: reason=%d\n", (const char *)opaque, reason);
}

static void
freecb(void *opaque)
{
    printf("freecb %s\n", (const char *)opaque);
}

static void
report(const char *what, int rc)
{
    virErrorPtr e = virGetLastError();
    if (rc < 0 && e)
        printf("%s: %d code=%d domain=%d message=%s\n", what, rc, e->code, e->domain, e->message);
    else
        printf("%s: %d\n", what, rc);
}

static void
local(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn)
        exit(1);
    static seen local_seen = {.name = "local"};
    report("local register", virConnectRegisterCloseCallback(conn, on_close, &local_seen, free_seen));
    report("local register again", virConnectRegisterCloseCallback(conn, other_close, "local2", freecb));
    report("local unregister other", virConnectUnregisterCloseCallback(conn, other_close));
    report("local unregister", virConnectUnregisterCloseCallback(conn, on_close));
    report("local register null", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    report("local unregister null", virConnectUnregisterCloseCallback(conn, NULL));
    report("local keepalive", virConnectSetKeepAlive(conn, 5, 3));
    report("null register", virConnectRegisterCloseCallback(NULL, on_close, NULL, NULL));
    report("null unregister", virConnectUnregisterCloseCallback(NULL, on_close));
    report("null keepalive", virConnectSetKeepAlive(NULL, 5, 3));
    report("local register before close", virConnectRegisterCloseCallback(conn, on_close, &local_seen, free_seen));
    report("local close", virConnectClose(conn));
    print_seen(&local_seen);
}

int
main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    local();

    /* A callback unregistered before its connection is closed: freecb runs in unregister. */
    virConnectPtr closed = virConnectOpen(argv[1]);
    if (!closed)
        return 1;
    report("closed register", virConnectRegisterCloseCallback(closed, other_close, "closed", freecb));
    report("closed unregister", virConnectUnregisterCloseCallback(closed, other_close));
    report("closed close", virConnectClose(closed));

    /* A connection the program closes while its callback is registered stays open for it (close: 1). */
    virConnectPtr kept = virConnectOpen(argv[1]);
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!kept || !conn)
        return 1;
    seen kept_seen = {.name = "kept", .conn = kept}, conn_seen = {.name = "remote", .conn = conn};
    report("kept register", virConnectRegisterCloseCallback(kept, on_close, &kept_seen, free_seen));
    report("kept close", virConnectClose(kept));

    report("keepalive", virConnectSetKeepAlive(conn, 5, 3));
    report("keepalive off", virConnectSetKeepAlive(conn, 0, 3));
    report("keepalive on", virConnectSetKeepAlive(conn, 2, 3));
    report("register", virConnectRegisterCloseCallback(conn, on_close, &conn_seen, free_seen));
    report("register again", virConnectRegisterCloseCallback(conn, other_close, "remote2", freecb));
    report("unregister other", virConnectUnregisterCloseCallback(conn, other_close));
    report("register null", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    report("unregister", virConnectUnregisterCloseCallback(conn, on_close));
    print_seen(&conn_seen);
    report("unregister again", virConnectUnregisterCloseCallback(conn, on_close));
    report("register", virConnectRegisterCloseCallback(conn, on_close, &conn_seen, free_seen));
    fflush(stdout);

    if (kill((pid_t)atoi(argv[2]), SIGKILL) < 0)
        return 1;
    /* Each iteration waits in poll() until something is due: the callbacks end the loop. */
    virConnectRegisterCloseCallback(conn, NULL, NULL, NULL); /* an error of this thread: the loop replaces it */
    while (fired < 2)
        if (virEventRunDefaultImpl() < 0)
            return 1;
    print_seen(&kept_seen);
    print_seen(&conn_seen);
    printf("alive: %d\n", virConnectIsAlive(conn));
    report("unregister after close", virConnectUnregisterCloseCallback(conn, on_close));
    report("register after close", virConnectRegisterCloseCallback(conn, other_close, "after", freecb));
    report("unregister after close", virConnectUnregisterCloseCallback(conn, other_close));
    print_seen(&conn_seen);
    report("close", virConnectClose(conn));
    return 0;
}
