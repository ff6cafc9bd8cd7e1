/*
 * vir_error.c: virterror.h, errors as libvirt reports them: one last error per thread, one per connection,
 * an error callback per connection and one for the process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's words for a failure that recorded no error. */
#define GENERIC_FAILURE "An error occurred, but the cause is unknown"

static pthread_key_t thread_error_key;
static pthread_once_t thread_error_once = PTHREAD_ONCE_INIT;

/* The process-wide callback set with virSetErrorFunc(). */
static pthread_mutex_t global_handler_lock = PTHREAD_MUTEX_INITIALIZER;
static virErrorFunc global_handler;
static void *global_handler_data;

#define DOMAIN_NAMES 128
static char *domain_names[DOMAIN_NAMES];

static void
free_thread_error(void *error)
{
    virFreeError(error);
}

static void
create_thread_error_key(void)
{
    pthread_key_create(&thread_error_key, free_thread_error);
}

/* The calling thread's error, created on first use; NULL only when memory is short. */
static virErrorPtr
thread_error(int create)
{
    pthread_once(&thread_error_once, create_thread_error_key);
    virErrorPtr error = pthread_getspecific(thread_error_key);
    if (!error && create) {
        error = calloc(1, sizeof(*error));
        if (error && pthread_setspecific(thread_error_key, error) != 0) {
            free(error);
            error = NULL;
        }
    }
    return error;
}

static char *
copy_string(const char *text, int *failed)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    if (!copy)
        *failed = 1;
    return copy;
}

int
abi_error_copy(virErrorPtr to, const virError *from)
{
    int failed = 0;
    virResetError(to);
    to->code = from->code;
    to->domain = from->domain;
    to->level = from->level;
    to->message = copy_string(from->message, &failed);
    to->str1 = copy_string(from->str1, &failed);
    to->str2 = copy_string(from->str2, &failed);
    to->str3 = copy_string(from->str3, &failed);
    to->int1 = from->int1;
    to->int2 = from->int2;
    if (failed) {
        virResetError(to);
        return -1;
    }
    return 0;
}

void
abi_error_reset(void)
{
    virErrorPtr error = thread_error(0);
    if (error && error->code != VIR_ERR_OK)
        virResetError(error);
}

void
abi_error_take(virErrorPtr from)
{
    virErrorPtr error = thread_error(1);
    if (!error) {
        virResetError(from);
        return;
    }
    virResetError(error);
    *error = *from;
    memset(from, 0, sizeof(*from));
}

void
abi_error_raise(int code, int domain, const char *message)
{
    virError error;
    memset(&error, 0, sizeof(error));
    error.code = code;
    error.domain = domain;
    error.level = VIR_ERR_ERROR;
    error.message = strdup(message);
    abi_error_take(&error);
}

void
abi_error_dispatch(abi_handle *conn)
{
    virErrorPtr error = thread_error(1);
    if (!error)
        return;
    if (error->code == VIR_ERR_OK)
        abi_error_raise(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, GENERIC_FAILURE);

    pthread_mutex_lock(&global_handler_lock);
    virErrorFunc handler = global_handler;
    void *data = global_handler_data;
    pthread_mutex_unlock(&global_handler_lock);

    if (conn) {
        pthread_mutex_lock(&conn->lock);
        abi_error_copy(&conn->last_error, error);
        if (conn->handler) {
            handler = conn->handler;
            data = conn->handler_data;
        }
        pthread_mutex_unlock(&conn->lock);
    }

    if (handler)
        handler(data, error);
    else
        virDefaultErrorFunc(error);
}

void
abi_set_error_domain_name(int domain, const char *name)
{
    if (domain < 0 || domain >= DOMAIN_NAMES || !name)
        return;
    char *copy = strdup(name);
    if (!copy)
        return;
    free(domain_names[domain]);
    domain_names[domain] = copy;
}

/* ---- virterror.h ---- */

virErrorPtr
virGetLastError(void)
{
    virErrorPtr error = thread_error(0);
    return error && error->code != VIR_ERR_OK ? error : NULL;
}

virErrorPtr
virSaveLastError(void)
{
    virErrorPtr copy = calloc(1, sizeof(*copy));
    if (!copy)
        return NULL;
    virErrorPtr error = thread_error(0);
    if (error && abi_error_copy(copy, error) < 0) {
        free(copy);
        return NULL;
    }
    return copy;
}

void
virResetLastError(void)
{
    abi_error_reset();
}

void
virResetError(virErrorPtr err)
{
    if (!err)
        return;
    free(err->message);
    free(err->str1);
    free(err->str2);
    free(err->str3);
    memset(err, 0, sizeof(*err));
}

void
virFreeError(virErrorPtr err)
{
    virResetError(err);
    free(err);
}

int
virGetLastErrorCode(void)
{
    virErrorPtr error = virGetLastError();
    return error ? error->code : VIR_ERR_OK;
}

int
virGetLastErrorDomain(void)
{
    virErrorPtr error = virGetLastError();
    return error ? error->domain : VIR_FROM_NONE;
}

const char *
virGetLastErrorMessage(void)
{
    virErrorPtr error = virGetLastError();
    if (!error)
        return "no error";
    return error->message ? error->message : "unknown error";
}

virErrorPtr
virConnGetLastError(virConnectPtr conn)
{
    /* As libvirt: the connection's error slot, zeroed (code VIR_ERR_OK) while it holds no error. */
    abi_handle *handle = abi_handle_check(conn, ABI_KIND_CONNECT);
    return handle ? &handle->last_error : NULL;
}

void
virConnResetLastError(virConnectPtr conn)
{
    abi_handle *handle = abi_handle_check(conn, ABI_KIND_CONNECT);
    if (!handle)
        return;
    pthread_mutex_lock(&handle->lock);
    virResetError(&handle->last_error);
    pthread_mutex_unlock(&handle->lock);
}

int
virCopyLastError(virErrorPtr to)
{
    if (!to)
        return -1;
    /* The caller's struct may hold anything: nothing in it is ours to free. */
    memset(to, 0, sizeof(*to));
    virErrorPtr error = thread_error(0);
    if (error && abi_error_copy(to, error) < 0)
        return -1;
    return to->code;
}

int
virConnCopyLastError(virConnectPtr conn, virErrorPtr to)
{
    abi_handle *handle = abi_handle_check(conn, ABI_KIND_CONNECT);
    if (!handle || !to)
        return -1;
    memset(to, 0, sizeof(*to));
    pthread_mutex_lock(&handle->lock);
    int failed = abi_error_copy(to, &handle->last_error);
    pthread_mutex_unlock(&handle->lock);
    return failed ? -1 : to->code;
}

void
virDefaultErrorFunc(virErrorPtr err)
{
    if (!err || err->code == VIR_ERR_OK)
        return;
    const char *level = err->level == VIR_ERR_WARNING ? "warning" : err->level == VIR_ERR_ERROR ? "error" : "";
    const char *domain = "";
    if (err->domain >= 0 && err->domain < DOMAIN_NAMES && domain_names[err->domain])
        domain = domain_names[err->domain];
    const char *message = err->message ? err->message : "";
    size_t length = strlen(message);
    /* libvirt's layout: "libvirt: <domain> <level> <object name>: <message>", where the object name (of
     * the deprecated err->dom and err->net) is always empty in libvirt 9. */
    if (err->domain == VIR_FROM_XML && err->code == VIR_ERR_XML_DETAIL && err->int1 != 0)
        fprintf(stderr, "libvirt: %s %s : line %d: %s", domain, level, err->int1, message);
    else if (length == 0 || message[length - 1] != '\n')
        fprintf(stderr, "libvirt: %s %s : %s\n", domain, level, message);
    else
        fprintf(stderr, "libvirt: %s %s : %s", domain, level, message);
}

void
virSetErrorFunc(void *userData, virErrorFunc handler)
{
    pthread_mutex_lock(&global_handler_lock);
    global_handler = handler;
    global_handler_data = userData;
    pthread_mutex_unlock(&global_handler_lock);
}

void
virConnSetErrorFunc(virConnectPtr conn, void *userData, virErrorFunc handler)
{
    abi_handle *handle = abi_handle_check(conn, ABI_KIND_CONNECT);
    if (!handle)
        return;
    pthread_mutex_lock(&handle->lock);
    handle->handler = handler;
    handle->handler_data = userData;
    pthread_mutex_unlock(&handle->lock);
}
