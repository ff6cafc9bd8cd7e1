import { Readable } from 'node:stream';
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
 * An upload into a volume in progress (`vol.openUpload()`): `send` the bytes, then `finish` (the volume
 * changes only now) or `abort` (it stays as it was). Freeing it, or losing it to the garbage collector,
 * while it is open aborts it.
 */
export class VolumeUpload extends Owned<VirStream> {
  #stopWatching: () => void = () => {};
  #aborted: VirError | null = null;

  /** @internal */
  static async open(vol: VirStorageVol, options: TransferOptions = {}): Promise<VolumeUpload> {
    const upload = new VolumeUpload(await openStream(vol, options, api.virStorageVolUpload, 'volume upload'));
    upload.#stopWatching = watch(options.signal, () => void upload.#cancel());
    return upload;
  }

  async #cancel(): Promise<void> {
    this.#aborted ??= aborted('volume upload');
    await api.virStreamAbort(this.handle).catch(() => {});
  }

  /** Sends all of `data` (virStreamSend until it is taken). Fails past the upload's length limit. */
  async send(data: Uint8Array | string): Promise<void> {
    if (this.#aborted) throw this.#aborted;
    let rest = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      while (rest.length) rest = rest.subarray(await api.virStreamSend(this.handle, rest));
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    }
  }

  /**
   * A sparse upload (opened with flags VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM): `length` bytes that read as
   * zeros, sent as a hole (virStreamSendHole) rather than as data.
   */
  async sendHole(length: number): Promise<void> {
    if (this.#aborted) throw this.#aborted;
    try {
      await api.virStreamSendHole(this.handle, length, 0);
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    }
  }

  /** Completes the upload (virStreamFinish): the volume now holds what was sent. */
  async finish(): Promise<void> {
    if (this.#aborted) throw this.#aborted;
    try {
      await api.virStreamFinish(this.handle);
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    } finally {
      this.#stopWatching();
    }
  }

  /** Abandons the upload (virStreamAbort): the volume stays as it was. Harmless once finished. */
  async abort(): Promise<void> {
    this.#stopWatching();
    await api.virStreamAbort(this.handle);
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
      this.#stopWatching();
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
export class VolumeDownload extends Owned<VirStream> implements AsyncIterable<Buffer> {
  #stopWatching: () => void = () => {};
  #aborted: VirError | null = null;
  #ended = false;
  /** Sparse reads: bytes of data known to lie ahead before asking virStreamInData again. */
  #dataAhead = 0;

  /** @internal */
  static async open(vol: VirStorageVol, options: TransferOptions = {}): Promise<VolumeDownload> {
    const download = new VolumeDownload(await openStream(vol, options, api.virStorageVolDownload, 'volume download'));
    download.#stopWatching = watch(options.signal, () => void download.#cancel());
    return download;
  }

  async #cancel(): Promise<void> {
    this.#aborted ??= aborted('volume download');
    await api.virStreamAbort(this.handle).catch(() => {});
  }

  /** The next bytes (at most `max`), or null at the end of the data (virStreamRecv). */
  async read(max = READ_SIZE): Promise<Buffer | null> {
    if (this.#aborted) throw this.#aborted;
    if (this.#ended) return null;
    try {
      const data = await api.virStreamRecv(this.handle, max);
      if (data.length > 0) return data;
      this.#ended = true;
      return null;
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    }
  }

  /**
   * A sparse download (opened with flags VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM): the next data (a Buffer
   * of at most `max` bytes), or the length of a hole (a number: that many bytes read as zeros, skipped), or
   * null at the end (virStreamInData, virStreamSendHole, virStreamRecv).
   */
  async readSparse(max = READ_SIZE): Promise<Buffer | number | null> {
    if (this.#aborted) throw this.#aborted;
    if (this.#ended) return null;
    if (this.#dataAhead === 0) {
      let ahead: { inData: boolean; length: number };
      try {
        ahead = await api.virStreamInData(this.handle);
        if (!ahead.inData && ahead.length > 0) {
          await api.virStreamSendHole(this.handle, ahead.length, 0);
          return ahead.length;
        }
      } catch (err) {
        await api.virStreamAbort(this.handle).catch(() => {});
        throw this.#aborted ?? err;
      }
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

  async finish(): Promise<void> {
    if (this.#aborted) throw this.#aborted;
    try {
      await api.virStreamFinish(this.handle);
    } catch (err) {
      await api.virStreamAbort(this.handle).catch(() => {});
      throw this.#aborted ?? err;
    } finally {
      this.#stopWatching();
    }
  }

  async abort(): Promise<void> {
    this.#stopWatching();
    await api.virStreamAbort(this.handle);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let done = false;
    try {
      for (let data = await this.read(); data; data = await this.read()) yield data;
      await this.finish();
      done = true;
    } finally {
      if (!done) await api.virStreamAbort(this.handle).catch(() => {});
      this.#stopWatching();
      this.free();
    }
  }

  /** A Node Readable of the data; destroying it aborts the download. */
  toReadable(): Readable {
    return Readable.from(this, { objectMode: false });
  }
}
