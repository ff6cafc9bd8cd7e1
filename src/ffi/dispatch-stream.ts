import { checkNonNull, checkStorageVol } from '../ts/api/check.js';
import * as api from '../ts/api/stream.js';
import { checkStream } from '../ts/api/stream.js';
import type { VirStream } from '../ts/core/handles.js';
import { virStreamRecvFlagsValues } from '../ts/core/enums.generated.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../ts/errors/index.js';
import { writeOut, type Call, type Handlers } from './call.js';

/**
 * libvirt-stream.h and the two volume functions that open a stream, served by src/ts/api/stream.ts.
 *
 * Every call that moves data answers later (a Promise), so it waits on the caller's thread and is refused
 * on the JavaScript thread (Call.mayWait), after the handle check as libvirt orders its checks. The
 * caller's buffers are touched only while the caller waits: virStreamSend copies the caller's bytes at
 * once, virStreamRecv copies what it read into the caller's buffer before the call is settled.
 */
const FROM = ErrorDomain.VIR_FROM_STREAMS;

/** The most one virStreamSend takes or one virStreamRecv returns (both may do less than asked, as libvirt's
 * do): one allocation per call stays bounded whatever size_t the caller passes. */
const CHUNK_MAX = 4 << 20;

/** A size_t that arrived as a long long: past LLONG_MAX it reads as negative, and means "as much as possible". */
const bounded = (nbytes: number): number => (nbytes < 0 || nbytes > CHUNK_MAX ? CHUNK_MAX : nbytes);

/** An unsigned long long that arrived as a long long: negative values are the top half of its range. */
const unsigned64 = (n: number): bigint => (n < 0 ? BigInt(n) + (1n << 64n) : BigInt(n));

/**
 * A failed call aborts its transfer in the background (src/ts/api/stream.ts), which a TypeScript caller
 * awaits with virStreamAbort. libvirt's C callers are told the stream is aborted once the call returns and
 * often only free it: so the call returns once the transfer is undone, and the volume is free again for
 * the next upload.
 */
function undoneOnFailure<T>(st: VirStream, result: Promise<T>): Promise<T> {
  return result.catch(async (err: unknown) => {
    await st.undoing;
    throw err;
  });
}

/** virStreamRecvFlags' answer where a hole comes next (VIR_STREAM_RECV_STOP_AT_HOLE). */
const RECV_HOLE = -3;
const { VIR_STREAM_RECV_STOP_AT_HOLE } = virStreamRecvFlagsValues;

/**
 * Flags of a stream call: libvirt checks them in the stream's driver, so a stream no operation opened gets
 * "not supported" first.
 */
function driverFlags(c: Call, st: VirStream, flags: number, known: number): void {
  if (!st.io) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, FROM, c.name);
  if (flags & ~known)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `unsupported flags (0x${(flags >>> 0).toString(16)}) in function ${c.name}`);
}

function waitingOnStream(c: Call, st: unknown): void {
  checkStream(st, c.name);
  c.mayWait();
}

export const streamHandlers = {
  virStreamNew: ({ conn, flags }) => api.virStreamNew(conn, flags),
  virStreamRef: ({ st }) => api.virStreamRef(st),
  // Freeing the last reference of an open stream aborts its transfer: a caller on its own thread returns once
  // it is undone, as libvirt's does, so that the volume is free for the next upload at once.
  virStreamFree({ st }, c) {
    const result = api.virStreamFree(st);
    return c.foreign && !st.alive && st.undoing ? st.undoing.then(() => result) : result;
  },
  // Not async: the checks above the first await must throw to the dispatcher, so that a call on the
  // JavaScript thread is refused rather than started.
  virStreamSend({ st, data, nbytes }, c) {
    checkStream(st, c.name);
    checkNonNull(data, 'data', c.name, FROM);
    c.mayWait();
    return undoneOnFailure(st, api.virStreamSend(st, c.copyIn(bounded(nbytes))));
  },
  virStreamRecv({ st, data, nbytes }, c) {
    checkStream(st, c.name);
    checkNonNull(data, 'data', c.name, FROM);
    c.mayWait();
    const received = api.virStreamRecv(st, bounded(nbytes)).then((bytes) => {
      c.copyOut(bytes);
      return bytes.length;
    });
    return undoneOnFailure(st, received);
  },
  virStreamRecvFlags({ st, data, nbytes, flags }, c) {
    checkStream(st, c.name);
    checkNonNull(data, 'data', c.name, FROM);
    driverFlags(c, st, flags, VIR_STREAM_RECV_STOP_AT_HOLE);
    c.mayWait();
    const received = (async () => {
      let max = bounded(nbytes);
      // Only a sparse download knows holes; on any other stream they read as zeros, as libvirt's.
      if (flags & VIR_STREAM_RECV_STOP_AT_HOLE && st.io?.inData) {
        const next = await api.virStreamInData(st);
        if (!next.inData && next.length > 0) return RECV_HOLE;
        if (next.inData) max = Math.min(max, next.length);
      }
      const bytes = await api.virStreamRecv(st, max);
      c.copyOut(bytes);
      return bytes.length;
    })();
    return undoneOnFailure(st, received);
  },
  virStreamSendHole({ st, length, flags }, c) {
    checkStream(st, c.name);
    driverFlags(c, st, flags, 0);
    c.mayWait();
    return undoneOnFailure(st, api.virStreamSendHole(st, length, flags));
  },
  virStreamRecvHole({ st, length, flags }, c) {
    checkStream(st, c.name);
    checkNonNull(length, 'length', c.name, FROM);
    driverFlags(c, st, flags, 0);
    c.mayWait();
    const taken = (async () => {
      const next = await api.virStreamInData(st);
      const hole = !next.inData ? next.length : 0;
      if (hole > 0) await api.virStreamSendHole(st, hole, 0);
      writeOut(length, 'long long', hole);
      return 0;
    })();
    return undoneOnFailure(st, taken);
  },
  virStreamFinish({ st }, c) {
    waitingOnStream(c, st);
    return undoneOnFailure(st, api.virStreamFinish(st));
  },
  virStreamAbort({ st }, c) {
    waitingOnStream(c, st);
    return api.virStreamAbort(st);
  },
  virStorageVolUpload({ vol, stream, offset, length, flags }, c) {
    checkStorageVol(vol, c.name);
    c.mayWait();
    return api.virStorageVolUpload(vol, stream, unsigned64(offset), unsigned64(length), flags);
  },
  virStorageVolDownload({ vol, stream, offset, length, flags }, c) {
    checkStorageVol(vol, c.name);
    c.mayWait();
    return api.virStorageVolDownload(vol, stream, unsigned64(offset), unsigned64(length), flags);
  },
} satisfies Partial<Handlers>;
