/*
 * vir_stream.c: virStreamSendAll() and virStreamRecvAll(), which libvirt's client library builds on
 * virStreamSend() and virStreamRecv(); so does this file, on the calling thread, so that the program's
 * callbacks run on its own thread and see its own buffer, as with libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"
#include "abi_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's chunk: VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX. */
#define CHUNK (256 * 1024)

/* virCheckStreamReturn and virCheckNonNullArgGoto: the stream's handle, or NULL once the error is reported. */
static abi_handle *
checked_stream(virStreamPtr st, const void *handler, const char *fn)
{
    char message[128];
    abi_error_reset();
    abi_handle *handle = abi_handle_check(st, ABI_KIND_STREAM);
    if (!handle) {
        snprintf(message, sizeof(message), "invalid stream pointer in %s", fn);
        abi_error_raise(VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, message);
        abi_error_dispatch(NULL);
        return NULL;
    }
    if (!handler) {
        snprintf(message, sizeof(message), "handler in %s must not be NULL", fn);
        abi_error_raise(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, message);
        abi_error_dispatch(atomic_load(&handle->conn));
        return NULL;
    }
    if (abi_on_js_thread()) {
        /* Refused before the first callback, so that no data is consumed for nothing. */
        snprintf(message, sizeof(message),
                 "%s would wait on the thread that runs tsvirt's drivers; call it from another thread", fn);
        abi_error_raise(VIR_ERR_OPERATION_INVALID, VIR_FROM_NONE, message);
        abi_error_dispatch(atomic_load(&handle->conn));
        return NULL;
    }
    return handle;
}

/* libvirt 9.0's answer to a callback that returned -1: VIR_ERR_SYSTEM_ERROR with the callback's errno (EIO if
 * it left none), reported after the transfer is aborted. */
static int
callback_failed(abi_handle *stream, const char *what, int errnum)
{
    virStreamAbort((virStreamPtr)stream);
    char buf[256], message[320];
    /* The GNU strerror_r (the library is built with _GNU_SOURCE): it returns the text, in buf or not. */
    const char *detail = strerror_r(errnum, buf, sizeof(buf));
    snprintf(message, sizeof(message), "%s: %s", what, detail);
    virError error;
    memset(&error, 0, sizeof(error));
    error.code = VIR_ERR_SYSTEM_ERROR;
    error.domain = VIR_FROM_STREAMS;
    error.level = VIR_ERR_ERROR;
    error.message = strdup(message);
    error.str1 = strdup(detail);
    error.int1 = errnum;
    error.int2 = -1;
    abi_error_take(&error);
    abi_error_dispatch(atomic_load(&stream->conn));
    return -1;
}

/* A failed virStreamSend or virStreamRecv, which reported its error already: libvirt reports it again. */
static int
call_failed(abi_handle *stream)
{
    abi_error_dispatch(atomic_load(&stream->conn));
    return -1;
}

int
virStreamSendAll(virStreamPtr st, virStreamSourceFunc handler, void *opaque)
{
    abi_handle *stream = checked_stream(st, (const void *)handler, "virStreamSendAll");
    if (!stream)
        return -1;
    char *bytes = calloc(1, CHUNK);
    if (!bytes) {
        abi_error_raise(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "out of memory");
        return call_failed(stream);
    }
    for (;;) {
        errno = 0;
        int got = handler(st, bytes, CHUNK, opaque);
        if (got < 0) {
            int errnum = errno ? errno : EIO;
            free(bytes);
            return callback_failed(stream, "send handler failed", errnum);
        }
        if (got == 0)
            break;
        for (int offset = 0; offset < got;) {
            int done = virStreamSend(st, bytes + offset, (size_t)(got - offset));
            if (done < 0) {
                free(bytes);
                return call_failed(stream);
            }
            offset += done;
        }
    }
    free(bytes);
    return 0;
}

int
virStreamRecvAll(virStreamPtr st, virStreamSinkFunc handler, void *opaque)
{
    abi_handle *stream = checked_stream(st, (const void *)handler, "virStreamRecvAll");
    if (!stream)
        return -1;
    char *bytes = calloc(1, CHUNK);
    if (!bytes) {
        abi_error_raise(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "out of memory");
        return call_failed(stream);
    }
    for (;;) {
        int got = virStreamRecv(st, bytes, CHUNK);
        if (got < 0) {
            free(bytes);
            return call_failed(stream);
        }
        if (got == 0)
            break;
        for (int offset = 0; offset < got;) {
            errno = 0;
            int done = handler(st, bytes + offset, (size_t)(got - offset), opaque);
            if (done < 0) {
                int errnum = errno ? errno : EIO;
                free(bytes);
                return callback_failed(stream, "recv handler failed", errnum);
            }
            offset += done;
        }
    }
    free(bytes);
    return 0;
}
