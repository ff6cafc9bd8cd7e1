/*
 * abi_job.h: what C reads of a job without a trip to JavaScript, and where job callbacks run.
 *
 * The bridge publishes every change of a job that has a C handle (src/ffi/job-publisher.ts, through the
 * job engine's observer) into the handle's abi_job_info, so virJobGetInfo() answers from any thread in a
 * few hundred nanoseconds with a consistent snapshot.
 *
 * Callbacks given to virJobSetCallback() run on one delivery thread that tsvirt starts when the first is
 * due: never the caller's, never the JavaScript thread, one at a time.  The bridge posts a callback when
 * the job has ended, holding a reference on the job that the delivery thread gives back (operation
 * abiJobCallbackDone) once the callback and its free function returned.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_JOB_H
#define TSVIRT_ABI_JOB_H

#include "abi_handle.h"

/* Fills info from the job's last published state, the elapsed time brought up to now while it runs. */
ABI_INTERNAL void abi_job_read(abi_handle *job, virJobInfoPtr info);

/* ---- for the bridge (JavaScript thread; through tsvirt_private_symbol) ---- */

/* Publishes a job's progress; times in milliseconds, amounts in bytes. */
void abi_job_publish(void *job, int type, int state, int percent, unsigned long long elapsed_ms,
                     unsigned long long remaining_ms, unsigned long long total, unsigned long long processed,
                     unsigned long long remaining);

/* Stores the error that ended the job, which the handle then owns (virJobGetError()); the first one
 * stays: a job's error never changes.  Returns the stored error, NULL if job is not valid. */
virErrorPtr abi_job_set_error(void *job, int code, int domain, int level, const char *message, const char *str1,
                              const char *str2, const char *str3, int int1, int int2);

/* Queues cb(job, state, opaque), then freecb(opaque) if not NULL, on the delivery thread.  0, or -1 if
 * the thread or the queue entry could not be created. */
int abi_job_post_callback(void *cb, void *job, int state, void *opaque, void *freecb);

#endif /* TSVIRT_ABI_JOB_H */
