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
static virConnectPtr expected;

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    printf("close %s: reason=%d same-conn=%d alive=%d\n", (const char *)opaque, reason, conn == expected,
           virConnectIsAlive(conn));
    fired++;
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
    report("local register", virConnectRegisterCloseCallback(conn, on_close, "local", freecb));
    report("local register again", virConnectRegisterCloseCallback(conn, other_close, "local2", freecb));
    report("local unregister other", virConnectUnregisterCloseCallback(conn, other_close));
    report("local unregister", virConnectUnregisterCloseCallback(conn, on_close));
    report("local register null", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    report("local unregister null", virConnectUnregisterCloseCallback(conn, NULL));
    report("local keepalive", virConnectSetKeepAlive(conn, 5, 3));
    report("null register", virConnectRegisterCloseCallback(NULL, on_close, NULL, NULL));
    report("null unregister", virConnectUnregisterCloseCallback(NULL, on_close));
    report("null keepalive", virConnectSetKeepAlive(NULL, 5, 3));
    report("local register before close", virConnectRegisterCloseCallback(conn, on_close, "local", freecb));
    report("local close", virConnectClose(conn));
}

int
main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    local();

    /* A connection closed by the program: its callback goes with it. */
    virConnectPtr closed = virConnectOpen(argv[1]);
    if (!closed)
        return 1;
    report("closed register", virConnectRegisterCloseCallback(closed, other_close, "closed", freecb));
    report("closed unregister", virConnectUnregisterCloseCallback(closed, other_close));
    report("closed register again", virConnectRegisterCloseCallback(closed, other_close, "closed", freecb));
    report("closed close", virConnectClose(closed));

    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn)
        return 1;
    expected = conn;
    report("keepalive", virConnectSetKeepAlive(conn, 5, 3));
    report("keepalive off", virConnectSetKeepAlive(conn, 0, 3));
    report("keepalive on", virConnectSetKeepAlive(conn, 2, 3));
    report("register", virConnectRegisterCloseCallback(conn, on_close, "remote", freecb));
    report("register again", virConnectRegisterCloseCallback(conn, other_close, "remote2", freecb));
    report("unregister other", virConnectUnregisterCloseCallback(conn, other_close));
    report("register null", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    report("unregister", virConnectUnregisterCloseCallback(conn, on_close));
    report("unregister again", virConnectUnregisterCloseCallback(conn, on_close));
    report("register", virConnectRegisterCloseCallback(conn, on_close, "remote", freecb));
    fflush(stdout);

    if (kill((pid_t)atoi(argv[2]), SIGKILL) < 0)
        return 1;
    for (int i = 0; i < 10000 && !fired; i++)
        if (virEventRunDefaultImpl() < 0)
            return 1;
    printf("fired: %d\n", fired);
    printf("alive: %d\n", virConnectIsAlive(conn));
    report("unregister after close", virConnectUnregisterCloseCallback(conn, on_close));
    report("register after close", virConnectRegisterCloseCallback(conn, other_close, "after", freecb));
    report("unregister after close", virConnectUnregisterCloseCallback(conn, other_close));
    report("close", virConnectClose(conn));
    return 0;
}
