/*
 * abi_bridge.c: calls from C entry points to the TypeScript drivers and their results (see abi_bridge.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_bridge.h"

#include "abi_error.h"
#include "abi_ring.h"

#include <stdlib.h>
#include <string.h>

#define ABI_FN_NAME(name) #name,
static const char *const function_names[ABI_FN_COUNT] = {ABI_FUNCTIONS(ABI_FN_NAME)};
#undef ABI_FN_NAME

static abi_dispatcher dispatcher;
static pthread_t js_thread;
static _Atomic int ready; /* set once dispatcher and js_thread are */

int
abi_bridge_init(abi_dispatcher fn)
{
    if (!fn || atomic_load(&ready))
        return -1;
    dispatcher = fn;
    js_thread = pthread_self();
    atomic_store_explicit(&ready, 1, memory_order_release);
    return 0;
}

static int
bridge_ready(void)
{
    return atomic_load_explicit(&ready, memory_order_acquire);
}

int
abi_require_bridge(abi_handle *conn)
{
    if (bridge_ready())
        return 0;
    abi_error_raise(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE,
                    "internal error: tsvirt's drivers are not running in this process "
                    "(run the program with tsvirt-run)");
    abi_error_dispatch(conn);
    return -1;
}

int
abi_on_js_thread(void)
{
    return bridge_ready() && pthread_equal(pthread_self(), js_thread);
}

const char *
abi_function_name(int fn)
{
    return fn >= 0 && fn < ABI_FN_COUNT ? function_names[fn] : NULL;
}

/* Frees what a failed call had produced for its caller. */
static void
discard_results(abi_call *call)
{
    free(call->string);
    call->string = NULL;
    free(call->list);
    call->list = NULL;
    char **names = call->array;
    for (int i = 0; i < call->written; i++) {
        free(names[i]);
        names[i] = NULL;
    }
    call->written = 0;
}

int
abi_invoke(abi_call *call, abi_fn fn, const abi_args *args)
{
    abi_error_reset();
    memset(call, 0, sizeof(*call));
    call->array = args->ptr[0];
    call->capacity = args->capacity;
    call->str[0] = args->str[0];
    call->str[1] = args->str[1];

    uint32_t ids[2] = {0, 0};
    abi_handle *subject = NULL;
    for (int i = 0; i < 2; i++) {
        abi_handle *handle = abi_handle_check(args->handle[i].ptr, args->handle[i].kind);
        if (handle)
            ids[i] = atomic_load_explicit(&handle->id, memory_order_relaxed);
        if (i == 0)
            subject = handle;
    }
    abi_handle *conn = subject ? atomic_load_explicit(&subject->conn, memory_order_relaxed) : NULL;

    if (abi_require_bridge(conn) < 0)
        return -1;

    /* Ready before dispatching: a pending call may be settled before the dispatcher's answer reaches
     * this thread. */
    pthread_mutex_init(&call->lock, NULL);
    pthread_cond_init(&call->settled_cond, NULL);
    call->fn = fn;
    call->ids[0] = ids[0];
    call->ids[1] = ids[1];
    call->args = args;
    int status;
    if (abi_on_js_thread()) {
        status = dispatcher(call, fn, 0, ids[0], ids[1], args->num[0], args->num[1], args->num[2], args->str[0],
                            args->str[1], args->ptr[0], args->ptr[1], args->ptr[2]);
        if (status == ABI_PENDING) {
            abi_call_wait(call);
            status = call->status;
        }
    } else {
        status = abi_ring_call(call);
    }
    pthread_cond_destroy(&call->settled_cond);
    pthread_mutex_destroy(&call->lock);
    if (status == ABI_DONE)
        return 0;

    discard_results(call);
    if (call->error.code != VIR_ERR_OK)
        abi_error_take(&call->error);
    abi_error_dispatch(conn);
    return -1;
}

long long
abi_number(abi_fn fn, const abi_args *args, long long failed)
{
    abi_call call;
    if (abi_invoke(&call, fn, args) < 0)
        return failed;
    return call.value;
}

int
abi_int(abi_fn fn, const abi_args *args)
{
    return (int)abi_number(fn, args, -1);
}

void *
abi_pointer(abi_fn fn, const abi_args *args)
{
    abi_call call;
    if (abi_invoke(&call, fn, args) < 0)
        return NULL;
    return call.pointer;
}

char *
abi_string(abi_fn fn, const abi_args *args)
{
    abi_call call;
    if (abi_invoke(&call, fn, args) < 0)
        return NULL;
    return call.string;
}

/* True while handle still stands for the object with id (a released or reused slot does not). */
static int
names_object(abi_handle *handle, abi_kind kind, uint32_t id)
{
    return abi_handle_check(handle, kind) && atomic_load(&handle->id) == id;
}

const char *
abi_kept_string(abi_fn fn, const abi_args *args, int slot)
{
    /* Kept strings never change: once a handle has one, it is the answer. */
    abi_handle *kept = abi_handle_check(args->handle[0].ptr, args->handle[0].kind);
    const char *known = kept ? atomic_load_explicit(&kept->kept[slot], memory_order_acquire) : NULL;
    if (known) {
        abi_error_reset();
        return known;
    }
    /* The handle may be released, and its slot even reused by another object, while the call runs: the
     * string is kept only if the handle still names the object that answered. */
    for (;;) {
        abi_handle *handle = abi_handle_check(args->handle[0].ptr, args->handle[0].kind);
        uint32_t id = handle ? atomic_load(&handle->id) : 0;
        abi_call call;
        if (abi_invoke(&call, fn, args) < 0)
            return NULL;
        if (!handle || !names_object(handle, args->handle[0].kind, id)) {
            free(call.string);
            continue; /* ask again: the entry point reports a freed pointer, or answers for the new object */
        }
        char *expected = NULL;
        if (!atomic_compare_exchange_strong(&handle->kept[slot], &expected, call.string)) {
            /* Another thread asked first: the handle keeps its copy, equal to ours. */
            free(call.string);
            return expected;
        }
        if (names_object(handle, args->handle[0].kind, id))
            return call.string;
        /* Released between the check and the store: take the string back, unless the release (or the
         * slot's reuse) already freed it. */
        char *ours = call.string;
        if (atomic_compare_exchange_strong(&handle->kept[slot], &ours, NULL))
            free(call.string);
    }
}

int
abi_list(abi_fn fn, const abi_args *args)
{
    void ***out = args->ptr[0];
    if (out && abi_handle_check(args->handle[0].ptr, args->handle[0].kind))
        *out = NULL;
    abi_call call;
    if (abi_invoke(&call, fn, args) < 0)
        return -1;
    if (out)
        *out = call.list;
    return (int)call.value;
}

void
abi_dispatch_queued(abi_call *call)
{
    const abi_args *args = call->args;
    int status = dispatcher(call, call->fn, 1, call->ids[0], call->ids[1], args->num[0], args->num[1], args->num[2],
                            args->str[0], args->str[1], args->ptr[0], args->ptr[1], args->ptr[2]);
    if (status != ABI_PENDING)
        abi_call_settle(call, status);
}

/* ---- results, written by the bridge on the JavaScript thread ---- */

void
abi_call_set_value(abi_call *call, long long value)
{
    call->value = value;
}

void
abi_call_set_pointer(abi_call *call, void *pointer)
{
    call->pointer = pointer;
}

int
abi_call_set_string(abi_call *call, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        return -1;
    free(call->string);
    call->string = copy;
    return 0;
}

int
abi_call_set_list(abi_call *call, int count)
{
    if (count < 0)
        return -1;
    void **list = calloc((size_t)count + 1, sizeof(void *));
    if (!list)
        return -1;
    free(call->list);
    call->list = list;
    return 0;
}

void
abi_call_set_list_item(abi_call *call, int index, void *handle)
{
    call->list[index] = handle;
}

int
abi_call_put_name(abi_call *call, int index, const char *name)
{
    if (index < 0 || index >= call->capacity || index != call->written)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    ((char **)call->array)[index] = copy;
    call->written++;
    return 0;
}

int
abi_call_put_int(abi_call *call, int index, int value)
{
    if (index < 0 || index >= call->capacity)
        return -1;
    ((int *)call->array)[index] = value;
    return 0;
}

long long
abi_call_string_bytes(abi_call *call, int i, void *buf, long long size)
{
    if (i < 0 || i > 1 || !call->str[i])
        return -1;
    size_t length = strlen(call->str[i]);
    if (buf && size > 0)
        memcpy(buf, call->str[i], length < (size_t)size ? length : (size_t)size);
    return (long long)length;
}

/* A size_t length travels as a long long: one past LLONG_MAX reads as negative, and no buffer is that large. */
static unsigned long long
caller_length(const abi_call *call)
{
    return (unsigned long long)call->args->num[0];
}

long long
abi_call_copy_in(abi_call *call, void *buf, long long size)
{
    if (!call || !buf || size < 0 || !call->args->ptr[0])
        return -1;
    unsigned long long length = caller_length(call);
    size_t n = length < (unsigned long long)size ? (size_t)length : (size_t)size;
    memcpy(buf, call->args->ptr[0], n);
    return (long long)n;
}

int
abi_call_copy_out(abi_call *call, const void *buf, long long size)
{
    if (!call || size < 0 || (unsigned long long)size > caller_length(call) ||
        (size > 0 && (!buf || !call->args->ptr[0])))
        return -1;
    if (size > 0)
        memcpy(call->args->ptr[0], buf, (size_t)size);
    return 0;
}

static char *
optional_copy(const char *text)
{
    return text ? strdup(text) : NULL;
}

void
abi_call_fail(abi_call *call, int code, int domain, int level, const char *message, const char *str1, const char *str2,
              const char *str3, int int1, int int2)
{
    virResetError(&call->error);
    call->error.code = code;
    call->error.domain = domain;
    call->error.level = level;
    call->error.message = optional_copy(message);
    call->error.str1 = optional_copy(str1);
    call->error.str2 = optional_copy(str2);
    call->error.str3 = optional_copy(str3);
    call->error.int1 = int1;
    call->error.int2 = int2;
}

void
abi_call_settle(abi_call *call, int status)
{
    pthread_mutex_lock(&call->lock);
    call->status = status;
    atomic_store_explicit(&call->settled, 1, memory_order_release);
    pthread_cond_signal(&call->settled_cond);
    pthread_mutex_unlock(&call->lock);
}
