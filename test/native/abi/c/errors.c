/*
 * virterror.h as a program sees it: the thread's last error and its copies, the default error function's
 * output, the global and the per-connection error callbacks, and errors staying with their thread.  Uses
 * libvirt's API only, so that the same source runs against libvirt and tsvirt with the same output.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
text(const char *s)
{
    return s ? s : "(null)";
}

static void
print_error(const char *what, virErrorPtr e)
{
    if (!e) {
        printf("%s: no error\n", what);
        return;
    }
    printf("%s: code %d domain %d level %d message %s\n", what, e->code, e->domain, e->level, text(e->message));
}

static int global_calls;
static int conn_calls;

static void
global_handler(void *data, virErrorPtr e)
{
    global_calls++;
    printf("global handler (%s): code %d message %s\n", (const char *)data, e->code, text(e->message));
}

static void
conn_handler(void *data, virErrorPtr e)
{
    conn_calls++;
    printf("connection handler (%s): code %d message %s\n", (const char *)data, e->code, text(e->message));
}

static void *
other_thread(void *arg)
{
    virConnectPtr conn = arg;
    print_error("other thread before", virGetLastError());
    virDomainLookupByID(conn, 4242);
    print_error("other thread after", virGetLastError());
    return NULL;
}

int
main(void)
{
    /* libvirt's thread-local error holds garbage until the library is initialized. */
    virInitialize();
    print_error("start", virGetLastError());
    printf("message %s code %d domain %d\n", virGetLastErrorMessage(), virGetLastErrorCode(), virGetLastErrorDomain());

    virConnectPtr conn = virConnectOpen("test:///default");

    /* No callback set: the default function prints to stderr. */
    fflush(stdout);
    virDomainPtr dom = virDomainLookupByName(conn, "nosuch");
    fflush(stderr);
    printf("lookup: %s\n", dom ? "found" : "NULL");
    print_error("last", virGetLastError());
    printf("message %s code %d domain %d\n", virGetLastErrorMessage(), virGetLastErrorCode(), virGetLastErrorDomain());

    virError copy;
    memset(&copy, 0xff, sizeof(copy));
    printf("copy: %d\n", virCopyLastError(&copy));
    print_error("copied", &copy);
    virResetError(&copy);
    print_error("copy reset", copy.code ? &copy : NULL);

    virErrorPtr saved = virSaveLastError();
    print_error("saved", saved);
    virFreeError(saved);
    virFreeError(NULL);

    print_error("connection's", virConnGetLastError(conn));
    virError conn_copy;
    printf("connection copy: %d\n", virConnCopyLastError(conn, &conn_copy));
    virResetError(&conn_copy);

    /* A successful call clears the thread's error, not the connection's. */
    printf("domains: %d\n", virConnectNumOfDomains(conn));
    print_error("after success", virGetLastError());
    print_error("connection's after success", virConnGetLastError(conn));
    virConnResetLastError(conn);
    print_error("connection's reset", virConnGetLastError(conn));

    saved = virSaveLastError();
    print_error("saved none", saved && saved->code ? saved : NULL);
    virFreeError(saved);
    memset(&copy, 0xff, sizeof(copy));
    printf("copy none: %d\n", virCopyLastError(&copy));

    /* The global callback instead of the default printing. */
    virSetErrorFunc((void *)"global", global_handler);
    virDomainLookupByName(conn, "nosuch");
    virDomainFree(NULL);
    printf("global calls: %d\n", global_calls);

    /* A connection's callback takes its errors; errors without a connection stay global. */
    virConnSetErrorFunc(conn, (void *)"conn", conn_handler);
    virDomainLookupByName(conn, "nosuch");
    virDomainFree(NULL);
    printf("global calls: %d, connection calls: %d\n", global_calls, conn_calls);
    virConnSetErrorFunc(conn, NULL, NULL);
    virDomainLookupByName(conn, "nosuch");
    printf("global calls: %d, connection calls: %d\n", global_calls, conn_calls);

    /* Back to the default. */
    virSetErrorFunc(NULL, NULL);
    fflush(stdout);
    virDomainFree(NULL);
    fflush(stderr);

    /* Each thread has its own last error. */
    virResetLastError();
    virDomainLookupByName(conn, "nosuch");
    virSetErrorFunc((void *)"thread", global_handler);
    pthread_t thread;
    pthread_create(&thread, NULL, other_thread, conn);
    pthread_join(thread, NULL);
    print_error("this thread", virGetLastError());

    /* virDefaultErrorFunc's layouts. */
    fflush(stdout);
    virError custom = {.code = VIR_ERR_XML_DETAIL,
                       .domain = VIR_FROM_XML,
                       .level = VIR_ERR_ERROR,
                       .message = (char *)"bad element\n<x>\n^\n",
                       .int1 = 3};
    virDefaultErrorFunc(&custom);
    custom.int1 = 0;
    virDefaultErrorFunc(&custom);
    virError warning = {.code = VIR_ERR_OPERATION_FAILED,
                        .domain = VIR_FROM_STORAGE,
                        .level = VIR_ERR_WARNING,
                        .message = (char *)"careful"};
    virDefaultErrorFunc(&warning);
    warning.level = VIR_ERR_NONE;
    virDefaultErrorFunc(&warning);
    virError ok = {.code = VIR_ERR_OK, .message = (char *)"never printed"};
    virDefaultErrorFunc(&ok);
    virDefaultErrorFunc(NULL);
    fflush(stderr);

    printf("close: %d\n", virConnectClose(conn));
    return 0;
}
