/* Built by pack.test.ts against the installed package's headers and run with its tsvirt-run: prints what
 * virConnectGetType answers for the test driver ("TEST" in libvirt 9.0). */
#include <stdio.h>
#include <libvirt/libvirt.h>

int
main(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn)
        return 1;
    const char *type = virConnectGetType(conn);
    if (!type) {
        virConnectClose(conn);
        return 2;
    }
    printf("%s\n", type);
    return virConnectClose(conn) == 0 ? 0 : 3;
}
