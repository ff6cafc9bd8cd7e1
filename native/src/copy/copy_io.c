/*
 * copy_io.c: I/O building blocks shared by the copy operations.
 */
#include "copy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define NS_PER_S 1000000000ULL

static uint64_t
elapsed_ns(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - since->tv_sec) * (int64_t)NS_PER_S + (now.tv_nsec - since->tv_nsec);
    return ns > 0 ? (uint64_t)ns : 1;
}

void
copy_pacer_init(copy_pacer *pacer, uint64_t max_step)
{
    pacer->max_step = max_step;
    pacer->step = COPY_STEP_FIRST < max_step ? COPY_STEP_FIRST : max_step;
    pacer->bytes = pacer->ns = 0;
}

uint64_t
copy_pacer_begin(copy_pacer *pacer, uint64_t remaining)
{
    clock_gettime(CLOCK_MONOTONIC, &pacer->started);
    return remaining < pacer->step ? remaining : pacer->step;
}

void
copy_pacer_end(copy_pacer *pacer, uint64_t bytes)
{
    pacer->bytes = pacer->bytes * COPY_PACER_DECAY + (double)bytes;
    pacer->ns = pacer->ns * COPY_PACER_DECAY + (double)elapsed_ns(&pacer->started);
    double step = (double)pacer->step;
    double next = pacer->bytes / pacer->ns * (double)COPY_STEP_TARGET_NS;
    /* Far below the target, doubling costs little even when the estimate is off; near it, creep. */
    double growth = next > 4 * step ? 2.0 : COPY_PACER_GROWTH;
    if (next > growth * step)
        next = growth * step;
    if (next > (double)pacer->max_step)
        next = (double)pacer->max_step;
    uint64_t rounded = (uint64_t)next & ~(COPY_STEP_MIN - 1);
    pacer->step = rounded < COPY_STEP_MIN ? COPY_STEP_MIN : rounded;
}

void
copy_flusher_init(copy_flusher *flusher, int fd)
{
    flusher->fd = fd;
    flusher->enabled = true;
    flusher->start = flusher->end = 0;
}

int
copy_flusher_push(copy_flusher *flusher, uint64_t start, uint64_t end)
{
    if (!flusher->enabled || end <= start)
        return 0;
    if (sync_file_range(flusher->fd, (off_t)start, (off_t)(end - start), SYNC_FILE_RANGE_WRITE) < 0) {
        /* Not every file can do this (pipes, some FUSE filesystems): the final fsync still makes it durable. */
        if (errno == ESPIPE || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
            flusher->enabled = false;
            return 0;
        }
        return -1;
    }
    if (flusher->end > flusher->start) {
        off_t len = (off_t)(flusher->end - flusher->start);
        if (sync_file_range(flusher->fd, (off_t)flusher->start, len,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) < 0)
            return -1;
        /* On disk now: a volume copy would otherwise push everything else out of the page cache. */
        posix_fadvise(flusher->fd, (off_t)flusher->start, len, POSIX_FADV_DONTNEED);
    }
    flusher->start = start;
    flusher->end = end;
    return 0;
}

void
copy_read_paced(int fd)
{
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
}

static void
request(int fd, uint64_t start, uint64_t len, uint64_t limit)
{
    if (start < limit)
        posix_fadvise(fd, (off_t)start, (off_t)(limit - start < len ? limit - start : len), POSIX_FADV_WILLNEED);
}

bool
copy_await_data(tsvirt_copy_task *task, int fd, uint64_t pos, uint64_t len, uint64_t limit, bool *probe)
{
    const struct timespec tick = {0, 1000 * 1000};
    char byte;
    struct iovec iov = {&byte, 1};

    request(fd, pos, len, limit);
    request(fd, pos + len, len, limit);
    while (*probe) {
        /* Reads complete in order, near enough: the step's last byte stands for the step. */
        if (preadv2(fd, &iov, 1, (off_t)(pos + len - 1), RWF_NOWAIT) >= 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            *probe = false;
            break;
        }
        if (copy_cancelled(task))
            return true;
        nanosleep(&tick, NULL);
        /* Queued pages are skipped; pages the kernel dropped under memory pressure are asked for again. */
        request(fd, pos, len, limit);
    }
    return false;
}

int
copy_next_extent(int fd, uint64_t pos, uint64_t end, uint64_t *data, uint64_t *hole)
{
    if (pos >= end)
        return 0;
    off_t d = lseek(fd, (off_t)pos, SEEK_DATA);
    if (d < 0) {
        if (errno == ENXIO)
            return 0;
        if (errno != EINVAL && errno != EOPNOTSUPP)
            return -1;
        /* No hole support: the whole range is data. */
        *data = pos;
        *hole = end;
        return 1;
    }
    if ((uint64_t)d >= end)
        return 0;
    off_t h = lseek(fd, d, SEEK_HOLE);
    if (h < 0) {
        if (errno != ENXIO)
            return -1;
        /* The file shrank between the two calls: the data ends where the file does. */
        h = (off_t)end;
    }
    *data = (uint64_t)d;
    *hole = (uint64_t)h < end ? (uint64_t)h : end;
    return 1;
}

int64_t
copy_data_bytes(int fd, uint64_t start, uint64_t end)
{
    uint64_t pos = start, data, hole, sum = 0;
    int found;
    while ((found = copy_next_extent(fd, pos, end, &data, &hole)) > 0) {
        sum += hole - data;
        pos = hole;
    }
    return found < 0 ? -1 : (int64_t)sum;
}

int
copy_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            /* A regular file accepts at least one byte or fails; treat "nothing" as no space. */
            errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

int
copy_pread_all(int fd, void *buf, size_t len, uint64_t offset)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = 0;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

void *
copy_buffer_alloc(size_t extra)
{
    void *buf = NULL;
    int rc = posix_memalign(&buf, 4096, COPY_BUFFER_SIZE + extra);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return buf;
}

int64_t
copy_file_size(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    if (S_ISREG(st.st_mode))
        return (int64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        uint64_t size;
        if (ioctl(fd, BLKGETSIZE64, &size) < 0)
            return -1;
        return (int64_t)size;
    }
    errno = EINVAL;
    return -1;
}

int
copy_sync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    /* Some filesystems cannot sync a directory; their metadata is then as durable as it gets. */
    if (rc < 0 && saved == EINVAL)
        rc = 0;
    errno = saved;
    return rc;
}
