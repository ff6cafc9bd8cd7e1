import type { Readable } from 'node:stream';
import * as api from '../api/stream.js';
import type { VirStorageVol, VirStream } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, virError, type VirError } from '../errors/index.js';
import { Owned } from './owned.js';

/** Where and how much: `offset` into the volume, at most `length` bytes (0 or absent: no limit). */
export interface TransferOptions {
  offset?: number | bigint;
  length?: number | bigint;
  /** virStorageVolUploadFlags / virStorageVolDownloadFlags. */
  flags?: number;
  /** Aborting it abandons the transfer: an upload leaves the volume as it was. */
  signal?: AbortSignal;
}

/** What an upload reads from: a Node stream, any (async) iterable of bytes, or the bytes themselves. */
export type UploadSource = Readable | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array> | Uint8Array | string;

/** Bytes read from the volume per read of a download, unless asked otherwise: the daemon's packet size. */
const READ_SIZE = 262144 - 24;

function aborted(what: string): VirError {
  return virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_STREAMS, `${what} canceled by client`);
}

/**
 * Opens a stream and has `open` attach it to the volume (virStreamNew, then virStorageVolUpload or
 * virStorageVolDownload). The stream is freed if that fails.
 */
async function openStream(
  vol: VirStorageVol,
  options: TransferOptions,
  open: typeof api.virStorageVolUpload,
  what: string,
): Promise<VirStream> {
  if (options.signal?.aborted) throw aborted(what);
  const st = api.virStreamNew(vol.conn, 0);
  try {
    await open(vol, st, options.offset ?? 0, options.length ?? 0, options.flags ?? 0);
  } catch (err) {
    api.virStreamFree(st);
    throw err;
  }
  return st;
}

/** Calls `onAbort` when the signal fires; returns how to stop listening. */
function watch(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * What an upload and a download share: the stream, the AbortSignal that cancels it, and the rule that a call
 * that fails aborts the stream (the volume stays as it was) and throws the cancel's error when there was one.
 */
abstract class VolumeTransfer extends Owned<VirStream> {
  #stopWatching: () => void = () => {};
  #aborted: VirError | null = null;

  protected watch(signal: AbortSignal | undefined, what: string): void {
    this.#stopWatching = watch(signal, () => {
      this.#aborted ??= aborted(what);
      void api.virStreamAbort(this.handle).catch(() => {});
    });
  }

  /** Runs one stream call; if it fails, the stream is aborted and the error (or the cancel's) thrown. */
  protected async step<T>(call: () => Promise<T>): Promise<T> {
    if (this.#aborted) throw this.#aborted;
    try {
      return await call();
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    }
  }

  protected stopWatching(): void {
    this.#stopWatching();
  }

  /** Completes the transfer (virStreamFinish): for an upload, the volume now holds what was sent. */
  async finish(): Promise<void> {
    try {
      await this.step(() => api.virStreamFinish(this.handle));
    } finally {
      this.#stopWatching();
    }
  }

  /** Abandons the transfer (virStreamAbort): an upload leaves the volume as it was. Harmless once finished. */
  async abort(): Promise<void> {
    this.#stopWatching();
    await api.virStreamAbort(this.handle);
  }
}

/**
 * An upload into a volume in progress (`vol.openUpload()`): `send` the bytes, then `finish` (the volume
 * changes only now) or `abort` (it stays as it was). Freeing it, or losing it to the garbage collector,
 * while it is open aborts it.
 */
export class VolumeUpload extends VolumeTransfer {
  /** @internal */
  static async open(vol: VirStorageVol, options: TransferOptions = {}): Promise<VolumeUpload> {
    const upload = new VolumeUpload(await openStream(vol, options, api.virStorageVolUpload, 'volume upload'));
    upload.watch(options.signal, 'volume upload');
    return upload;
  }

  /** Sends all of `data` (virStreamSend until it is taken). Fails past the upload's length limit. */
  async send(data: Uint8Array | string): Promise<void> {
    let rest = typeof data === 'string' ? Buffer.from(data) : data;
    await this.step(async () => {
      while (rest.length) rest = rest.subarray(await api.virStreamSend(this.handle, rest));
    });
  }

  /**
   * A sparse upload (opened with flags VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM): `length` bytes that read as
   * zeros, sent as a hole (virStreamSendHole) rather than as data.
   */
  async sendHole(length: number): Promise<void> {
    await this.step(() => api.virStreamSendHole(this.handle, length, 0));
  }

  /** Sends everything `source` yields, then finishes; on any failure the upload is aborted and the error thrown. */
  async sendAll(source: UploadSource): Promise<void> {
    try {
      for await (const chunk of chunks(source)) await this.send(chunk);
      await this.finish();
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw err;
    } finally {
      this.stopWatching();
    }
  }
}

async function* chunks(source: UploadSource): AsyncIterable<Uint8Array | string> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source as AsyncIterable<Uint8Array | string>;
}

/**
 * A download from a volume in progress (`vol.openDownload()`): `read` until it gives null, then `finish`.
 * It is async-iterable (finishing at the end, aborting if the loop is left early) and `toReadable()` gives
 * a Node Readable.
 */
export class VolumeDownload extends VolumeTransfer implements AsyncIterable<Buffer> {
  #ended = false;
  /** Sparse reads: bytes of data known to lie ahead before asking virStreamInData again. */
  #dataAhead = 0;

  /** @internal */
  static async open(vol: VirStorageVol, options: TransferOptions = {}): Promise<VolumeDownload> {
    const download = new VolumeDownload(await openStream(vol, options, api.virStorageVolDownload, 'volume download'));
    download.watch(options.signal, 'volume download');
    return download;
  }

  /** The next bytes (at most `max`), or null at the end of the data (virStreamRecv). */
  async read(max = READ_SIZE): Promise<Buffer | null> {
    if (this.#ended) return this.step(async () => null);
    const data = await this.step(() => api.virStreamRecv(this.handle, max));
    if (data.length > 0) return data;
    this.#ended = true;
    return null;
  }

  /**
   * A sparse download (opened with flags VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM): the next data (a Buffer
   * of at most `max` bytes), or the length of a hole (a number: that many bytes read as zeros, skipped), or
   * null at the end (virStreamInData, virStreamSendHole, virStreamRecv).
   */
  async readSparse(max = READ_SIZE): Promise<Buffer | number | null> {
    if (this.#ended) return this.step(async () => null);
    if (this.#dataAhead === 0) {
      const ahead = await this.step(async () => {
        const found = await api.virStreamInData(this.handle);
        if (!found.inData && found.length > 0) await api.virStreamSendHole(this.handle, found.length, 0);
        return found;
      });
      if (!ahead.inData && ahead.length > 0) return ahead.length;
      if (ahead.length === 0) {
        this.#ended = true;
        return null;
      }
      this.#dataAhead = ahead.length;
    }
    const data = await this.read(Math.min(max, this.#dataAhead));
    this.#dataAhead = data ? this.#dataAhead - data.length : 0;
    return data;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let done = false;
    try {
      for (let data = await this.read(); data; data = await this.read()) yield data;
      await this.finish();
      done = true;
    } finally {
      if (!done) await api.virStreamAbort(this.handle).catch(() => {});
      this.stopWatching();
      this.free();
    }
  }

  /** A Node Readable of the data; destroying it aborts the download. */
  toReadable(): Readable {
    return readableOf(this);
  }
}

/**
 * A byte Readable of `data`. node:stream loads here, on first use: a short tsvirsh command on a local driver
 * never needs it (~1 ms of its start).
 */
export function readableOf(data: AsyncIterable<Buffer>): Readable {
  return process.getBuiltinModule('node:stream').Readable.from(data, { objectMode: false });
}
