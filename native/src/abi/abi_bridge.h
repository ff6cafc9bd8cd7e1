/*
 * abi_bridge.h: how a C entry point reaches the TypeScript drivers.
 *
 * The bridge (src/ffi/bridge.ts) registers one JavaScript function, the dispatcher, through koffi.  An
 * entry point fills an abi_args with what its caller passed, and abi_invoke() hands them to the
 * dispatcher with the operation's number:
 *  - on the JavaScript thread the dispatcher runs at once, inside the call;
 *  - on any other thread the call is queued on the ring the JavaScript thread serves (abi_ring.h), and
 *    only the calling thread waits until it ran.  Getters of published state never get here (abi_object.h).
 * The dispatcher answers through the abi_call_* functions below, which write into the caller's abi_call
 * (or into the caller's out-parameters, directly), then returns ABI_DONE, ABI_PENDING or a failure.  ABI_PENDING
 * means the result comes later (a blocking function waiting for its job): the calling thread waits on
 * the call until the bridge settles it.  It is never returned to the JavaScript thread, which could not
 * wait without stopping the drivers.
 *
 * A failure's error arrives in the call and becomes the calling thread's last error.  Every JavaScript
 * exception is caught on the other side: koffi would turn one into 0, which is why 0 is not success here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_BRIDGE_H
#define TSVIRT_ABI_BRIDGE_H

#include "abi_handle.h"
#include "entry_points.generated.h"

/* The operations the bridge dispatches, numbered ABI_FN_<name>: every public function that reaches the
 * drivers (entry_points.generated.h, from the headers), then the bridge's own.  The bridge
 * (src/ffi/dispatch.ts) looks each one up by name when it starts and refuses to start if one has no
 * handler. */
#define ABI_FUNCTIONS(X) ABI_PUBLIC_FUNCTIONS(X) X(abiJobCallbackDone)

#define ABI_FN_ENUM(name) ABI_FN_##name,
typedef enum abi_fn { ABI_FUNCTIONS(ABI_FN_ENUM) ABI_FN_COUNT } abi_fn;
#undef ABI_FN_ENUM

enum { ABI_FAILED = -1, ABI_DONE = 1, ABI_PENDING = 2 };

/* One handle argument: its pointer as the caller passed it, and the kind it must be. */
typedef struct abi_handle_arg {
    abi_kind kind;
    const void *ptr;
} abi_handle_arg;

/* What an entry point passes on; unused members stay zero. */
typedef struct abi_args {
    abi_handle_arg handle[2]; /* handle[0] is the subject: its connection receives the error */
    long long num[3];
    const char *str[2];
    void *ptr[3];       /* out-parameters, callbacks and their data */
    long long capacity; /* how many items ptr[0] holds, for arrays the bridge fills */
} abi_args;

/* One call in flight.  Lives on the calling thread's stack until the call is over. */
typedef struct abi_call abi_call;
struct abi_call {
    pthread_mutex_t lock;
    pthread_cond_t settled_cond;
    _Atomic int settled;
    int status;

    /* What to dispatch, for a call queued on the ring (abi_ring.h). */
    abi_fn fn;
    uint32_t ids[2];
    const abi_args *args;
    abi_call *next;

    long long value;    /* integer result */
    void *pointer;      /* handle result */
    char *string;       /* malloc'd string result */
    void **list;        /* malloc'd, NULL-terminated array of handles */
    void *array;        /* the caller's array (args->ptr[0]) the bridge fills */
    long long capacity; /* its length */
    int written;        /* strings stored in array so far, freed if the call fails */
    const char *str[2]; /* the caller's string arguments, as bytes (abi_call_string_bytes) */
    virError error;     /* the failure's error */
};

/*
 * Runs operation fn with args: the entry point discipline (reset the thread's last error, check the
 * handles, dispatch, report a failure).  Returns 0 with the results in *call, to be taken by the caller,
 * or -1 once the error is reported (nothing left to free).
 */
ABI_INTERNAL int abi_invoke(abi_call *call, abi_fn fn, const abi_args *args);

/* The shapes of result the entry points return; each reports failures itself. */
ABI_INTERNAL long long abi_number(abi_fn fn, const abi_args *args, long long failed); /* or failed */
ABI_INTERNAL int abi_int(abi_fn fn, const abi_args *args);                            /* the value, -1 on error */
ABI_INTERNAL void *abi_pointer(abi_fn fn, const abi_args *args);                      /* a handle, NULL on error */
ABI_INTERNAL char *abi_string(abi_fn fn, const abi_args *args);                       /* caller frees; NULL on error */
/* A string the subject handle keeps (slot ABI_KEPT_*) and the caller must not free; NULL on error. */
ABI_INTERNAL const char *abi_kept_string(abi_fn fn, const abi_args *args, int slot);
/* A new handle array stored in *args->ptr[0] (when not NULL); the count, -1 on error. */
ABI_INTERNAL int abi_list(abi_fn fn, const abi_args *args);

/* Dispatches a call taken from the ring, on the JavaScript thread, and settles it unless it is pending. */
ABI_INTERNAL void abi_dispatch_queued(abi_call *call);

/* True on the thread that runs the drivers. */
ABI_INTERNAL int abi_on_js_thread(void);

/* 0 once the bridge is installed; else -1 after reporting that the drivers are not running here. */
ABI_INTERNAL int abi_require_bridge(abi_handle *conn);

/* ---- for the bridge (src/ffi/native-abi.ts, through tsvirt_private_symbol) ---- */

typedef int (*abi_dispatcher)(abi_call *call, int fn, int foreign, uint32_t h0, uint32_t h1, long long n0, long long n1,
                              long long n2, const char *s0, const char *s1, void *p0, void *p1, void *p2);

/* Installs the dispatcher, once per process, on the thread that runs the drivers.  0, or -1 if one is
 * installed already. */
int abi_bridge_init(abi_dispatcher dispatcher);

/* The name of operation fn (NULL past the last), so that the bridge can map numbers to handlers. */
const char *abi_function_name(int fn);

/* Results. */
void abi_call_set_value(abi_call *call, long long value);
void abi_call_set_pointer(abi_call *call, void *pointer);
int abi_call_set_string(abi_call *call, const char *text); /* 0, -1 out of memory */
int abi_call_set_list(abi_call *call, int count);          /* 0, -1 out of memory */
void abi_call_set_list_item(abi_call *call, int index, void *handle);
int abi_call_put_name(abi_call *call, int index, const char *name); /* into array; 0, -1 */
int abi_call_put_int(abi_call *call, int index, int value);         /* into array; 0, -1 */
void abi_call_fail(abi_call *call, int code, int domain, int level, const char *message, const char *str1,
                   const char *str2, const char *str3, int int1, int int2);

/* String argument i of the call as the caller's bytes, which koffi decodes as UTF-8 (invalid sequences
 * becoming U+FFFD): copies at most size of them into buf and returns their number, -1 for NULL. */
long long abi_call_string_bytes(abi_call *call, int i, void *buf, long long size);

/* The caller's bytes (pointer argument 0, of length number argument 0: virStreamSend's data and nbytes),
 * copied while the caller waits: at most size of them into buf.  Returns how many, -1 without a call or
 * buffer.  The bridge never keeps the caller's pointer. */
long long abi_call_copy_in(abi_call *call, void *buf, long long size);

/* Copies size bytes of buf into the caller's buffer (pointer argument 0, of length number argument 0:
 * virStreamRecv's data and nbytes) while the caller waits.  0, or -1 if they do not fit. */
int abi_call_copy_out(abi_call *call, const void *buf, long long size);

/* Ends a call the dispatcher answered with ABI_PENDING: status is ABI_DONE or a failure.  The call must
 * not be touched afterwards: its thread may return at once. */
void abi_call_settle(abi_call *call, int status);

#endif /* TSVIRT_ABI_BRIDGE_H */
