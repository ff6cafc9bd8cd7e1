/*
 * copy_internal.h: what the copy task modules share; not part of the public API (see copy.h).
 *
 * copy.c owns the task's life (start, publish, cancel, free), copy_io.c the I/O building blocks (step
 * pacing, writeback, extent walk), and copy_clone.c, copy_allocate.c, copy_wipe.c one operation each.
 */
#ifndef TSVIRT_COPY_INTERNAL_H
#define TSVIRT_COPY_INTERNAL_H

#include "copy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Internal to the library even while it exports everything else by default. */
#pragma GCC visibility push(hidden)

#define COPY_MESSAGE_MAX 1024

typedef enum {
    COPY_OP_CLONE,
    COPY_OP_ALLOCATE,
    COPY_OP_WIPE,
} copy_op;

struct tsvirt_copy_task {
    tsvirt_copy_progress progress;
    atomic_bool cancel_requested;
    /* One reference for the caller, one for the worker while it runs: the last one out frees. */
    atomic_int refs;
    copy_op op;
    unsigned int flags;
    char *source; /* clone only */
    char *target;
    uint64_t capacity;
    uint64_t allocation;
    uint64_t offset;
    uint64_t length;
    uint32_t mode;
    int algorithm;
    /* Closed by the worker after it published the final state (see copy_close_later). */
    int linger_fd;
    char message[COPY_MESSAGE_MAX];
};

/* ---- copy.c: reporting from the worker ---- */

bool copy_cancelled(tsvirt_copy_task *task);
/* The end of a clone or an allocation into the open target *fd: the last chance to cancel, then the data, the
 * file and its name in the directory made durable; *fd is closed (-1) whatever the outcome past the cancel. */
int copy_commit_target(tsvirt_copy_task *task, int *fd);
void copy_set_total(tsvirt_copy_task *task, uint64_t total);
void copy_add_processed(tsvirt_copy_task *task, uint64_t bytes);
/* Records a failure as libvirt's virReportSystemError words it ("<what>: <strerror(err)>") and returns
 * TSVIRT_COPY_FAILED. Only the first failure of a task is kept. */
int copy_fail(tsvirt_copy_task *task, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for failures whose message says it all: `err` is recorded but not appended. */
int copy_fail_plain(tsvirt_copy_task *task, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Closes fd once the final state is published. The last close of an unlinked file frees its blocks, which
 * takes tens of milliseconds for a large one: the removed partial file is gone from its directory when the
 * task reports, and its space comes back right after.
 */
void copy_close_later(tsvirt_copy_task *task, int fd);

/* The operations: each returns the task's final state. */
int copy_run_clone(tsvirt_copy_task *task);
int copy_run_allocate(tsvirt_copy_task *task);
int copy_run_wipe(tsvirt_copy_task *task);

/* ---- copy_io.c ---- */

/*
 * Sizes the steps of a task so that one takes about COPY_STEP_TARGET_NS on the disk at hand: small enough
 * that cancel is noticed quickly and progress moves smoothly, large enough that syscalls cost nothing.
 * The disk's speed is estimated over the last few steps together (decayed sums of bytes and time), since
 * a single step may be served by the page cache or wait for a prefetch of the one before. The size
 * starts small, since the speed is unknown, and grows step by step (COPY_PACER_GROWTH).
 */
typedef struct {
    uint64_t step;
    uint64_t max_step;
    double bytes; /* decayed sums over recent steps: bytes / ns is the recent speed */
    double ns;
    struct timespec started;
} copy_pacer;

#define COPY_STEP_TARGET_NS (25 * 1000 * 1000ULL)
#define COPY_STEP_MIN       (64 * 1024ULL)
#define COPY_STEP_FIRST     (256 * 1024ULL)
/* Weight of the past in the speed estimate, per step: about the last four steps count. */
#define COPY_PACER_DECAY 0.75
/*
 * Largest growth from one step to the next once steps near the target time. A step's time also covers
 * the writeback of the step before it (copy_flusher), so a step larger than the one before looks faster
 * than the disk is; small growth keeps that error small instead of feeding it back. Steps far below the
 * target double.
 */
#define COPY_PACER_GROWTH 1.25
/* Steps moved by the kernel (copy_file_range, fallocate) need no buffer and may be large. */
#define COPY_STEP_MAX_OFFLOAD (64 * 1024 * 1024ULL)
/* Steps through our own buffer: the buffer's size bounds the memory a task uses. */
#define COPY_BUFFER_SIZE (8 * 1024 * 1024ULL)

void copy_pacer_init(copy_pacer *pacer, uint64_t max_step);
/* The size of the next step, at most `remaining`. Also starts the step's clock. */
uint64_t copy_pacer_begin(copy_pacer *pacer, uint64_t remaining);
/* Ends the step started last, which moved `bytes`; adapts the next step's size. */
void copy_pacer_end(copy_pacer *pacer, uint64_t bytes);

/*
 * Starts writeback of each step as soon as it is written and waits for the step before it, so dirty data
 * stays within two steps: the step time measures the disk and not the page cache, the final fsync is short
 * and the page cache is not flooded (pages already on disk are dropped).
 */
typedef struct {
    int fd;
    bool enabled;
    uint64_t start; /* range whose writeback was started last; empty when start == end */
    uint64_t end;
} copy_flusher;

void copy_flusher_init(copy_flusher *flusher, int fd);
/* [start, end) was just written. Returns 0, or -1 with errno set when writeback failed. */
int copy_flusher_push(copy_flusher *flusher, uint64_t start, uint64_t end);

/*
 * Reads are requested ahead and waited for here, not inside read() or copy_file_range(): the kernel's own
 * readahead window (read_ahead_kb, often megabytes) knows nothing of the step time, and a read blocked on
 * a slow disk cannot see a cancel. copy_read_paced() turns that readahead off for fd. copy_await_data()
 * asks for [pos, pos + len) and the step after it (up to limit) without waiting, then polls every
 * millisecond until the step's data is in the page cache or the task is cancelled (returns true then).
 * Where the page cache cannot be probed (no RWF_NOWAIT), *probe is cleared and reads simply block.
 */
void copy_read_paced(int fd);
bool copy_await_data(tsvirt_copy_task *task, int fd, uint64_t pos, uint64_t len, uint64_t limit, bool *probe);

/*
 * Finds the first data extent at or after `pos` and before `end`: returns 1 and sets [*data, *hole), 0 when
 * only holes remain, -1 with errno set on error. Where SEEK_DATA is not supported everything is data.
 */
int copy_next_extent(int fd, uint64_t pos, uint64_t end, uint64_t *data, uint64_t *hole);
/* Sum of the data extents' sizes in [start, end), or -1 with errno set. */
int64_t copy_data_bytes(int fd, uint64_t start, uint64_t end);

/* Writes all of buf at offset, retrying short writes and EINTR. 0, or -1 with errno set. */
int copy_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset);
/* Reads exactly len bytes at offset. 0; -1 with errno set; errno 0 when the file ended first. */
int copy_pread_all(int fd, void *buf, size_t len, uint64_t offset);

/* A page-aligned buffer of COPY_BUFFER_SIZE + extra bytes, or NULL with errno set. */
void *copy_buffer_alloc(size_t extra);

/* Size of a regular file or block device, or -1 with errno set. */
int64_t copy_file_size(int fd);

/* fsyncs the directory that holds `path`. 0, or -1 with errno set. */
int copy_sync_parent_dir(const char *path);

#pragma GCC visibility pop

#endif /* TSVIRT_COPY_INTERNAL_H */
