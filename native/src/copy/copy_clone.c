/*
 * copy_clone.c: clone a volume file into a new file, sharing extents (reflink) or copying the data
 * extents only, so holes stay holes.
 */
#include "copy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    tsvirt_copy_task *task;
    int src;
    int dst;
    bool created; /* the target exists because of us: remove it unless the clone succeeds */
    bool offload; /* copy_file_range() still worth calling */
    bool probe;   /* the source's page cache can be probed (copy_await_data) */
    char *buffer; /* read/write path, allocated on first use */
    copy_pacer pacer;
    copy_flusher flusher;
} clone_ctx;

/* errno values that can only come from the writing side of copy_file_range(). */
static bool
is_write_error(int err)
{
    return err == ENOSPC || err == EDQUOT || err == EFBIG || err == EROFS;
}

static int
clone_io_failed(clone_ctx *c, int err)
{
    if (is_write_error(err))
        return copy_fail(c->task, err, "failed writing to file '%s'", c->task->target);
    return copy_fail(c->task, err, "failed reading from file '%s'", c->task->source);
}

/* The filesystem or kernel cannot share extents between these two files. */
static bool
reflink_unsupported(int err)
{
    return err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL || err == ENOSYS;
}

/* 1: cloned by sharing extents; 0: not asked for, or not possible and fallback allowed; or a failed state. */
static int
clone_reflink(clone_ctx *c)
{
    unsigned int flags = c->task->flags;
    if (!(flags & (TSVIRT_COPY_REFLINK_AUTO | TSVIRT_COPY_REFLINK_ALWAYS)))
        return 0;
    if (ioctl(c->dst, FICLONE, c->src) == 0)
        return 1;
    int err = errno;
    if ((flags & TSVIRT_COPY_REFLINK_ALWAYS) || !reflink_unsupported(err))
        return copy_fail(c->task, err, "failed to clone files from '%s'", c->task->source);
    return 0;
}

/* Moves up to len bytes at pos: the count moved, 0 when the source ended early, -1 when failed. */
static int64_t
clone_step(clone_ctx *c, uint64_t pos, uint64_t len)
{
    while (c->offload) {
        loff_t in = (loff_t)pos, out = (loff_t)pos;
        ssize_t n = copy_file_range(c->src, &in, c->dst, &out, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
            clone_io_failed(c, errno);
            return -1;
        }
        /* Across filesystems, or a kernel or filesystem without it: read and write ourselves. */
        c->offload = false;
        c->pacer.max_step = COPY_BUFFER_SIZE;
        if (c->pacer.step > COPY_BUFFER_SIZE)
            c->pacer.step = COPY_BUFFER_SIZE;
    }
    if (!c->buffer && !(c->buffer = copy_buffer_alloc(0))) {
        copy_fail(c->task, errno, "cannot allocate a buffer to copy '%s'", c->task->source);
        return -1;
    }
    if (len > COPY_BUFFER_SIZE)
        len = COPY_BUFFER_SIZE;
    if (copy_pread_all(c->src, c->buffer, len, pos) < 0) {
        if (errno == 0)
            return 0;
        copy_fail(c->task, errno, "failed reading from file '%s'", c->task->source);
        return -1;
    }
    if (copy_pwrite_all(c->dst, c->buffer, len, pos) < 0) {
        copy_fail(c->task, errno, "failed writing to file '%s'", c->task->target);
        return -1;
    }
    return (int64_t)len;
}

/* Copies every data extent of the source's first `size` bytes; RUNNING when all went well. */
static int
clone_extents(clone_ctx *c, uint64_t size)
{
    tsvirt_copy_task *task = c->task;
    uint64_t pos = 0, data, hole;
    int found;

    while ((found = copy_next_extent(c->src, pos, size, &data, &hole)) > 0) {
        for (pos = data; pos < hole;) {
            if (copy_cancelled(task))
                return TSVIRT_COPY_CANCELLED;
            uint64_t len = copy_pacer_begin(&c->pacer, hole - pos);
            if (copy_await_data(task, c->src, pos, len, hole, &c->probe))
                return TSVIRT_COPY_CANCELLED;
            int64_t n = clone_step(c, pos, len);
            if (n < 0)
                return TSVIRT_COPY_FAILED;
            if (n == 0)
                return copy_fail_plain(task, EIO, "failed reading from file '%s': file shrank during the copy",
                                       task->source);
            if (copy_flusher_push(&c->flusher, pos, pos + (uint64_t)n) < 0)
                return copy_fail(task, errno, "cannot sync data to file '%s'", task->target);
            copy_pacer_end(&c->pacer, (uint64_t)n);
            copy_add_processed(task, (uint64_t)n);
            pos += (uint64_t)n;
        }
    }
    if (found < 0)
        return copy_fail(task, errno, "failed reading from file '%s'", task->source);
    return TSVIRT_COPY_RUNNING;
}

static int
clone_run(clone_ctx *c)
{
    tsvirt_copy_task *task = c->task;
    struct stat st;

    if ((c->src = open(task->source, O_RDONLY | O_CLOEXEC)) < 0)
        return copy_fail(task, errno, "could not open input path '%s'", task->source);
    if (fstat(c->src, &st) < 0)
        return copy_fail(task, errno, "cannot stat file '%s'", task->source);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return copy_fail_plain(task, EINVAL, "cannot clone '%s': not a regular file or block device", task->source);
    int64_t size = copy_file_size(c->src);
    if (size < 0)
        return copy_fail(task, errno, "cannot stat file '%s'", task->source);

    if ((c->dst = open(task->target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return copy_fail(task, errno, "Failed to create file '%s'", task->target);
    c->created = true;
    if (fchmod(c->dst, task->mode) < 0)
        return copy_fail(task, errno, "cannot set mode of '%s' to %04o", task->target, task->mode);

    uint64_t final_size = (uint64_t)size > task->capacity ? (uint64_t)size : task->capacity;
    int reflinked = clone_reflink(c);
    if (reflinked == TSVIRT_COPY_FAILED)
        return TSVIRT_COPY_FAILED;
    if (reflinked) {
        copy_set_total(task, (uint64_t)size);
        copy_add_processed(task, (uint64_t)size);
        if (final_size > (uint64_t)size && ftruncate(c->dst, (off_t)final_size) < 0)
            return copy_fail(task, errno, "cannot extend file '%s'", task->target);
    } else {
        int64_t data = copy_data_bytes(c->src, 0, (uint64_t)size);
        if (data < 0)
            return copy_fail(task, errno, "failed reading from file '%s'", task->source);
        copy_set_total(task, (uint64_t)data);
        /* Size first: what is never written stays a hole. */
        if (ftruncate(c->dst, (off_t)final_size) < 0)
            return copy_fail(task, errno, "cannot extend file '%s'", task->target);
        copy_read_paced(c->src);
        copy_pacer_init(&c->pacer, c->offload ? COPY_STEP_MAX_OFFLOAD : COPY_BUFFER_SIZE);
        copy_flusher_init(&c->flusher, c->dst);
        int state = clone_extents(c, (uint64_t)size);
        if (state != TSVIRT_COPY_RUNNING)
            return state;
    }

    return copy_commit_target(task, &c->dst);
}

int
copy_run_clone(tsvirt_copy_task *task)
{
    clone_ctx c = {
        .task = task,
        .src = -1,
        .dst = -1,
        .offload = !(task->flags & TSVIRT_COPY_NO_OFFLOAD),
        .probe = true,
    };
    int state = clone_run(&c);
    if (c.src >= 0)
        close(c.src);
    if (state != TSVIRT_COPY_DONE && c.created)
        unlink(task->target);
    if (c.dst >= 0)
        copy_close_later(task, c.dst);
    free(c.buffer);
    return state;
}
