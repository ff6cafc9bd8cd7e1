/*
 * copy_wipe.c: overwrite a volume's data with the pass sequences of libvirt's wiping algorithms.
 *
 * libvirt hands every algorithm but ZERO to scrub(1); the sequences below are the ones scrub documents
 * for the same names. Random passes use xoshiro256** seeded from getrandom(): wiping needs data that
 * does not repeat the old content, not secrecy, and this generator keeps up with any disk.
 */
#include "copy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One pass: a repeating pattern of 1 or 3 bytes, or random data when len is 0. */
typedef struct {
    uint8_t len;
    uint8_t bytes[3];
} wipe_pass;

typedef struct {
    const wipe_pass *passes;
    unsigned int count;
    bool verify; /* read everything back and compare it with the last pass */
} wipe_method;

/* The pass tables read as the wipe standards print them: one pattern per entry, rows of eight. */
// clang-format off
#define RND {0, {0, 0, 0}}
#define BYTE(b) {1, {b, 0, 0}}
#define TRIPLE(a, b, c) {3, {a, b, c}}
#define RND4 RND, RND, RND, RND
#define PATTERN_SLACK 8   /* phase of a 3-byte pattern, and rounding of random data to 8-byte words */

static const wipe_pass zero_passes[] = {BYTE(0x00)};
static const wipe_pass nnsa_passes[] = {RND, RND, BYTE(0x00)};
static const wipe_pass dod_passes[] = {RND, BYTE(0x00), BYTE(0xff)};
static const wipe_pass bsi_passes[] = {
    BYTE(0xff), BYTE(0xfe), BYTE(0xfd), BYTE(0xfb), BYTE(0xf7), BYTE(0xef), BYTE(0xdf), BYTE(0xbf), BYTE(0x7f),
};
static const wipe_pass gutmann_passes[] = {
    RND4,
    BYTE(0x55), BYTE(0xaa),
    TRIPLE(0x92, 0x49, 0x24), TRIPLE(0x49, 0x24, 0x92), TRIPLE(0x24, 0x92, 0x49),
    BYTE(0x00), BYTE(0x11), BYTE(0x22), BYTE(0x33), BYTE(0x44), BYTE(0x55), BYTE(0x66), BYTE(0x77),
    BYTE(0x88), BYTE(0x99), BYTE(0xaa), BYTE(0xbb), BYTE(0xcc), BYTE(0xdd), BYTE(0xee), BYTE(0xff),
    TRIPLE(0x92, 0x49, 0x24), TRIPLE(0x49, 0x24, 0x92), TRIPLE(0x24, 0x92, 0x49),
    TRIPLE(0x6d, 0xb6, 0xdb), TRIPLE(0xb6, 0xdb, 0x6d), TRIPLE(0xdb, 0x6d, 0xb6),
    RND4,
};
static const wipe_pass schneier_passes[] = {BYTE(0x00), BYTE(0xff), RND4, RND};
static const wipe_pass pfitzner7_passes[] = {RND4, RND, RND, RND};
static const wipe_pass pfitzner33_passes[] = {RND4, RND4, RND4, RND4, RND4, RND4, RND4, RND4, RND};
static const wipe_pass random_passes[] = {RND};

#define METHOD(passes, verify) {passes, ARRAY_SIZE(passes), verify}
/* TRIM has no entry: copy.c refuses it before a worker starts. */
static const wipe_method methods[TSVIRT_WIPE_LAST] = {
    [TSVIRT_WIPE_ZERO] = METHOD(zero_passes, false),
    [TSVIRT_WIPE_NNSA] = METHOD(nnsa_passes, true),
    [TSVIRT_WIPE_DOD] = METHOD(dod_passes, true),
    [TSVIRT_WIPE_BSI] = METHOD(bsi_passes, false),
    [TSVIRT_WIPE_GUTMANN] = METHOD(gutmann_passes, false),
    [TSVIRT_WIPE_SCHNEIER] = METHOD(schneier_passes, false),
    [TSVIRT_WIPE_PFITZNER7] = METHOD(pfitzner7_passes, false),
    [TSVIRT_WIPE_PFITZNER33] = METHOD(pfitzner33_passes, false),
    [TSVIRT_WIPE_RANDOM] = METHOD(random_passes, false),
};
// clang-format on

typedef struct {
    uint64_t s[4];
} xoshiro;

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
xoshiro_next(xoshiro *g)
{
    uint64_t result = rotl(g->s[1] * 5, 7) * 9;
    uint64_t t = g->s[1] << 17;
    g->s[2] ^= g->s[0];
    g->s[3] ^= g->s[1];
    g->s[1] ^= g->s[2];
    g->s[0] ^= g->s[3];
    g->s[2] ^= t;
    g->s[3] = rotl(g->s[3], 45);
    return result;
}

typedef struct {
    tsvirt_copy_task *task;
    int fd;
    uint64_t start;
    uint64_t end;
    uint8_t *pattern; /* the current pass's bytes, from phase 0, PATTERN_SLACK bytes longer than a step */
    uint8_t *check;   /* verify pass */
    bool probe;       /* the page cache can be probed (copy_await_data) */
    xoshiro rng;
    copy_pacer pacer;
    copy_flusher flusher;
} wipe_ctx;

static void
fill_pattern(uint8_t *buf, const wipe_pass *pass)
{
    for (size_t i = 0; i < COPY_BUFFER_SIZE + PATTERN_SLACK; i++)
        buf[i] = pass->bytes[i % pass->len];
}

static void
fill_random(wipe_ctx *c, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t word = xoshiro_next(&c->rng);
        memcpy(c->pattern + i, &word, 8);
    }
}

/* The bytes to write at `pos` for `len` bytes of `pass`. */
static const uint8_t *
pass_bytes(wipe_ctx *c, const wipe_pass *pass, uint64_t pos, size_t len)
{
    if (pass->len == 0) {
        fill_random(c, len);
        return c->pattern;
    }
    return c->pattern + pos % pass->len;
}

static int
wipe_write_pass(wipe_ctx *c, const wipe_pass *pass)
{
    tsvirt_copy_task *task = c->task;
    uint64_t pos = c->start, data, hole;
    int found;

    if (pass->len)
        fill_pattern(c->pattern, pass);
    copy_flusher_init(&c->flusher, c->fd);
    while ((found = copy_next_extent(c->fd, pos, c->end, &data, &hole)) > 0) {
        for (pos = data; pos < hole;) {
            if (copy_cancelled(task))
                return TSVIRT_COPY_CANCELLED;
            size_t len = (size_t)copy_pacer_begin(&c->pacer, hole - pos);
            if (copy_pwrite_all(c->fd, pass_bytes(c, pass, pos, len), len, pos) < 0)
                return copy_fail(task, errno, "Failed to write %zu bytes to storage volume with path '%s'", len,
                                 task->target);
            if (copy_flusher_push(&c->flusher, pos, pos + len) < 0)
                return copy_fail(task, errno, "cannot sync data to volume with path '%s'", task->target);
            copy_pacer_end(&c->pacer, len);
            copy_add_processed(task, len);
            pos += len;
        }
    }
    if (found < 0)
        return copy_fail(task, errno, "Failed to seek to the start in volume with path '%s'", task->target);
    /* Each pass must reach the disk: the page cache would otherwise merge all passes into the last. */
    if (fdatasync(c->fd) < 0)
        return copy_fail(task, errno, "cannot sync data to volume with path '%s'", task->target);
    return TSVIRT_COPY_RUNNING;
}

static int
wipe_verify(wipe_ctx *c, const wipe_pass *last)
{
    tsvirt_copy_task *task = c->task;
    uint64_t pos = c->start, data, hole;
    int found;

    if (!(c->check = copy_buffer_alloc(0)))
        return copy_fail(task, errno, "cannot allocate a buffer to verify '%s'", task->target);
    /* Read what the disk holds, not what the page cache remembers. */
    posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
    copy_read_paced(c->fd);
    while ((found = copy_next_extent(c->fd, pos, c->end, &data, &hole)) > 0) {
        for (pos = data; pos < hole;) {
            if (copy_cancelled(task))
                return TSVIRT_COPY_CANCELLED;
            size_t len = (size_t)copy_pacer_begin(&c->pacer, hole - pos);
            if (copy_await_data(task, c->fd, pos, len, hole, &c->probe))
                return TSVIRT_COPY_CANCELLED;
            if (copy_pread_all(c->fd, c->check, len, pos) < 0)
                return copy_fail(task, errno ? errno : EIO, "cannot read back storage volume with path '%s'",
                                 task->target);
            if (memcmp(c->check, c->pattern + pos % last->len, len) != 0)
                return copy_fail_plain(task, EIO,
                                       "storage volume with path '%s' does not hold the wiped pattern after "
                                       "offset %llu",
                                       task->target, (unsigned long long)pos);
            copy_pacer_end(&c->pacer, len);
            copy_add_processed(task, len);
            pos += len;
        }
    }
    if (found < 0)
        return copy_fail(task, errno, "Failed to seek to the start in volume with path '%s'", task->target);
    return TSVIRT_COPY_RUNNING;
}

static int
wipe_run(wipe_ctx *c)
{
    tsvirt_copy_task *task = c->task;
    const wipe_method *method = &methods[task->algorithm];
    struct stat st;

    if ((c->fd = open(task->target, O_RDWR | O_CLOEXEC)) < 0)
        return copy_fail(task, errno, "Failed to open storage volume with path '%s'", task->target);
    if (fstat(c->fd, &st) < 0)
        return copy_fail(task, errno, "Failed to stat storage volume with path '%s'", task->target);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return copy_fail_plain(task, EINVAL, "cannot wipe '%s': not a regular file or block device", task->target);
    int64_t size = copy_file_size(c->fd);
    if (size < 0)
        return copy_fail(task, errno, "Failed to stat storage volume with path '%s'", task->target);
    c->start = task->offset < (uint64_t)size ? task->offset : (uint64_t)size;
    c->end = (uint64_t)size;
    if (task->length && task->length < c->end - c->start)
        c->end = c->start + task->length;

    int64_t data = copy_data_bytes(c->fd, c->start, c->end);
    if (data < 0)
        return copy_fail(task, errno, "Failed to seek to the start in volume with path '%s'", task->target);
    copy_set_total(task, (uint64_t)data * (method->count + (method->verify ? 1 : 0)));

    if (!(c->pattern = copy_buffer_alloc(PATTERN_SLACK)))
        return copy_fail(task, errno, "cannot allocate a buffer to wipe '%s'", task->target);
    if (getrandom(c->rng.s, sizeof(c->rng.s), 0) != (ssize_t)sizeof(c->rng.s))
        return copy_fail(task, errno, "cannot seed random data to wipe '%s'", task->target);
    copy_pacer_init(&c->pacer, COPY_BUFFER_SIZE);

    for (unsigned int i = 0; i < method->count; i++) {
        int state = wipe_write_pass(c, &method->passes[i]);
        if (state != TSVIRT_COPY_RUNNING)
            return state;
    }
    if (method->verify) {
        int state = wipe_verify(c, &method->passes[method->count - 1]);
        if (state != TSVIRT_COPY_RUNNING)
            return state;
    }
    int rc = close(c->fd);
    c->fd = -1;
    if (rc < 0)
        return copy_fail(task, errno, "cannot close file '%s'", task->target);
    return TSVIRT_COPY_DONE;
}

int
copy_run_wipe(tsvirt_copy_task *task)
{
    wipe_ctx c = {.task = task, .fd = -1, .probe = true};
    int state = wipe_run(&c);
    if (c.fd >= 0)
        close(c.fd);
    free(c.pattern);
    free(c.check);
    return state;
}
