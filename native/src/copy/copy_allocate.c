/*
 * copy_allocate.c: create a volume file of a given capacity with a given part of it allocated.
 */
#include "copy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    tsvirt_copy_task *task;
    int fd;
    bool created;
    bool offload; /* fallocate() still worth calling */
    char *zeros;  /* zero-writing path, allocated on first use */
    copy_pacer pacer;
    copy_flusher flusher;
} allocate_ctx;

/* Allocates up to len bytes at pos: the count allocated, or -1 when failed. */
static int64_t
allocate_step(allocate_ctx *c, uint64_t pos, uint64_t len)
{
    tsvirt_copy_task *task = c->task;
    while (c->offload) {
        if (fallocate(c->fd, 0, (off_t)pos, (off_t)len) == 0)
            return (int64_t)len;
        if (errno == EINTR)
            continue;
        if (errno != EOPNOTSUPP && errno != ENOSYS) {
            copy_fail(task, errno, "cannot allocate %llu bytes in file '%s'", (unsigned long long)task->allocation,
                      task->target);
            return -1;
        }
        /* The filesystem cannot reserve blocks without writing them: write zeros instead. */
        c->offload = false;
        c->pacer.max_step = COPY_BUFFER_SIZE;
        if (c->pacer.step > COPY_BUFFER_SIZE)
            c->pacer.step = COPY_BUFFER_SIZE;
    }
    if (!c->zeros) {
        if (!(c->zeros = copy_buffer_alloc(0))) {
            copy_fail(task, errno, "cannot fill file '%s'", task->target);
            return -1;
        }
        memset(c->zeros, 0, COPY_BUFFER_SIZE);
    }
    if (len > COPY_BUFFER_SIZE)
        len = COPY_BUFFER_SIZE;
    if (copy_pwrite_all(c->fd, c->zeros, len, pos) < 0) {
        copy_fail(task, errno, "cannot fill file '%s'", task->target);
        return -1;
    }
    if (copy_flusher_push(&c->flusher, pos, pos + len) < 0) {
        copy_fail(task, errno, "cannot sync data to file '%s'", task->target);
        return -1;
    }
    return (int64_t)len;
}

static int
allocate_run(allocate_ctx *c)
{
    tsvirt_copy_task *task = c->task;

    if ((c->fd = open(task->target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return copy_fail(task, errno, "Failed to create file '%s'", task->target);
    c->created = true;
    if (fchmod(c->fd, task->mode) < 0)
        return copy_fail(task, errno, "cannot set mode of '%s' to %04o", task->target, task->mode);
    copy_set_total(task, task->allocation);
    if (ftruncate(c->fd, (off_t)task->capacity) < 0)
        return copy_fail(task, errno, "cannot extend file '%s'", task->target);

    copy_pacer_init(&c->pacer, c->offload ? COPY_STEP_MAX_OFFLOAD : COPY_BUFFER_SIZE);
    copy_flusher_init(&c->flusher, c->fd);
    for (uint64_t pos = 0; pos < task->allocation;) {
        if (copy_cancelled(task))
            return TSVIRT_COPY_CANCELLED;
        uint64_t len = copy_pacer_begin(&c->pacer, task->allocation - pos);
        int64_t n = allocate_step(c, pos, len);
        if (n < 0)
            return TSVIRT_COPY_FAILED;
        copy_pacer_end(&c->pacer, (uint64_t)n);
        copy_add_processed(task, (uint64_t)n);
        pos += (uint64_t)n;
    }

    return copy_commit_target(task, &c->fd);
}

int
copy_run_allocate(tsvirt_copy_task *task)
{
    allocate_ctx c = {
        .task = task,
        .fd = -1,
        .offload = !(task->flags & TSVIRT_COPY_NO_OFFLOAD),
    };
    int state = allocate_run(&c);
    if (state != TSVIRT_COPY_DONE && c.created)
        unlink(task->target);
    if (c.fd >= 0)
        copy_close_later(task, c.fd);
    free(c.zeros);
    return state;
}
