/*
 * Streams from C: a volume uploaded and downloaded back with virStreamSend/virStreamRecv and with
 * virStreamSendAll/virStreamRecvAll, byte for byte, and what each misuse answers.
 *
 * Usage: streams URI DIR [common]
 *   URI  the connection; its storage needs a pool: the test driver's "default-pool", else a transient
 *        directory pool "streams" made under DIR.
 * Prints one line per step: "NAME: RESULT" and, after a failure, the last error's code, domain and message.
 * A driver without volume transfers (libvirt's and tsvirt's test driver) prints the errors of the handle
 * and argument checks, then its refusal of virStorageVolUpload and virStorageVolDownload.  Exits 1 if a
 * transfer moved the wrong bytes.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB        (1024 * 1024)
#define UPLOADED   600000
#define SEND_CHUNK 70000
#define RECV_CHUNK 65536

static int failures;
static size_t volume_size = MiB; /* the volume's, once uploads grew it */
static int common_only;          /* argv[3] "common": only what libvirt's remote driver answers alike */
static unsigned char *pattern;   /* what the volume should hold from offset 0 */

static void
quiet(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

/* Prints "name: rc" and, when rc is -1, the error the call left. */
static void
show(const char *name, long long rc)
{
    virErrorPtr e = virGetLastError();
    if (rc == -1 && e)
        printf("%s: -1 code=%d domain=%d %s\n", name, e->code, e->domain, e->message ? e->message : "(null)");
    else if (rc == -1)
        printf("%s: -1 without an error\n", name);
    else
        printf("%s: %lld\n", name, rc);
}

static void
check(const char *name, int ok, const char *why)
{
    printf("%s: %s\n", name, ok ? "ok" : why);
    if (!ok)
        failures++;
}

static void
fill(unsigned char *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (unsigned char)(seed >> 16);
    }
}

/* Sends all of data, as libvirt's example does: virStreamSend may take less than it is given. */
static long long
send_all(virStreamPtr st, const unsigned char *data, size_t n, size_t chunk)
{
    size_t sent = 0;
    while (sent < n) {
        size_t want = n - sent < chunk ? n - sent : chunk;
        int done = virStreamSend(st, (const char *)data + sent, want);
        if (done < 0)
            return -1;
        sent += (size_t)done;
    }
    return (long long)sent;
}

/* Receives until the end of the stream into a new buffer; its length in *length. */
static unsigned char *
recv_all(virStreamPtr st, size_t *length, long long *rc)
{
    size_t size = MiB, used = 0;
    unsigned char *buf = malloc(size);
    for (;;) {
        if (used + RECV_CHUNK > size)
            buf = realloc(buf, size *= 2);
        int got = virStreamRecv(st, (char *)buf + used, RECV_CHUNK);
        if (got < 0) {
            *rc = -1;
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    *length = used;
    *rc = (long long)used;
    return buf;
}

static int
is_zero(const unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i])
            return 0;
    return 1;
}

/* ---- callbacks for virStreamSendAll and virStreamRecvAll ---- */

struct cursor {
    const unsigned char *data;
    size_t length, at;
    int fail_at_call; /* 1-based call that returns -1 with errno fail_errno; 0 never */
    int calls;
    int fail_errno;
};

static int
source(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
    (void)st;
    struct cursor *c = opaque;
    if (++c->calls == c->fail_at_call) {
        errno = c->fail_errno;
        return -1;
    }
    size_t n = c->length - c->at < nbytes ? c->length - c->at : nbytes;
    memcpy(data, c->data + c->at, n);
    c->at += n;
    return (int)n;
}

/* Checks what arrives against the cursor's data, consuming at most 1000 bytes a call (partial consumption). */
static int
sink(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
    (void)st;
    struct cursor *c = opaque;
    if (++c->calls == c->fail_at_call) {
        errno = c->fail_errno;
        return -1;
    }
    size_t n = nbytes < 1000 ? nbytes : 1000;
    if (c->at + n > c->length || memcmp(data, c->data + c->at, n) != 0)
        return -1;
    c->at += n;
    return (int)n;
}

/* ---- a sparse source and sink: SPARSE_LENGTH bytes, data in [0, 100000) and [700000, 800000), holes around ---- */

#define SPARSE_LENGTH (1024 * 1024)

struct sparse {
    const unsigned char *data; /* SPARSE_LENGTH bytes, zero in the holes */
    long long at;
    unsigned char *received; /* what the sink rebuilt */
    long long written;
    int holes;
};

static long long
section_end(long long at, int *in_data)
{
    static const long long starts[] = {0, 100000, 700000, 800000, SPARSE_LENGTH};
    for (int i = 0; i < 4; i++)
        if (at < starts[i + 1]) {
            *in_data = i % 2 == 0;
            return starts[i + 1];
        }
    *in_data = 0;
    return at;
}

static int
sparse_source(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
    (void)st;
    struct sparse *s = opaque;
    int in_data;
    long long end = section_end(s->at, &in_data);
    size_t n = (size_t)(end - s->at) < nbytes ? (size_t)(end - s->at) : nbytes;
    memcpy(data, s->data + s->at, n);
    s->at += (long long)n;
    return (int)n;
}

static int
sparse_hole(virStreamPtr st, int *in_data, long long *length, void *opaque)
{
    (void)st;
    struct sparse *s = opaque;
    *length = section_end(s->at, in_data) - s->at;
    return 0;
}

static int
sparse_skip(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    ((struct sparse *)opaque)->at += length;
    return 0;
}

static int
sparse_sink(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
    (void)st;
    struct sparse *s = opaque;
    if (s->written + (long long)nbytes > SPARSE_LENGTH)
        return -1;
    memcpy(s->received + s->written, data, nbytes);
    s->written += (long long)nbytes;
    return (int)nbytes;
}

static int
sparse_sink_hole(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    struct sparse *s = opaque;
    if (length < 0 || s->written + length > SPARSE_LENGTH)
        return -1;
    memset(s->received + s->written, 0, (size_t)length);
    s->written += length;
    s->holes++;
    return 0;
}

/* ---- the steps ---- */

static void
handle_errors(virConnectPtr conn)
{
    char buf[16] = {0};
    show("new-null-conn", virStreamNew(NULL, 0) ? 0 : -1);
    show("ref-null", virStreamRef(NULL));
    show("send-null", virStreamSend(NULL, buf, 1));
    show("recv-null", virStreamRecv(NULL, buf, 1));
    show("sendall-null", virStreamSendAll(NULL, source, NULL));
    show("recvall-null", virStreamRecvAll(NULL, sink, NULL));
    show("finish-null", virStreamFinish(NULL));
    show("abort-null", virStreamAbort(NULL));
    show("free-null", virStreamFree(NULL));

    virStreamPtr st = virStreamNew(conn, 0);
    show("new", st ? 0 : -1);
    show("send-null-data", virStreamSend(st, NULL, 1));
    show("recv-null-data", virStreamRecv(st, NULL, 1));
    show("sendall-null-handler", virStreamSendAll(st, NULL, NULL));
    show("recvall-null-handler", virStreamRecvAll(st, NULL, NULL));
    show("send-unattached", virStreamSend(st, buf, 1));
    show("recv-unattached", virStreamRecv(st, buf, 1));
    show("recvall-unattached", virStreamRecvAll(st, sink, &(struct cursor){0}));
    show("sendall-unattached-failing", virStreamSendAll(st, source, &(struct cursor){.fail_at_call = 1}));
    show("sendall-unattached-failing-errno",
         virStreamSendAll(st, source, &(struct cursor){.fail_at_call = 1, .fail_errno = EACCES}));
    show("finish-unattached", virStreamFinish(st));
    show("abort-unattached", virStreamAbort(st));
    show("ref", virStreamRef(st));
    show("free-first", virStreamFree(st));
    show("free-last", virStreamFree(st));
    show("send-freed", virStreamSend(st, buf, 1));
    show("recv-freed", virStreamRecv(st, buf, 1));
    show("finish-freed", virStreamFinish(st));
    show("free-freed", virStreamFree(st));
}

static virStoragePoolPtr
pick_pool(virConnectPtr conn, const char *dir)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "default-pool");
    if (pool)
        return pool;
    char xml[4400];
    snprintf(xml, sizeof xml, "<pool type='dir'><name>streams</name><target><path>%s/pool</path></target></pool>", dir);
    return virStoragePoolCreateXML(conn, xml, VIR_STORAGE_POOL_CREATE_WITH_BUILD);
}

static virStorageVolPtr
new_volume(virStoragePoolPtr pool, const char *name)
{
    char xml[512];
    snprintf(xml, sizeof xml,
             "<volume><name>%s</name><capacity unit='bytes'>%d</capacity><allocation>0</allocation>"
             "<target><format type='raw'/></target></volume>",
             name, MiB);
    return virStorageVolCreateXML(pool, xml, 0);
}

/* The volume's bytes from offset (length 0: to the end), downloaded with virStreamRecv. */
static unsigned char *
download(virConnectPtr conn, virStorageVolPtr vol, unsigned long long offset, unsigned long long length, size_t *got)
{
    virStreamPtr st = virStreamNew(conn, 0);
    long long rc = -1;
    unsigned char *bytes = NULL;
    if (virStorageVolDownload(vol, st, offset, length, 0) == 0 && (bytes = recv_all(st, got, &rc)) &&
        virStreamFinish(st) < 0) {
        free(bytes);
        bytes = NULL;
    }
    if (!bytes)
        show("download", -1);
    virStreamFree(st);
    return bytes;
}

static void
transfers(virConnectPtr conn, virStorageVolPtr vol)
{
    /* Send and Recv. */
    virStreamPtr st = virStreamNew(conn, 0);
    show("upload", virStorageVolUpload(vol, st, 0, 0, 0));
    show("send", send_all(st, pattern, UPLOADED, SEND_CHUNK));
    show("finish-upload", virStreamFinish(st));
    virStreamFree(st);

    st = virStreamNew(conn, 0);
    show("download", virStorageVolDownload(vol, st, 0, 0, 0));
    size_t length = 0;
    long long rc;
    unsigned char *bytes = recv_all(st, &length, &rc);
    show("recv", rc);
    check("recv-bytes", bytes && length == MiB && memcmp(bytes, pattern, UPLOADED) == 0, "differ");
    check("recv-tail-zero", bytes && length == MiB && is_zero(bytes + UPLOADED, MiB - UPLOADED), "not zero");
    free(bytes);
    char small[8];
    show("recv-at-end", virStreamRecv(st, small, sizeof small));
    show("finish-download", virStreamFinish(st));
    virStreamFree(st);

    /* SendAll over a range, RecvAll of the same range. */
    unsigned char *more = malloc(300000);
    fill(more, 300000, 7);
    memcpy(pattern + 100000, more, 300000);
    st = virStreamNew(conn, 0);
    struct cursor from = {.data = more, .length = 300000};
    show("upload-range", virStorageVolUpload(vol, st, 100000, 300000, 0));
    show("sendall", virStreamSendAll(st, source, &from));
    show("finish-sendall", virStreamFinish(st));
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    struct cursor into = {.data = more, .length = 300000};
    show("download-range", virStorageVolDownload(vol, st, 100000, 300000, 0));
    show("recvall", virStreamRecvAll(st, sink, &into));
    check("recvall-bytes", into.at == 300000, "short");
    show("finish-recvall", virStreamFinish(st));
    virStreamFree(st);
    free(more);
    bytes = download(conn, vol, 0, 0, &length);
    check("volume-bytes", bytes && length == MiB && memcmp(bytes, pattern, UPLOADED) == 0, "differ");
    free(bytes);

    /* Past the end of the volume: a download reads nothing, an upload grows it. */
    st = virStreamNew(conn, 0);
    show("download-past-end", virStorageVolDownload(vol, st, 2 * MiB, 0, 0));
    show("recv-past-end", virStreamRecv(st, small, sizeof small));
    show("finish-past-end", virStreamFinish(st));
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    show("upload-past-end", virStorageVolUpload(vol, st, 2 * MiB, 0, 0));
    show("send-past-end", virStreamSend(st, "tail", 4));
    show("finish-upload-past-end", virStreamFinish(st));
    virStreamFree(st);
    virStorageVolInfo info;
    show("info", virStorageVolGetInfo(vol, &info));
    printf("capacity: %llu\n", info.capacity);
    bytes = download(conn, vol, 2 * MiB - 2, 0, &length);
    check("grown-tail", bytes && length == 6 && memcmp(bytes, "\0\0tail", 6) == 0, "differ");
    free(bytes);
    volume_size = 2 * MiB + 4;
}

/* A sparse upload (virStreamSparseSendAll: holes sent with virStreamSendHole) and a sparse download
 * (virStreamSparseRecvAll: virStreamRecvFlags stopping at holes, virStreamRecvHole) of a volume of its own. */
static void
sparse_transfers(virConnectPtr conn, virStoragePoolPtr pool)
{
    unsigned char *data = calloc(1, SPARSE_LENGTH);
    fill(data, 100000, 3);
    fill(data + 700000, 100000, 5);
    virStorageVolPtr vol = new_volume(pool, "sparse.img");
    struct sparse from = {.data = data};
    virStreamPtr st = virStreamNew(conn, 0);
    show("sparse-upload", virStorageVolUpload(vol, st, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM));
    show("sparse-sendall", virStreamSparseSendAll(st, sparse_source, sparse_hole, sparse_skip, &from));
    show("sparse-finish-upload", virStreamFinish(st));
    virStreamFree(st);

    struct sparse into = {.received = malloc(SPARSE_LENGTH)};
    st = virStreamNew(conn, 0);
    show("sparse-download", virStorageVolDownload(vol, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM));
    show("sparse-recvall", virStreamSparseRecvAll(st, sparse_sink, sparse_sink_hole, &into));
    show("sparse-finish-download", virStreamFinish(st));
    virStreamFree(st);
    check("sparse-bytes", into.written == SPARSE_LENGTH && memcmp(into.received, data, SPARSE_LENGTH) == 0, "differ");
    check("sparse-holes", into.holes > 0, "no hole came as a hole");

    /* The calls underneath, one at a time.  Where a hole begins depends on the driver (libvirtd: the file's
     * holes; tsvirt: runs of 64 KiB zero blocks from where the download starts), so only how many data bytes
     * come before it is not printed.  Not in "common" mode. */
    if (common_only)
        goto done;
    st = virStreamNew(conn, 0);
    char buf[4096];
    long long hole = -1;
    show("sparse-download-steps", virStorageVolDownload(vol, st, 99990, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM));
    long long data_bytes = 0;
    int got;
    while ((got = virStreamRecvFlags(st, buf, sizeof buf, VIR_STREAM_RECV_STOP_AT_HOLE)) > 0)
        data_bytes += got;
    show("recvflags-until-hole", got);
    check("recvflags-data-first", data_bytes >= 10 && data_bytes < 700000 - 99990, "no data before the hole");
    show("recvhole", virStreamRecvHole(st, &hole, 0));
    check("recvhole-moved", hole > 0, "no hole");
    show("recvflags-bad-flags", virStreamRecvFlags(st, buf, sizeof buf, 2));
    show("recvhole-bad-flags", virStreamRecvHole(st, &hole, 1));
    show("sparse-abort", virStreamAbort(st));
    virStreamFree(st);

done:
    virStorageVolDelete(vol, 0);
    virStorageVolFree(vol);
    free(into.received);
    free(data);
}

/* What each misuse answers.  Not where libvirt's remote driver differs: it blocks for ever in a virStreamRecv on
 * an upload, and reports misuse later and in other words (docs/c-abi.md, "Streams"). */
static void
misuse(virConnectPtr conn, virStorageVolPtr vol)
{
    virStreamPtr st = virStreamNew(conn, 0);
    char small[8];
    size_t length = 0;
    unsigned char *bytes;
    show("upload-to-finish", virStorageVolUpload(vol, st, 0, 0, 0));
    show("finish-at-once", virStreamFinish(st));
    show("send-after-finish", virStreamSend(st, (const char *)pattern, 10));
    show("finish-again", virStreamFinish(st));
    show("abort-after-finish", virStreamAbort(st));
    virStreamFree(st);

    st = virStreamNew(conn, 0);
    show("upload-for-recv", virStorageVolUpload(vol, st, 0, 0, 0));
    show("recv-on-upload", virStreamRecv(st, small, sizeof small));
    show("abort-after-error", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    show("download-for-send", virStorageVolDownload(vol, st, 0, 0, 0));
    show("send-on-download", virStreamSend(st, "x", 1));
    show("abort-download", virStreamAbort(st));
    virStreamFree(st);

    st = virStreamNew(conn, 0);
    show("upload-twice-first", virStorageVolUpload(vol, st, 0, 0, 0));
    show("upload-twice-second", virStorageVolUpload(vol, st, 0, 0, 0));
    show("abort-twice", virStreamAbort(st));
    virStreamFree(st);

    /* An upload's length bounds what it takes.  A volume of its own: through a daemon, the failed upload may
     * still be undone there when the next call starts. */
    virStoragePoolPtr pool = virStoragePoolLookupByVolume(vol);
    virStorageVolPtr limited = new_volume(pool, "limited.img");
    virStoragePoolFree(pool);
    st = virStreamNew(conn, 0);
    show("upload-length-10", virStorageVolUpload(limited, st, 0, 10, 0));
    show("send-20-of-10", virStreamSend(st, "ABCDEFGHIJKLMNOPQRST", 20));
    show("send-past-length", virStreamSend(st, "U", 1));
    show("finish-past-length", virStreamFinish(st));
    virStreamFree(st);

    /* Aborted, failed or abandoned uploads leave the volume as it was. */
    st = virStreamNew(conn, 0);
    show("upload-to-abort", virStorageVolUpload(vol, st, 0, 0, 0));
    show("send-to-abort", virStreamSend(st, "garbage", 7));
    show("abort", virStreamAbort(st));
    show("send-after-abort", virStreamSend(st, "x", 1));
    virStreamFree(st);
    struct cursor failing = {.data = pattern, .length = UPLOADED, .fail_at_call = 2, .fail_errno = ENOSPC};
    st = virStreamNew(conn, 0);
    show("upload-failing-source", virStorageVolUpload(vol, st, 0, 0, 0));
    show("sendall-failing-source", virStreamSendAll(st, source, &failing));
    show("finish-after-failed-sendall", virStreamFinish(st));
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    show("upload-then-free", virStorageVolUpload(vol, st, 0, 0, 0));
    show("send-then-free", virStreamSend(st, "garbage", 7));
    show("free-open-upload", virStreamFree(st));
    st = virStreamNew(conn, 0);
    show("upload-after-free", virStorageVolUpload(vol, st, 0, 0, 0));
    show("abort-after-free", virStreamAbort(st));
    virStreamFree(st);
    bytes = download(conn, vol, 0, 0, &length);
    check("volume-unchanged", bytes && length == volume_size && memcmp(bytes, pattern, UPLOADED) == 0, "changed");
    free(bytes);

    struct cursor failing_sink = {.data = pattern, .length = MiB, .fail_at_call = 3, .fail_errno = EPIPE};
    st = virStreamNew(conn, 0);
    show("download-failing-sink", virStorageVolDownload(vol, st, 0, 0, 0));
    show("recvall-failing-sink", virStreamRecvAll(st, sink, &failing_sink));
    virStreamFree(st);

    virStorageVolDelete(limited, 0);
    virStorageVolFree(limited);

    /* A stream belongs to one connection. */
    virConnectPtr other = virConnectOpen(virConnectGetURI(conn));
    st = virStreamNew(other, 0);
    show("upload-other-conn", virStorageVolUpload(vol, st, 0, 0, 0));
    virStreamFree(st);
    virConnectClose(other);
}

/* Two threads, each uploading and downloading its own volume at once: each blocks only itself. */
struct worker {
    virConnectPtr conn;
    virStorageVolPtr vol;
    unsigned seed;
    int ok;
};

static void *
work(void *opaque)
{
    struct worker *w = opaque;
    unsigned char *data = malloc(3 * RECV_CHUNK + 5);
    fill(data, 3 * RECV_CHUNK + 5, w->seed);
    struct cursor from = {.data = data, .length = 3 * RECV_CHUNK + 5};
    virStreamPtr st = virStreamNew(w->conn, 0);
    w->ok = virStorageVolUpload(w->vol, st, 0, 0, 0) == 0 && virStreamSendAll(st, source, &from) == 0 &&
            virStreamFinish(st) == 0;
    virStreamFree(st);
    size_t length = 0;
    unsigned char *bytes = w->ok ? download(w->conn, w->vol, 0, 3 * RECV_CHUNK + 5, &length) : NULL;
    w->ok = bytes && length == 3 * RECV_CHUNK + 5 && memcmp(bytes, data, length) == 0;
    free(bytes);
    free(data);
    return NULL;
}

static void
threads(virConnectPtr conn, virStoragePoolPtr pool)
{
    struct worker w[2] = {{conn, new_volume(pool, "thread-a.img"), 11, 0},
                          {conn, new_volume(pool, "thread-b.img"), 13, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    check("threads", w[0].ok && w[1].ok, "a transfer failed");
    for (int i = 0; i < 2; i++) {
        virStorageVolDelete(w[i].vol, 0);
        virStorageVolFree(w[i].vol);
    }
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: streams URI DIR [common]\n");
        return 2;
    }
    common_only = argc > 3 && strcmp(argv[3], "common") == 0;
    virSetErrorFunc(NULL, quiet);
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], virGetLastErrorMessage());
        return 2;
    }
    handle_errors(conn);
    virStoragePoolPtr pool = pick_pool(conn, argv[2]);
    virStorageVolPtr vol = pool ? new_volume(pool, "streams.img") : NULL;
    if (!vol) {
        fprintf(stderr, "no volume: %s\n", virGetLastErrorMessage());
        return 2;
    }
    pattern = malloc(MiB);
    fill(pattern, UPLOADED, 1);
    memset(pattern + UPLOADED, 0, MiB - UPLOADED);

    virStreamPtr st = virStreamNew(conn, 0);
    show("upload-null-stream", virStorageVolUpload(vol, NULL, 0, 0, 0));
    show("upload-freed-vol", virStorageVolUpload(NULL, st, 0, 0, 0));
    show("upload-bad-flags", virStorageVolUpload(vol, st, 0, 0, 2));
    show("probe-upload", virStorageVolUpload(vol, st, 0, 0, 0));
    int supported = virGetLastErrorCode() != VIR_ERR_NO_SUPPORT;
    show("probe-abort", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(conn, 0);
    show("probe-download", virStorageVolDownload(vol, st, 0, 0, 0));
    show("probe-download-abort", virStreamAbort(st));
    virStreamFree(st);

    if (supported) {
        transfers(conn, vol);
        sparse_transfers(conn, pool);
        if (!common_only)
            misuse(conn, vol);
        threads(conn, pool);
    }
    virStorageVolDelete(vol, 0);
    virStorageVolFree(vol);
    if (strcmp(virStoragePoolGetName(pool), "streams") == 0)
        virStoragePoolDestroy(pool);
    virStoragePoolFree(pool);
    free(pattern);
    virConnectClose(conn);
    return failures ? 1 : 0;
}
