/*
 * abi_program.c: runs a C program built as a shared object against tsvirt (tsvirt-run).
 *
 * The program was linked with its vir* symbols left undefined, so this library is first made global
 * (dlopen of itself with RTLD_NOLOAD | RTLD_GLOBAL: koffi loaded it with RTLD_LOCAL), then the program
 * is loaded and its main() runs on a thread of its own, while the JavaScript thread serves its calls.
 *
 * The program's output goes through the C library's stdio like any program's, with the buffering a
 * process of its own would have, so stdout and stderr interleave as they would; both are flushed when
 * main() returns.  exit() called by the program
 * ends the process at once with its status, as it would in a program of its own, instead of tearing Node
 * down under the JavaScript thread's feet.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_private.h"

#include "abi_bridge.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

typedef int (*program_main)(int argc, char **argv, char **envp);
typedef void (*program_done)(int status);

typedef struct program {
    program_main main;
    int argc;
    char **argv;
    program_done done;
} program;

/* Runs before the process's other exit handlers when the program calls exit(). */
static void
exit_from_program(int status, void *unused)
{
    (void)unused;
    if (abi_on_js_thread())
        return;
    fflush(NULL);
    _exit(status);
}

static void *
run(void *arg)
{
    program *prog = arg;
    int status = prog->main(prog->argc, prog->argv, environ);
    fflush(NULL);
    prog->done(status);
    for (int i = 0; i < prog->argc; i++)
        free(prog->argv[i]);
    free(prog->argv);
    free(prog);
    return NULL;
}

/*
 * Node leaves the C library's stdout unbuffered; a program expects the buffering a process of its own
 * starts with: by line on a terminal, else by blocks of the file's preferred size (what glibc picks).
 * The buffer is stdout's for the rest of the process.
 */
static void
restore_stdout_buffering(void)
{
    struct stat st;
    size_t size = fstat(STDOUT_FILENO, &st) == 0 && st.st_blksize > 0 ? (size_t)st.st_blksize : BUFSIZ;
    char *buffer = malloc(size);
    if (buffer)
        setvbuf(stdout, buffer, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, size);
}

static void
describe(char *error, int size, const char *what, const char *detail)
{
    if (error && size > 0)
        snprintf(error, (size_t)size, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* Copies argv out of the caller's (temporary) memory: the program keeps it for as long as it runs. */
static char **
copy_argv(int argc, const char **argv)
{
    char **copy = calloc((size_t)argc + 1, sizeof(char *));
    for (int i = 0; copy && i < argc; i++) {
        if (!(copy[i] = strdup(argv[i]))) {
            for (int j = 0; j < i; j++)
                free(copy[j]);
            free(copy);
            copy = NULL;
        }
    }
    return copy;
}

/*
 * For the runner (src/ffi/program.ts): loads the program at path and starts its main(argc, argv) on a
 * new thread; done(status) is called from that thread once main() returned.  Returns 0, or -1 with a
 * description in error (size bytes).
 */
int
abi_program_start(const char *path, int argc, const char **argv, program_done done, char *error, int size)
{
    Dl_info self;
    if (!dladdr((void *)abi_program_start, &self) || !self.dli_fname) {
        describe(error, size, "cannot find the tsvirt library's own file", NULL);
        return -1;
    }
    if (!dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL)) {
        describe(error, size, "cannot make tsvirt's symbols global", dlerror());
        return -1;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        describe(error, size, "cannot load the program", dlerror());
        return -1;
    }
    program_main entry = (program_main)dlsym(handle, "main");
    if (!entry) {
        describe(error, size, "the program exports no main function", NULL);
        return -1;
    }

    program *prog = calloc(1, sizeof(*prog));
    char **args = copy_argv(argc, argv);
    if (!prog || !args) {
        free(prog);
        free(args);
        describe(error, size, "out of memory", NULL);
        return -1;
    }
    prog->main = entry;
    prog->argc = argc;
    prog->argv = args;
    prog->done = done;

    on_exit(exit_from_program, NULL);
    restore_stdout_buffering();

    /* A program's main thread usually has 8 MiB of stack: give it as much. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8u << 20);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int failed = pthread_create(&thread, &attr, run, prog);
    pthread_attr_destroy(&attr);
    if (failed) {
        describe(error, size, "cannot start the program's thread", strerror(failed));
        return -1;
    }
    return 0;
}
