/*
 * copy.h: tsvirt's native data path for storage volumes.
 *
 * Cloning, allocating and wiping volume files can take minutes on multi-GB volumes. Each operation here
 * runs as a task on its own thread (never on libuv's pool, which Node's file I/O shares) and publishes its
 * progress in memory that any thread can read at any time, so a caller polls instead of being called back:
 * no callback ever crosses threads.
 *
 * Life of a task:
 *   1. tsvirt_copy_*_start() validates its arguments, copies them and starts the worker thread. It never
 *      touches the disk itself and returns at once. It returns NULL only when memory is exhausted (errno is
 *      ENOMEM); every other failure, including invalid arguments, is reported through the task.
 *   2. The caller reads tsvirt_copy_task_progress() whenever it likes. `state` leaves RUNNING exactly once.
 *   3. tsvirt_copy_task_cancel() asks the worker to stop. It returns at once and may be called any number
 *      of times, from any thread. The worker notices between two steps of I/O, and every millisecond while
 *      it waits for data to read; steps are sized so that one takes about 25 ms on the disk at hand, so a
 *      task ends well within 100 ms of the request. A task past its last step (syncing its result)
 *      completes anyway.
 *   4. Once `state` is not RUNNING, the result (state, error, message, final progress) stays readable until
 *      tsvirt_copy_task_free(). Freeing a task that still runs cancels it and lets the worker release it
 *      when it ends; the caller must not touch the task after freeing it.
 *
 * Workers are plain detached threads with all signals blocked. Once one has started, the library stays
 * loaded until the process ends (a worker may outlive everything that uses it, e.g. at process exit).
 *
 * Files created by a task (clone and allocate targets) are opened with O_EXCL, so an existing file is never
 * overwritten, and are removed again when the task fails or is cancelled: the name is gone when the task
 * reports, the blocks of a large file are freed right after it. The caller gives a temporary
 * name and renames it into place after success (and syncs the directory once more after that rename).
 * Successful results are durable: the file and its directory have been synced before `state` becomes DONE.
 *
 * Failure messages follow libvirt's wording for the same failure, e.g.
 * "failed writing to file '/pool/v1.tmp': No space left on device".
 */
#ifndef TSVIRT_COPY_H
#define TSVIRT_COPY_H

#include <stdatomic.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tsvirt_copy_task tsvirt_copy_task;

/* Values of tsvirt_copy_progress.state. Every state but RUNNING is final. */
typedef enum {
    TSVIRT_COPY_RUNNING = 0,
    TSVIRT_COPY_DONE = 1,
    TSVIRT_COPY_FAILED = 2,    /* `error` holds the errno, tsvirt_copy_task_message() the text */
    TSVIRT_COPY_CANCELLED = 3, /* stopped on request; partial output files have been removed */
} tsvirt_copy_state;

/*
 * Progress block of a task, written by the worker and readable from any thread with atomic loads (or
 * plain aligned loads on x86-64: the layout below is fixed). `processed` never goes down. `total` is the
 * number of bytes the task expects to move; it may be revised upwards while the task runs.
 *
 * Layout (24 bytes): processed u64 @0, total u64 @8, state i32 @16, error i32 @20. `error` and the
 * message are written before `state` is stored with release ordering: load `state` first (acquire).
 */
typedef struct tsvirt_copy_progress {
    _Atomic uint64_t processed;
    _Atomic uint64_t total;
    _Atomic int32_t state;
    _Atomic int32_t error;
} tsvirt_copy_progress;

/* Flags of tsvirt_copy_clone_start() and tsvirt_copy_allocate_start(). */
typedef enum {
    /* Try ioctl(FICLONE) first and fall back to copying when the filesystem cannot share extents. */
    TSVIRT_COPY_REFLINK_AUTO = 1 << 0,
    /* ioctl(FICLONE) or fail, as libvirt's VIR_STORAGE_VOL_CREATE_REFLINK. */
    TSVIRT_COPY_REFLINK_ALWAYS = 1 << 1,
    /* Move bytes with read/write only: no copy_file_range(), no fallocate(). For filesystems whose
     * offloads misbehave, and to exercise the portable path. */
    TSVIRT_COPY_NO_OFFLOAD = 1 << 2,
} tsvirt_copy_flags;

/* Wiping algorithms, numbered as libvirt's virStorageVolWipeAlgorithm. */
typedef enum {
    TSVIRT_WIPE_ZERO = 0,       /* 1 pass: 0x00 */
    TSVIRT_WIPE_NNSA = 1,       /* random, random, 0x00, verify */
    TSVIRT_WIPE_DOD = 2,        /* random, 0x00, 0xff, verify */
    TSVIRT_WIPE_BSI = 3,        /* 0xff, 0xfe, 0xfd, 0xfb, 0xf7, 0xef, 0xdf, 0xbf, 0x7f */
    TSVIRT_WIPE_GUTMANN = 4,    /* Gutmann's 35 passes: 4 random, 27 fixed patterns, 4 random */
    TSVIRT_WIPE_SCHNEIER = 5,   /* 0x00, 0xff, 5 random */
    TSVIRT_WIPE_PFITZNER7 = 6,  /* 7 random */
    TSVIRT_WIPE_PFITZNER33 = 7, /* 33 random */
    TSVIRT_WIPE_RANDOM = 8,     /* 1 random */
    TSVIRT_WIPE_TRIM = 9,       /* discard: not supported on files, as in libvirt */
    TSVIRT_WIPE_LAST
} tsvirt_wipe_algorithm;

/*
 * Copies `source` into a new file `target`, keeping holes as holes (SEEK_DATA/SEEK_HOLE walk) and moving
 * the data with copy_file_range() where the kernel can, read/write otherwise. The target's size is the
 * larger of the source's size and `capacity` (0: the source's size); growing leaves a hole at the end.
 * `mode` is applied exactly (the umask does not narrow it). `total` counts the source's data bytes.
 * Flags: TSVIRT_COPY_REFLINK_AUTO or TSVIRT_COPY_REFLINK_ALWAYS (not both), TSVIRT_COPY_NO_OFFLOAD.
 */
tsvirt_copy_task *tsvirt_copy_clone_start(const char *source, const char *target, uint64_t capacity, uint32_t mode,
                                          unsigned int flags);

/*
 * Creates `target` with size `capacity` and the first `allocation` bytes allocated (fallocate(), or zeros
 * written where the filesystem cannot allocate). allocation 0 leaves the file fully sparse; allocation must
 * not exceed capacity. Flags: TSVIRT_COPY_NO_OFFLOAD (always write zeros).
 */
tsvirt_copy_task *tsvirt_copy_allocate_start(const char *target, uint64_t capacity, uint64_t allocation, uint32_t mode,
                                             unsigned int flags);

/*
 * Overwrites the existing file or block device `target` with `algorithm`'s passes, from `offset` for
 * `length` bytes (0: to the end). Holes of a sparse file hold no data and stay holes; only its data
 * extents are overwritten. Each pass is synced before the next starts, so every pass reaches the disk.
 * A cancelled wipe leaves the volume partly overwritten. No flags are defined yet: pass 0.
 */
tsvirt_copy_task *tsvirt_copy_wipe_start(const char *target, int algorithm, uint64_t offset, uint64_t length,
                                         unsigned int flags);

/* The task's progress block; the pointer stays valid until tsvirt_copy_task_free(). */
const tsvirt_copy_progress *tsvirt_copy_task_progress(const tsvirt_copy_task *task);

/* The failure message once state is FAILED, "" otherwise; valid until tsvirt_copy_task_free(). */
const char *tsvirt_copy_task_message(const tsvirt_copy_task *task);

/* Asks the task to stop. Idempotent, never blocks; without effect on a finished task. */
void tsvirt_copy_task_cancel(tsvirt_copy_task *task);

/* Releases the caller's hold on the task; a running task is cancelled and released by its worker. */
void tsvirt_copy_task_free(tsvirt_copy_task *task);

#ifdef __cplusplus
}
#endif

#endif /* TSVIRT_COPY_H */
