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

/* A callback argument and its name, for virCheckNonNullArgGoto. */
typedef struct callback_arg {
    const char *name;
    const void *fn;
} callback_arg;

/* virCheckStreamReturn and virCheckNonNullArgGoto for each callback (count of them): the stream's handle, or
 * NULL once the error is reported. */
static abi_handle *
checked_stream(virStreamPtr st, const char *fn, const callback_arg *callbacks, int count)
{
    char message[256];
    abi_error_reset();
    abi_handle *handle = abi_handle_check(st, ABI_KIND_STREAM);
    if (!handle) {
        snprintf(message, sizeof(message), "invalid stream pointer in %s", fn);
        abi_error_raise(VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, message);
        abi_error_dispatch(NULL);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        if (!callbacks[i].fn) {
            snprintf(message, sizeof(message), "%s in %s must not be NULL", callbacks[i].name, fn);
            abi_error_raise(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, message);
            abi_error_dispatch(atomic_load(&handle->conn));
            return NULL;
        }
    }
    if (abi_on_js_thread()) {
        /* Refused before the first callback, so that no data is consumed for nothing. */
        snprintf(message, sizeof(message),
                 "Requested operation is not valid: %s would wait on the thread that runs tsvirt's drivers; "
                 "call it from another thread",
                 fn);
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

/* A failed virStreamSendHole or virStreamRecvHole: the transfer is aborted, keeping the call's error, which is
 * reported again. */
static int
hole_call_failed(abi_handle *stream)
{
    virErrorPtr saved = virSaveLastError();
    virStreamAbort((virStreamPtr)stream);
    if (saved) {
        abi_error_take(saved);
        free(saved);
    }
    return call_failed(stream);
}

/* A buffer of libvirt's chunk size, or NULL once the error is raised. */
static char *
chunk_buffer(void)
{
    char *bytes = calloc(1, CHUNK);
    if (!bytes)
        abi_error_raise(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "out of memory");
    return bytes;
}

/* A callback's failure as libvirt reports it: errno as the callback left it, EIO if it left none. */
static int
callback_errno(void)
{
    return errno ? errno : EIO;
}

/* Sends all `count` bytes, in as many virStreamSend() calls as it takes: 0, or -1 once reported. */
static int
send_chunk(virStreamPtr st, abi_handle *stream, const char *bytes, int count)
{
    for (int offset = 0; offset < count;) {
        int done = virStreamSend(st, bytes + offset, (size_t)(count - offset));
        if (done < 0)
            return call_failed(stream);
        offset += done;
    }
    return 0;
}

/* Hands all `count` received bytes to the program's sink, in as many calls as it takes: 0, or -1 once reported. */
static int
sink_chunk(virStreamPtr st, abi_handle *stream, virStreamSinkFunc handler, void *opaque, const char *bytes, int count)
{
    for (int offset = 0; offset < count;) {
        errno = 0;
        int done = handler(st, bytes + offset, (size_t)(count - offset), opaque);
        if (done < 0)
            return callback_failed(stream, "recv handler failed", callback_errno());
        offset += done;
    }
    return 0;
}

int
virStreamSendAll(virStreamPtr st, virStreamSourceFunc handler, void *opaque)
{
    abi_handle *stream = checked_stream(st, "virStreamSendAll", &(callback_arg){"handler", (const void *)handler}, 1);
    if (!stream)
        return -1;
    char *bytes = chunk_buffer();
    if (!bytes)
        return call_failed(stream);
    int rc = -1;
    for (;;) {
        errno = 0;
        int got = handler(st, bytes, CHUNK, opaque);
        if (got < 0) {
            callback_failed(stream, "send handler failed", callback_errno());
            goto out;
        }
        if (got == 0)
            break;
        if (send_chunk(st, stream, bytes, got) < 0)
            goto out;
    }
    rc = 0;
out:
    free(bytes);
    return rc;
}

int
virStreamRecvAll(virStreamPtr st, virStreamSinkFunc handler, void *opaque)
{
    abi_handle *stream = checked_stream(st, "virStreamRecvAll", &(callback_arg){"handler", (const void *)handler}, 1);
    if (!stream)
        return -1;
    char *bytes = chunk_buffer();
    if (!bytes)
        return call_failed(stream);
    int rc = -1;
    for (;;) {
        int got = virStreamRecv(st, bytes, CHUNK);
        if (got < 0) {
            call_failed(stream);
            goto out;
        }
        if (got == 0)
            break;
        if (sink_chunk(st, stream, handler, opaque, bytes, got) < 0)
            goto out;
    }
    rc = 0;
out:
    free(bytes);
    return rc;
}

int
virStreamSparseSendAll(virStreamPtr st, virStreamSourceFunc handler, virStreamSourceHoleFunc holeHandler,
                       virStreamSourceSkipFunc skipHandler, void *opaque)
{
    const callback_arg callbacks[] = {
        {"handler", (const void *)handler},
        {"holeHandler", (const void *)holeHandler},
        {"skipHandler", (const void *)skipHandler},
    };
    abi_handle *stream = checked_stream(st, "virStreamSparseSendAll", callbacks, 3);
    if (!stream)
        return -1;
    char *bytes = chunk_buffer();
    if (!bytes)
        return call_failed(stream);
    int rc = -1;
    long long data_left = 0; /* of the data section being sent */
    for (;;) {
        if (data_left == 0) {
            int in_data = 0;
            long long section = 0;
            errno = 0;
            if (holeHandler(st, &in_data, &section, opaque) < 0) {
                callback_failed(stream, "send holeHandler failed", callback_errno());
                goto out;
            }
            if (!in_data && section > 0) {
                if (virStreamSendHole(st, section, 0) < 0) {
                    hole_call_failed(stream);
                    goto out;
                }
                errno = 0;
                if (skipHandler(st, section, opaque) < 0) {
                    callback_failed(stream, "unable to skip hole", callback_errno());
                    goto out;
                }
                continue;
            }
            data_left = section;
        }
        size_t want = data_left > 0 && data_left < CHUNK ? (size_t)data_left : CHUNK;
        errno = 0;
        int got = handler(st, bytes, want, opaque);
        if (got < 0) {
            callback_failed(stream, "send handler failed", callback_errno());
            goto out;
        }
        if (got == 0)
            break;
        if (send_chunk(st, stream, bytes, got) < 0)
            goto out;
        data_left = data_left > got ? data_left - got : 0;
    }
    rc = 0;
out:
    free(bytes);
    return rc;
}

int
virStreamSparseRecvAll(virStreamPtr st, virStreamSinkFunc handler, virStreamSinkHoleFunc holeHandler, void *opaque)
{
    const callback_arg callbacks[] = {
        {"handler", (const void *)handler},
        {"holeHandler", (const void *)holeHandler},
    };
    abi_handle *stream = checked_stream(st, "virStreamSparseRecvAll", callbacks, 2);
    if (!stream)
        return -1;
    char *bytes = chunk_buffer();
    if (!bytes)
        return call_failed(stream);
    int rc = -1;
    for (;;) {
        int got = virStreamRecvFlags(st, bytes, CHUNK, VIR_STREAM_RECV_STOP_AT_HOLE);
        if (got == -3) {
            long long hole = 0;
            if (virStreamRecvHole(st, &hole, 0) < 0) {
                hole_call_failed(stream);
                goto out;
            }
            errno = 0;
            if (holeHandler(st, hole, opaque) < 0) {
                callback_failed(stream, "recv holeHandler failed", callback_errno());
                goto out;
            }
            continue;
        }
        if (got < 0) {
            call_failed(stream);
            goto out;
        }
        if (got == 0)
            break;
        if (sink_chunk(st, stream, handler, opaque, bytes, got) < 0)
            goto out;
    }
    rc = 0;
out:
    free(bytes);
    return rc;
}
