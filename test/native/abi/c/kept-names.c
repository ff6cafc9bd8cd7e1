/*
 * kept-names.c: a handle slot reused for a new object never answers with the old object's name.
 *
 * virDomainGetName() returns a string its handle keeps.  This program is linked with the native library's
 * sources and installs a dispatcher of its own (no TypeScript drivers), which makes the worst interleaving
 * happen on purpose: while a virDomainGetName() call is being answered, the domain's handle is released
 * and its slot handed to a new domain.  The name then belongs to an object that is gone; it must not
 * become the new domain's name.
 *
 * Prints one line per check and exits 0 when all pass.
 */
#include "abi_bridge.h"

#include <stdio.h>
#include <string.h>

#define REUSE_DELAY 4096 /* as native/src/abi/abi_handle.c */

static void *conn;
static void *victim;    /* the handle released while its name is being answered */
static void *successor; /* the handle that takes over its slot */
static int sabotage;
static int failures;

static void
check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok)
        failures++;
}

/* Releases the victim and makes new handles until one lands in its slot. */
static void
reuse_victim_slot(void)
{
    abi_handle_release(victim);
    for (uint32_t id = 100; id < 100 + 2 * REUSE_DELAY + 2; id++) {
        void *handle = abi_handle_new(ABI_KIND_DOMAIN, id, conn);
        if (handle == victim) {
            successor = handle;
            return;
        }
        abi_handle_release(handle);
    }
}

static int
dispatch(abi_call *call, int fn, int foreign, uint32_t h0, uint32_t h1, long long n0, long long n1, long long n2,
         const char *s0, const char *s1, void *p0, void *p1, void *p2)
{
    (void)foreign, (void)h1, (void)n0, (void)n1, (void)n2, (void)s0, (void)s1, (void)p0, (void)p1, (void)p2;
    if (fn != ABI_FN_virDomainGetName)
        return ABI_FAILED;
    if (h0 == 0) {
        abi_call_fail(call, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOMAIN, VIR_ERR_ERROR,
                      "invalid domain pointer in virDomainGetName", NULL, NULL, NULL, 0, 0);
        return ABI_FAILED;
    }
    abi_call_set_string(call, h0 == 1 ? "old" : "new");
    if (sabotage) {
        sabotage = 0;
        reuse_victim_slot();
    }
    return ABI_DONE;
}

static void
quiet(void *data, virErrorPtr error)
{
    (void)data, (void)error;
}

int
main(void)
{
    virSetErrorFunc(NULL, quiet);
    if (abi_bridge_init(dispatch) != 0)
        return 2;
    conn = abi_handle_new(ABI_KIND_CONNECT, 1000000, NULL);

    victim = abi_handle_new(ABI_KIND_DOMAIN, 1, conn);
    sabotage = 1;
    const char *name = virDomainGetName(victim);
    check(successor == victim, "the released slot was reused while the call ran");
    /* The caller's pointer names the new domain now, as any stale pointer to a reused slot does. */
    check(!name || strcmp(name, "new") == 0, "the call does not answer with the released domain's name");

    const char *now = virDomainGetName(successor);
    check(now && strcmp(now, "new") == 0, "the slot's new domain answers with its own name");
    printf("new domain's name: %s\n", now ? now : "(null)");

    /* A slot released with a kept name starts empty when reused. */
    void *plain = abi_handle_new(ABI_KIND_DOMAIN, 1, conn);
    check(virDomainGetName(plain) != NULL, "a domain keeps its name");
    victim = plain;
    successor = NULL;
    reuse_victim_slot();
    now = successor ? virDomainGetName(successor) : NULL;
    check(successor && now && strcmp(now, "new") == 0, "a reused slot does not keep the released domain's name");

    printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
