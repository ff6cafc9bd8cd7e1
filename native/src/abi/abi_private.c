/*
 * abi_private.c: the table behind tsvirt_private_symbol(), every function of the library that src/ffi
 * binds.  test/native/abi/exports.test.ts checks that the table holds exactly the names src/ffi and the
 * C tests look up.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "abi_private.h"

#include "abi_bridge.h"
#include "abi_error.h"
#include "abi_close.h"
#include "abi_event.h"
#include "abi_handle.h"
#include "abi_job.h"
#include "abi_object.h"
#include "abi_ring.h"
#include "copy.h"
#include "tmpfile.h"

#include <string.h>

/* The name is the function's own, so the table cannot name one function after another. */
#define BRIDGE(fn)                       \
    {                                    \
#fn, (tsvirt_private_function)fn \
    }

static const struct {
    const char *name;
    tsvirt_private_function fn;
} bridge_functions[] = {
    BRIDGE(abi_bridge_init),
    BRIDGE(abi_function_name),
    BRIDGE(abi_set_error_domain_name),
    BRIDGE(abi_handle_new),
    BRIDGE(abi_handle_release),
    BRIDGE(abi_handle_keep),
    BRIDGE(abi_debug_live_handles),
    BRIDGE(abi_object_publish),
    BRIDGE(abi_call_set_value),
    BRIDGE(abi_call_set_pointer),
    BRIDGE(abi_call_set_string),
    BRIDGE(abi_call_set_list),
    BRIDGE(abi_call_set_list_item),
    BRIDGE(abi_call_put_name),
    BRIDGE(abi_call_put_int),
    BRIDGE(abi_call_fail),
    BRIDGE(abi_call_settle),
    BRIDGE(abi_call_string_bytes),
    BRIDGE(abi_call_copy_in),
    BRIDGE(abi_call_copy_out),
    BRIDGE(abi_job_publish),
    BRIDGE(abi_job_set_error),
    BRIDGE(abi_job_post_callback),
    BRIDGE(abi_event_timer_acquire),
    BRIDGE(abi_event_timer_release),
    BRIDGE(abi_event_callback_add),
    BRIDGE(abi_event_post),
    BRIDGE(abi_close_add),
    BRIDGE(abi_close_post),
    BRIDGE(abi_ring_init),
    BRIDGE(abi_ring_awake),
    BRIDGE(abi_ring_serve),
    BRIDGE(abi_ring_sleep),
    BRIDGE(abi_ring_close),
    BRIDGE(abi_program_start),
    BRIDGE(tsvirt_copy_clone_start),
    BRIDGE(tsvirt_copy_allocate_start),
    BRIDGE(tsvirt_copy_wipe_start),
    BRIDGE(tsvirt_copy_task_progress),
    BRIDGE(tsvirt_copy_task_message),
    BRIDGE(tsvirt_copy_task_cancel),
    BRIDGE(tsvirt_copy_task_free),
    BRIDGE(tsvirt_tmpfile_open),
    BRIDGE(tsvirt_tmpfile_link),
};

tsvirt_private_function
tsvirt_private_symbol(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof(bridge_functions) / sizeof(bridge_functions[0]); i++)
        if (strcmp(bridge_functions[i].name, name) == 0)
            return bridge_functions[i].fn;
    return NULL;
}
