/*
 * vir_host.c: what libvirt-host.h declares and C serves alone: virConnectAuthPtrDefault, which asks for
 * credentials on the terminal, and virInitialize().  The other functions of the header are generated
 * (entry_points.generated.c) and served by src/ffi/dispatch-host.ts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- virConnectAuthPtrDefault: credentials asked on the terminal ---- */

/* Reads one line from stdin without its newline, echo off if asked and stdin is a terminal.  NULL at
 * end of input or when memory is short. */
static char *
read_answer(int echo)
{
    struct termios saved;
    int quiet = !echo && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
        struct termios silent = saved;
        silent.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    char *line = NULL;
    size_t size = 0;
    ssize_t length = getline(&line, &size, stdin);
    if (quiet) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stdout);
    }
    if (length < 0) {
        free(line);
        return NULL;
    }
    if (length > 0 && line[length - 1] == '\n')
        line[length - 1] = '\0';
    return line;
}

static int
ask_on_terminal(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    (void)cbdata;
    for (unsigned int i = 0; i < ncred; i++) {
        int echo;
        switch (cred[i].type) {
        case VIR_CRED_EXTERNAL:
            /* Obtained outside the process (e.g. by an agent): nothing to ask. */
            continue;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
            echo = 0;
            break;
        case VIR_CRED_USERNAME:
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_LANGUAGE:
        case VIR_CRED_CNONCE:
        case VIR_CRED_ECHOPROMPT:
        case VIR_CRED_REALM:
            echo = 1;
            break;
        default:
            return -1;
        }
        if (cred[i].defresult)
            printf("%s [%s]: ", cred[i].prompt, cred[i].defresult);
        else
            printf("%s: ", cred[i].prompt);
        fflush(stdout);
        char *answer = read_answer(echo);
        if (!answer)
            return -1;
        if (answer[0] == '\0' && cred[i].defresult) {
            free(answer);
            if (!(answer = strdup(cred[i].defresult)))
                return -1;
        }
        cred[i].result = answer;
        cred[i].resultlen = (unsigned int)strlen(answer);
    }
    return 0;
}

static int default_credentials[] = {
    VIR_CRED_AUTHNAME,   VIR_CRED_ECHOPROMPT,   VIR_CRED_REALM,
    VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT, VIR_CRED_EXTERNAL,
};

static virConnectAuth default_auth = {
    default_credentials,
    sizeof(default_credentials) / sizeof(default_credentials[0]),
    ask_on_terminal,
    NULL,
};

virConnectAuthPtr virConnectAuthPtrDefault = &default_auth;

/* ---- served by C alone (scripts/gen-abi.mjs: HAND_WRITTEN) ---- */

int
virInitialize(void)
{
    abi_error_reset();
    return abi_require_bridge(NULL);
}
