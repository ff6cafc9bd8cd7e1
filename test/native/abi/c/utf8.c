/*
 * utf8.c: strings that are not UTF-8, passed where the API takes a `const char *`.  One line per call:
 *
 *     LABEL | RESULT | CODE DOMAIN MESSAGE
 *
 * with the message's bytes outside printable ASCII written as \xNN, so that a byte that became another
 * shows.  Run against tsvirt and against libvirt; the lines must match except where docs/compatibility.md
 * says why not.  argv[1] is a scratch directory for the file paths.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>

static void
quiet(void *data, virErrorPtr error)
{
    (void)data, (void)error;
}

static void
show(const char *label, long long result)
{
    virErrorPtr e = virGetLastError();
    printf("%s | %lld | ", label, result);
    if (!e) {
        printf("ok\n");
        return;
    }
    printf("%d %d ", e->code, e->domain);
    for (const unsigned char *p = (const unsigned char *)e->message; p && *p; p++)
        if (*p == '\n')
            printf("\\n");
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    printf("\n");
    virResetLastError();
}

#define DOMAIN(name, extra) \
    "<domain type='test'><name>" name "</name>" extra "<memory>1024</memory><os><type>hvm</type></os></domain>"

int
main(int argc, char **argv)
{
    virSetErrorFunc(NULL, quiet);
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    if (!conn || !dom || !pool || argc < 2)
        return 1;

    show("define: name ff", virDomainDefineXML(conn, DOMAIN("vm\xff", "")) != NULL);
    show("define: name c3", virDomainDefineXML(conn, DOMAIN("vm\xc3", "")) != NULL);
    show("define: overlong c0", virDomainDefineXML(conn, DOMAIN("vm\xc0\xaf", "")) != NULL);
    show("define: text ff", virDomainDefineXML(conn, "<domain type='test'>\xff<name>vm</name></domain>") != NULL);
    show("define: second line",
         virDomainDefineXML(conn, "<domain type='test'>\n  <name>v\xc3\xa9m\xe9</name>\n</domain>") != NULL);
    show("define: tab",
         virDomainDefineXML(conn, "<domain type='test'>\n\t<name>v\xc3\xa9m\xe9</name>\n</domain>") != NULL);
    show("define: latin-1 declared",
         virDomainDefineXML(conn, "<?xml version='1.0' encoding='ISO-8859-1'?>" DOMAIN("vm\xe9", "")) != NULL);
    show("define: valid U+FFFD",
         virDomainDefineXML(conn, DOMAIN("vm\xef\xbf\xbd", "<description>x</description>")) != NULL);
    virDomainPtr replacement = virDomainLookupByName(conn, "vm\xef\xbf\xbd");
    show("lookup: valid U+FFFD", replacement != NULL);
    if (replacement) {
        virDomainUndefine(replacement);
        virDomainFree(replacement);
    }
    show("create: description e9",
         virDomainCreateXML(conn, DOMAIN("vm", "<description>caf\xe9</description>"), 0) != NULL);
    show("net-define", virNetworkDefineXML(conn, "<network><name>n\xff</name></network>") != NULL);
    show("pool-define",
         virStoragePoolDefineXML(conn, "<pool type='dir'><name>p\xff</name><target><path>/tmp</path></target></pool>",
                                 0) != NULL);
    show("vol-create",
         virStorageVolCreateXML(pool, "<volume><name>v\xe9</name><capacity>1024</capacity></volume>", 0) != NULL);

    show("lookup: domain", virDomainLookupByName(conn, "vm\xff") != NULL);
    show("lookup: network", virNetworkLookupByName(conn, "n\xff") != NULL);
    show("lookup: pool", virStoragePoolLookupByName(conn, "p\xff") != NULL);
    show("lookup: volume", virStorageVolLookupByName(pool, "v\xff") != NULL);
    show("lookup: volume key", virStorageVolLookupByKey(conn, "k\xff") != NULL);
    show("lookup: volume path", virStorageVolLookupByPath(conn, "/p\xff") != NULL);
    show("lookup: uuid", virDomainLookupByUUIDString(conn, "6695eb01-f6a4-8304-79aa-97f2502e193\xff") != NULL);
    show("open", virConnectOpen("test:///default\xff") != NULL);
    unsigned long version;
    show("version", virGetVersion(&version, "Te\xffst", &version));
    show("max vcpus", virConnectGetMaxVcpus(conn, "kv\xffm") > 0);
    show("bad handle first", virDomainDefineXML(NULL, DOMAIN("vm\xff", "")) != NULL);

#ifdef TSVIRT
    /* libvirt writes these files under their byte names; tsvirt refuses the names, never writing a file
     * under another name. */
    char path[4096];
    snprintf(path, sizeof(path), "%s/caf\xe9.save", argv[1]);
    show("save", virDomainSave(dom, path));
    snprintf(path, sizeof(path), "%s/caf\xe8.save", argv[1]);
    show("restore", virDomainRestore(conn, path));
    snprintf(path, sizeof(path), "%s/d\xe9.core", argv[1]);
    show("dump", virDomainCoreDump(dom, path, 0));
#endif

    virStoragePoolFree(pool);
    virDomainFree(dom);
    virConnectClose(conn);
    return 0;
}
