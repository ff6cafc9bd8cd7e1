/*
 * libvirt-stream.h: streams, the data path of volume uploads and downloads.
 *
 * A stream is made unattached by virStreamNew(); virStorageVolUpload() or
 * virStorageVolDownload() attach it to a transfer; the caller then sends or
 * receives, and ends the transfer with virStreamFinish() (success is known
 * only then) or virStreamAbort(), and releases the stream with
 * virStreamFree().  Calls block the calling thread only, as libvirt's do;
 * on the thread that runs tsvirt's drivers (Node's JavaScript thread) the
 * calls that wait fail at once with VIR_ERR_OPERATION_INVALID.  Buffers stay
 * the caller's: what virStreamSend() takes is copied before it returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_STREAM_H
# define LIBVIRT_STREAM_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* Flags for virStreamNew(). */
typedef enum {
    VIR_STREAM_NONBLOCK = (1 << 0),     /* -2 instead of waiting (refused: tsvirt's streams block) */
} virStreamFlags;

/* Returns a new stream on conn, attached to nothing yet (release with
 * virStreamFree()), or NULL on error.  flags: virStreamFlags; tsvirt refuses
 * VIR_STREAM_NONBLOCK with VIR_ERR_ARGUMENT_UNSUPPORTED. */
virStreamPtr virStreamNew(virConnectPtr conn,
                          unsigned int flags);

/* Adds a reference to st, to be released with virStreamFree().  Returns 0,
 * or -1 on error. */
int virStreamRef(virStreamPtr st);

/* Writes up to nbytes of data into an upload.  Blocks until the stream took
 * them; data is the caller's again when it returns.  Returns the number of
 * bytes taken (fewer than nbytes once the upload's length is reached), or
 * -1 on error, after which the transfer is aborted. */
int virStreamSend(virStreamPtr st,
                  const char *data,
                  size_t nbytes);

/* Reads up to nbytes of a download into data.  Blocks until some are there.
 * Returns the number of bytes read, 0 at the end of the stream (then call
 * virStreamFinish()), or -1 on error, after which the transfer is aborted. */
int virStreamRecv(virStreamPtr st,
                  char *data,
                  size_t nbytes);

/* Flags for virStreamRecvFlags(). */
typedef enum {
    VIR_STREAM_RECV_STOP_AT_HOLE = (1 << 0),    /* return -3 where a hole starts */
} virStreamRecvFlagsValues;

/* virStreamRecv() with flags (virStreamRecvFlagsValues).  On a sparse
 * download (VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM), with
 * VIR_STREAM_RECV_STOP_AT_HOLE, returns -3 where a hole comes next (then
 * take it with virStreamRecvHole()); without it, or on a stream that is not
 * sparse, holes read as zeros. */
int virStreamRecvFlags(virStreamPtr st,
                       char *data,
                       size_t nbytes,
                       unsigned int flags);

/* Sparse uploads: sends a hole of length bytes, which the volume reads as
 * zeros, without sending them.  flags: none, pass 0.  Returns 0, or -1 on
 * error. */
int virStreamSendHole(virStreamPtr st,
                      long long length,
                      unsigned int flags);

/* Sparse downloads: after virStreamRecvFlags() returned -3, moves past the
 * hole and stores its length in *length (0 when no hole comes next).  flags:
 * none, pass 0.  Returns 0, or -1 on error. */
int virStreamRecvHole(virStreamPtr st,
                      long long *length,
                      unsigned int flags);

/* Fills data with up to nbytes for virStreamSendAll(): returns how many it
 * filled, 0 at the end of the source, -1 to abort the transfer. */
typedef int (*virStreamSourceFunc)(virStreamPtr st,
                                   char *data,
                                   size_t nbytes,
                                   void *opaque);

/* Sends everything handler supplies, until it returns 0.  Returns 0 (then
 * call virStreamFinish()), or -1 on error with the transfer aborted. */
int virStreamSendAll(virStreamPtr st,
                     virStreamSourceFunc handler,
                     void *opaque);

/* For virStreamSparseSendAll(): stores in *inData whether the source is in
 * data (1) or in a hole (0) and in *length how long that lasts (both 0 at the
 * end), without moving.  Returns 0, or -1 to abort the transfer. */
typedef int (*virStreamSourceHoleFunc)(virStreamPtr st,
                                       int *inData,
                                       long long *length,
                                       void *opaque);

/* For virStreamSparseSendAll(): moves the source past a hole of length
 * bytes.  Returns 0, or -1 to abort the transfer. */
typedef int (*virStreamSourceSkipFunc)(virStreamPtr st,
                                       long long length,
                                       void *opaque);

/* virStreamSendAll() for sparse uploads: holes the source reports are sent
 * with virStreamSendHole() and skipped, not read.  Returns 0 (then call
 * virStreamFinish()), or -1 on error with the transfer aborted. */
int virStreamSparseSendAll(virStreamPtr st,
                           virStreamSourceFunc handler,
                           virStreamSourceHoleFunc holeHandler,
                           virStreamSourceSkipFunc skipHandler,
                           void *opaque);

/* Consumes up to nbytes of data for virStreamRecvAll(): returns how many it
 * consumed, -1 to abort the transfer. */
typedef int (*virStreamSinkFunc)(virStreamPtr st,
                                 const char *data,
                                 size_t nbytes,
                                 void *opaque);

/* Hands everything the stream carries to handler, until its end.  Returns 0
 * (then call virStreamFinish()), or -1 on error with the transfer aborted. */
int virStreamRecvAll(virStreamPtr st,
                     virStreamSinkFunc handler,
                     void *opaque);

/* For virStreamSparseRecvAll(): makes a hole of length bytes in the sink.
 * Returns 0, or -1 to abort the transfer. */
typedef int (*virStreamSinkHoleFunc)(virStreamPtr st,
                                     long long length,
                                     void *opaque);

/* virStreamRecvAll() for sparse downloads: data goes to handler, holes to
 * holeHandler.  Returns 0 (then call virStreamFinish()), or -1 on error with
 * the transfer aborted. */
int virStreamSparseRecvAll(virStreamPtr stream,
                           virStreamSinkFunc handler,
                           virStreamSinkHoleFunc holeHandler,
                           void *opaque);

/* Ends the transfer: an upload's data is the volume's once this returns 0.
 * Returns 0, or -1 on error (the transfer is then undone). */
int virStreamFinish(virStreamPtr st);

/* Abandons the transfer: an upload leaves the volume as it was.  A stream
 * that was never attached, or is already finished, is left as it is.
 * Returns 0, or -1 on error. */
int virStreamAbort(virStreamPtr st);

/* Releases a reference to st; releasing the last one of a stream still
 * transferring aborts the transfer.  Returns 0, or -1 on error. */
int virStreamFree(virStreamPtr st);

#endif /* LIBVIRT_STREAM_H */
