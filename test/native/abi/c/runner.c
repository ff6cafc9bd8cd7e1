/*
 * What tsvirt-run promises a program: its arguments, its exit status (from main or from exit()), its
 * output complete and in order, libvirt's default URI.  Builds as a plain program too (without -DTSVIRT
 * and without libvirt) for the "output" mode, to compare with a real process.
 *
 * usage: runner status N | exit N | output LINES | args ARG... | default-uri | copies
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef TSVIRT
#include <libvirt/libvirt.h>
#endif

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "status") == 0)
        return atoi(argv[2]);
    if (strcmp(argv[1], "exit") == 0) {
        /* Unterminated and unflushed: exit() must still deliver it. */
        printf("leaving with %s", argv[2]);
        exit(atoi(argv[2]));
    }
    if (strcmp(argv[1], "output") == 0) {
        /* stdout is buffered and stderr is not: in a shared pipe, their interleaving shows the buffering. */
        int lines = atoi(argv[2]);
        for (int i = 0; i < lines; i++) {
            printf("out %d\n", i);
            if (i % 1000 == 0)
                fprintf(stderr, "err %d\n", i);
        }
        return 0;
    }
    if (strcmp(argv[1], "args") == 0) {
        for (int i = 2; i < argc; i++)
            printf("[%s]", argv[i]);
        printf(" argc=%d\n", argc);
        return 0;
    }
#ifdef TSVIRT
    if (strcmp(argv[1], "copies") == 0) {
        /* How many copies of the library are mapped (tsvirt.node, or libtsvirt.so if one was loaded by
         * that name): one copy, one set of globals. */
        FILE *maps = fopen("/proc/self/maps", "r");
        char line[4096], seen[16][4096];
        int copies = 0;
        while (maps && fgets(line, sizeof(line), maps)) {
            char *file = strchr(line, '/');
            if (!file)
                continue;
            file[strcspn(file, "\n")] = '\0';
            const char *name = strrchr(file, '/') + 1;
            if (strcmp(name, "tsvirt.node") != 0 && strncmp(name, "libtsvirt", 9) != 0)
                continue;
            int known = 0;
            for (int i = 0; i < copies; i++)
                known |= strcmp(seen[i], file) == 0;
            if (!known && copies < 16)
                strcpy(seen[copies++], file);
        }
        if (maps)
            fclose(maps);
        printf("%s %d\n", virConnectGetType(virConnectOpen("test:///default")), copies);
        return 0;
    }
    if (strcmp(argv[1], "default-uri") == 0) {
        virConnectPtr conn = virConnectOpen(NULL);
        char *uri = conn ? virConnectGetURI(conn) : NULL;
        printf("%s\n", uri ? uri : "none");
        free(uri);
        return conn && virConnectClose(conn) == 0 ? 0 : 1;
    }
#endif
    return 2;
}
