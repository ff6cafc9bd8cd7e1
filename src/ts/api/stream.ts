import { VirStream, type StreamIO, type VirConnect, type VirStorageVol } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../errors/index.js';
import { checkConnect, checkNonNull, checkReadWrite, checkStorageVol, checkUInt, slot } from './check.js';

/**
 * Streams (libvirt-stream.c) and the volume operations that use them (virStorageVolUpload,
 * virStorageVolDownload in libvirt-storage.c). A stream is created unattached; the operation gives it the
 * driver's data path; the caller then sends (upload) or receives (download) and finishes or aborts it.
 *
 * libvirt's blocking calls return a Promise here: virStreamSend resolves with the bytes taken,
 * virStreamRecv with the bytes read (an empty buffer at the end of the stream).
 */
const FROM = ErrorDomain.VIR_FROM_STREAMS;
const STORAGE = ErrorDomain.VIR_FROM_STORAGE;

/** virStreamFlags. */
export const VIR_STREAM_NONBLOCK = 1;
/** virStorageVolUploadFlags / virStorageVolDownloadFlags. */
export const VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = 1;
export const VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM = 1;

/** The largest C unsigned long long. */
const ULLONG_MAX = (1n << 64n) - 1n;

export function checkStream(st: unknown, fn: string): asserts st is VirStream {
  if (!(st instanceof VirStream) || !st.alive || !st.conn.alive) throw virError(ErrorNumber.VIR_ERR_INVALID_STREAM, FROM, fn);
}

const notOpen = () => virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is not open');

/**
 * A new stream on `conn`. tsvirt's stream calls return promises, which is what a caller of a non-blocking
 * libvirt stream builds with its event loop; VIR_STREAM_NONBLOCK (-2 "would block" returns) is refused.
 */
export function virStreamNew(conn: VirConnect, flags: number): VirStream {
  checkConnect(conn, 'virStreamNew', FROM);
  checkUInt(flags, 'flags', 'virStreamNew', FROM);
  if (flags & ~VIR_STREAM_NONBLOCK)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `unsupported flags (0x${(flags >>> 0).toString(16)}) in function virStreamNew`);
  if (flags & VIR_STREAM_NONBLOCK)
    throw virError(
      ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED,
      FROM,
      "non-blocking streams are not supported: tsvirt's stream calls return promises (TypeScript) or block their thread (C)",
    );
  return new VirStream(conn, flags);
}

export function virStreamRef(st: VirStream): number {
  checkStream(st, 'virStreamRef');
  st.ref();
  return 0;
}

/** Drops the caller's reference; freeing the last reference of an open stream aborts its transfer. */
export function virStreamFree(st: VirStream): number {
  checkStream(st, 'virStreamFree');
  st.unref();
  return 0;
}

/**
 * Runs one call on the stream's data path. A failure closes the stream and undoes the transfer (abort), so
 * no later call can complete a transfer that lost data; the error is the driver's.
 */
async function onOpenStream<T>(st: VirStream, fn: string, call: (io: StreamIO) => Promise<T>, closes = false): Promise<T> {
  const io = st.io;
  if (!io) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, FROM, fn);
  if (st.state !== 'open') throw notOpen();
  if (st.busy) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'another call on this stream is still in progress');
  st.busy = true;
  try {
    const result = await call(io);
    if (closes) st.state = 'closed';
    return result;
  } catch (err) {
    if (st.state === 'open') {
      // The transfer is undone in the background: the error is the caller's at once (a daemon tells its
      // client without delay), and virStreamAbort, which libvirt's callers make after a failure, waits for it.
      st.state = 'closed';
      st.undoing = io.abort().catch(() => {});
    }
    throw toVirError(err, FROM);
  } finally {
    st.busy = false;
  }
}

/** Sends `data` into an upload stream; resolves with the number of bytes taken (all of them unless a length limit is reached). */
export async function virStreamSend(st: VirStream, data: Uint8Array): Promise<number> {
  checkStream(st, 'virStreamSend');
  checkNonNull(data, 'data', 'virStreamSend', FROM);
  if (!(data instanceof Uint8Array))
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `data in virStreamSend must be a Buffer or Uint8Array, not ${typeof data}`);
  return onOpenStream(st, 'virStreamSend', (io) => {
    if (!io.send) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is not open for sending: it is a download');
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return io.send(bytes);
  });
}

/** Reads up to `nbytes` from a download stream; an empty buffer means the end of the stream. */
export async function virStreamRecv(st: VirStream, nbytes: number): Promise<Buffer> {
  checkStream(st, 'virStreamRecv');
  if (typeof nbytes !== 'number' || !Number.isSafeInteger(nbytes) || nbytes < 0)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `nbytes in virStreamRecv must be a whole number of bytes`);
  return onOpenStream(st, 'virStreamRecv', (io) => {
    if (!io.recv) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is not open for receiving: it is an upload');
    if (nbytes === 0) return Promise.resolve(Buffer.alloc(0));
    return io.recv(nbytes);
  });
}

/**
 * Sparse streams: skips `length` bytes, a hole (libvirt's virStreamSendHole). Into an upload the hole reads
 * as zeros; on a download it moves past data the caller does not want (as libvirtd does after announcing a
 * hole it found with virStreamInData). `flags` must be 0.
 */
export async function virStreamSendHole(st: VirStream, length: number | bigint, flags: number): Promise<number> {
  checkStream(st, 'virStreamSendHole');
  if (!((typeof length === 'number' && Number.isSafeInteger(length) && length >= 0) || (typeof length === 'bigint' && length >= 0n)))
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, 'length in virStreamSendHole must be a whole number of bytes');
  checkUInt(flags, 'flags', 'virStreamSendHole', FROM);
  if (flags)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `unsupported flags (0x${(flags >>> 0).toString(16)}) in function virStreamSendHole`);
  const bytes = Number(length > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : length);
  await onOpenStream(st, 'virStreamSendHole', (io) => {
    if (!io.sendHole) throw notSparse();
    return io.sendHole(bytes);
  });
  return 0;
}

/** Sparse downloads: whether the stream's next bytes are data or a hole, and how many (libvirt's virStreamInData). */
export async function virStreamInData(st: VirStream): Promise<{ inData: boolean; length: number }> {
  checkStream(st, 'virStreamInData');
  return onOpenStream(st, 'virStreamInData', (io) => {
    if (!io.inData) throw notSparse();
    return io.inData();
  });
}

const notSparse = () =>
  virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is not sparse: open it with the SPARSE_STREAM flag');

/** Completes the transfer: an upload's data becomes the volume's only now. */
export async function virStreamFinish(st: VirStream): Promise<number> {
  checkStream(st, 'virStreamFinish');
  await onOpenStream(st, 'virStreamFinish', (io) => io.finish(), true);
  return 0;
}

/** Abandons the transfer: an upload leaves the volume as it was. A stream no operation used, or one already closed, is left as it is. */
export async function virStreamAbort(st: VirStream): Promise<number> {
  checkStream(st, 'virStreamAbort');
  const io = st.io;
  if (st.undoing) await st.undoing;
  if (!io || st.state !== 'open') return 0;
  st.state = 'closed';
  let failure: unknown = null;
  // Whoever else aborts meanwhile (a second caller, a failed call) waits for this same undo.
  st.undoing = io.abort().catch((err) => {
    failure = err;
  });
  await st.undoing;
  if (failure) throw toVirError(failure, FROM);
  return 0;
}

// ---- the volume operations that open a stream ----

/** An offset or length as C's unsigned long long: a whole number, or a bigint up to 2^64-1. */
function checkULongLong(value: unknown, arg: string, fn: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n && value <= ULLONG_MAX) return value;
  throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, STORAGE, `${arg} in ${fn} must be a whole number of bytes from 0 to 2^64-1`);
}

async function attach(
  fn: string,
  vol: VirStorageVol,
  st: VirStream,
  offset: number | bigint,
  length: number | bigint,
  flags: number,
  key: 'storageVolUpload' | 'storageVolDownload',
): Promise<number> {
  checkStorageVol(vol, fn);
  checkStream(st, fn);
  checkReadWrite(vol.conn, fn, STORAGE);
  if (vol.conn !== st.conn)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, STORAGE, `stream in ${fn} must match connection of volume '${vol.name}'`);
  const start = checkULongLong(offset, 'offset', fn);
  const limit = checkULongLong(length, 'length', fn);
  checkUInt(flags, 'flags', fn, STORAGE);
  if (st.state !== 'new') throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is already in use');
  const open = slot(vol.conn.drivers.storage, key, fn, STORAGE);
  st.state = 'open'; // taken now: a second operation on the same stream meanwhile is refused
  let io: StreamIO;
  try {
    io = await open(vol, start, limit, flags);
  } catch (err) {
    st.state = 'new';
    throw err;
  }
  if (!st.alive) {
    // Freed while the operation was being set up: nobody can use the transfer.
    await io.abort().catch(() => {});
    throw virError(ErrorNumber.VIR_ERR_INVALID_STREAM, FROM, fn);
  }
  st.io = io;
  return 0;
}

/**
 * Opens `st` to write into the volume from `offset`, at most `length` bytes (0: no limit). The volume
 * changes only when the stream is finished (virStreamFinish); an abort, an error or a lost client leave it
 * as it was. `flags`: VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM where the driver supports it.
 */
export function virStorageVolUpload(vol: VirStorageVol, st: VirStream, offset: number | bigint, length: number | bigint, flags: number): Promise<number> {
  return attach('virStorageVolUpload', vol, st, offset, length, flags, 'storageVolUpload');
}

/** Opens `st` to read the volume from `offset`, at most `length` bytes (0: to the end). Holes read as zeros. */
export function virStorageVolDownload(vol: VirStorageVol, st: VirStream, offset: number | bigint, length: number | bigint, flags: number): Promise<number> {
  return attach('virStorageVolDownload', vol, st, offset, length, flags, 'storageVolDownload');
}
