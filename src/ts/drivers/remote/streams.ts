// Streams of a remote connection: the client side of libvirt's stream protocol, for the calls that open
// one (STORAGE_VOL_UPLOAD, STORAGE_VOL_DOWNLOAD). Every packet of a stream carries the program, procedure
// and serial of the CALL that opened it (the daemon's side: src/ts/daemon/client-streams.ts):
//
//   upload:   CALL → REPLY → STREAM/CONTINUE data ... (STREAM_HOLE when sparse) → STREAM/OK → daemon's STREAM/OK
//   download: CALL → REPLY → daemon's STREAM/CONTINUE data ... → empty STREAM/CONTINUE (the end)
//             → STREAM/OK → daemon's STREAM/OK
//   abort:    STREAM/ERROR (empty) → the daemon's STREAM/OK (tsvirtd) or STREAM/ERROR (libvirtd)
//   failure:  the daemon's STREAM/ERROR with its error: the stream is gone, every later call raises it.
//
// Flow control: an upload writes a packet only while the socket's output queue is short and otherwise
// waits for it to drain; a download stops reading the socket while more than a few packets wait for the
// consumer, so the daemon's own back-pressure (it reads no more of the volume) takes over.
import type { StreamIO, VirStorageVol } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../../errors/index.js';
import { fromRemoteError, type StreamHandler } from '../../rpc/client.js';
import { remote_procedure } from '../../rpc/generated/remote-protocol.js';
import { virNetMessageError, virNetMessageStatus, virNetStreamHole, type virNetMessageHeader } from '../../rpc/generated/virnet-protocol.js';
import { encodePacket, encodePacketWith, VIR_NET_STREAM, VIR_NET_STREAM_HOLE } from '../../rpc/packet.js';
import { remoteProgram } from '../../rpc/programs.js';
import { decodeXdr } from '../../rpc/xdr.js';
import type { RemoteConnection } from './connection.js';
import { toWireVol } from './wire.js';

const { VIR_NET_OK, VIR_NET_ERROR, VIR_NET_CONTINUE } = virNetMessageStatus;

/** Data bytes per packet: libvirt's stream payload (256 KiB less the header), what virsh sends. */
export const STREAM_CHUNK = 262144 - 24;
/** An upload waits for the socket to drain once this much is queued on it. */
const UPLOAD_HIGH_WATER = 4 * STREAM_CHUNK;
/** A download stops reading the socket while this much waits for the consumer, and resumes below the low mark. */
const DOWNLOAD_HIGH_WATER = 4 * STREAM_CHUNK;
const DOWNLOAD_LOW_WATER = STREAM_CHUNK;

/** VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM. */
const SPARSE_STREAM = 1;

const FROM = ErrorDomain.VIR_FROM_STREAMS;

type Item = Buffer | { hole: number };

class RemoteStream implements StreamHandler, StreamIO {
  header!: virNetMessageHeader;
  /** Download: what the daemon sent and the consumer has not taken yet. */
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  /** Download: the empty CONTINUE (the end of the data) arrived. */
  private eof = false;
  /** The daemon's STREAM/ERROR, or the connection's end: every later call raises it. */
  private failure: VirError | null = null;
  /** The stream is over on our side (finish or abort sent, or failure). */
  private ended = false;
  /** Someone waits for the next packet (recv, inData) or for the daemon's final word (finish, abort). */
  private wake: (() => void) | null = null;
  /** The daemon's final STREAM/OK or STREAM/ERROR after our finish or abort. */
  private final: { ok: true } | { ok: false; error: VirError } | null = null;
  private resumeReading: (() => void) | null = null;
  private release: (() => void) | null = null;

  constructor(
    private readonly rc: RemoteConnection,
    readonly direction: 'send' | 'recv',
    private readonly sparse: boolean,
  ) {
    if (direction === 'send') {
      this.send = (data) => this.sendData(data);
      if (sparse) this.sendHole = (length) => this.sendHoleData(length);
    } else {
      this.recv = (max) => this.recvData(max);
      if (sparse) {
        this.inData = () => this.inDataNext();
        this.sendHole = (length) => this.skip(length);
      }
    }
  }

  send?(data: Buffer): Promise<number>;
  recv?(max: number): Promise<Buffer>;
  sendHole?(length: number): Promise<void>;
  inData?(): Promise<{ inData: boolean; length: number }>;

  /** Opens the stream: the call goes out with this handler registered under its serial. */
  async open(proc: number, args: unknown): Promise<void> {
    const client = this.rc.client;
    const { serial, reply } = client.callStream(remoteProgram, proc, args, this);
    this.header = { prog: remoteProgram.program, vers: remoteProgram.version, proc, type: VIR_NET_STREAM, serial, status: VIR_NET_CONTINUE };
    try {
      await reply;
    } catch (err) {
      client.endStream(serial);
      throw err;
    }
    // An open stream keeps the process alive, as a call waiting for its reply does.
    // (Not when the daemon failed it already: its error came with the reply, in the same read.)
    if (!this.ended && !this.failure) this.release = client.hold();
  }

  // ---- StreamHandler: packets from the daemon ----

  packet(header: virNetMessageHeader, payload: Buffer): void {
    if (header.type === VIR_NET_STREAM && header.status === VIR_NET_CONTINUE) {
      if (this.direction !== 'recv' || this.ended || this.eof) return;
      if (payload.length === 0) this.eof = true;
      else this.push(Buffer.from(payload));
    } else if (header.type === VIR_NET_STREAM_HOLE) {
      if (this.direction !== 'recv' || this.ended || this.eof || !this.sparse) return;
      let length: number;
      try {
        const hole = decodeXdr(virNetStreamHole, payload);
        length = hole.length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(hole.length);
      } catch {
        this.fail(virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, 'malformed stream hole packet'));
        return;
      }
      if (length > 0) this.push({ hole: length });
    } else if (header.type === VIR_NET_STREAM && header.status === VIR_NET_OK) {
      if (this.ended) {
        this.final = { ok: true };
        this.finishLocally();
      } else this.fail(virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, 'the daemon ended the stream before the client did'));
    } else {
      let error: VirError;
      try {
        error = fromRemoteError(decodeXdr(virNetMessageError, payload));
      } catch {
        error = virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, `stream ended with status ${header.status}`);
      }
      if (this.ended) {
        this.final = { ok: false, error };
        this.finishLocally();
      } else this.fail(error);
    }
    this.notify();
  }

  closed(error: VirError): void {
    if (!this.final) this.final = { ok: false, error };
    this.failure ??= error;
    this.finishLocally();
    this.notify();
  }

  // ---- StreamIO ----

  private async sendData(data: Buffer): Promise<number> {
    this.check();
    const client = this.rc.client;
    for (let at = 0; at < data.length; at += STREAM_CHUNK) {
      const chunk = data.subarray(at, at + STREAM_CHUNK);
      const head = encodePacket(this.header);
      head.writeUInt32BE(head.length + chunk.length, 0);
      // Copied: the caller may reuse its buffer once send resolved, and the socket may not have taken it yet.
      client.writeRaw(head, Buffer.from(chunk));
      if (client.queuedOutput > UPLOAD_HIGH_WATER) await client.drained();
      this.check();
    }
    return data.length;
  }

  private async sendHoleData(length: number): Promise<void> {
    this.check();
    if (length <= 0) return;
    this.rc.client.writeRaw(
      encodePacketWith({ ...this.header, type: VIR_NET_STREAM_HOLE }, virNetStreamHole, { length: BigInt(length), flags: 0 }),
    );
    if (this.rc.client.queuedOutput > UPLOAD_HIGH_WATER) await this.rc.client.drained();
    this.check();
  }

  private async recvData(max: number): Promise<Buffer> {
    await this.waitForData();
    const first = this.queue[0];
    if (!first) return Buffer.alloc(0); // the end of the stream
    if (!Buffer.isBuffer(first)) {
      // A hole read as data: zeros.
      const n = Math.min(max, first.hole);
      this.take(n);
      return Buffer.alloc(n);
    }
    const n = Math.min(max, first.length);
    const out = first.subarray(0, n);
    this.take(n);
    return out;
  }

  private async inDataNext(): Promise<{ inData: boolean; length: number }> {
    await this.waitForData();
    const first = this.queue[0];
    if (!first) return { inData: false, length: 0 };
    if (!Buffer.isBuffer(first)) return { inData: false, length: first.hole };
    let length = 0;
    for (const item of this.queue) {
      if (!Buffer.isBuffer(item)) break;
      length += item.length;
    }
    return { inData: true, length };
  }

  /** A download's sendHole: moves past `length` bytes of what the daemon sent. */
  private async skip(length: number): Promise<void> {
    while (length > 0) {
      await this.waitForData();
      const first = this.queue[0];
      if (!first) return;
      const n = Math.min(length, Buffer.isBuffer(first) ? first.length : first.hole);
      this.take(n);
      length -= n;
    }
  }

  async finish(): Promise<void> {
    await this.end(VIR_NET_OK);
  }

  async abort(): Promise<void> {
    if (this.ended && !this.final) return this.end(VIR_NET_ERROR); // an end already under way
    if (this.failure) {
      // The daemon already dropped the stream (its error), or the connection is gone: nothing to undo here.
      this.finishLocally();
      return;
    }
    try {
      await this.end(VIR_NET_ERROR);
    } catch (err) {
      // libvirtd confirms an abort with the error "stream aborted at client request"; the abort is done.
      if (!(err instanceof VirError) || this.rc.alive) return;
      throw err;
    }
  }

  // ---- internals ----

  private ending: Promise<void> | null = null;

  /** Sends our last word (finish: OK, abort: ERROR) and waits for the daemon's. */
  private end(status: number): Promise<void> {
    if (this.ending) return this.ending;
    this.check();
    this.ended = true;
    this.dropQueue();
    this.rc.client.writeRaw(encodePacket({ ...this.header, status }));
    this.ending = (async () => {
      while (!this.final) await new Promise<void>((resolve) => (this.wake = resolve));
      this.finishLocally();
      if (!this.final.ok) throw this.final.error;
    })();
    return this.ending;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM, 'stream is not open');
  }

  private async waitForData(): Promise<void> {
    for (;;) {
      this.check();
      if (this.queue.length || this.eof) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private push(item: Item): void {
    this.queue.push(item);
    if (Buffer.isBuffer(item)) this.queuedBytes += item.length;
    if (this.queuedBytes > DOWNLOAD_HIGH_WATER && !this.resumeReading) this.resumeReading = this.rc.client.pauseReading();
  }

  /** Takes `n` bytes off the head of the download queue. */
  private take(n: number): void {
    const first = this.queue[0];
    if (Buffer.isBuffer(first)) {
      this.queuedBytes -= n;
      if (n >= first.length) this.queue.shift();
      else this.queue[0] = first.subarray(n);
    } else if (n >= first.hole) this.queue.shift();
    else this.queue[0] = { hole: first.hole - n };
    if (this.queuedBytes < DOWNLOAD_LOW_WATER) this.resume();
  }

  private dropQueue(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.resume();
  }

  private resume(): void {
    const resume = this.resumeReading;
    this.resumeReading = null;
    resume?.();
  }

  /** The daemon's failure: the stream is gone on its side. */
  private fail(error: VirError): void {
    this.failure ??= error;
    this.finishLocally();
  }

  /** Nothing more will come for this stream: unregister, resume reading, let the process exit. */
  private finishLocally(): void {
    this.rc.client.endStream(this.header?.serial);
    this.dropQueue();
    this.release?.();
    this.release = null;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** virStorageVolUpload / virStorageVolDownload on a remote connection: the stream's data path. */
export async function openVolumeStream(
  rc: RemoteConnection,
  direction: 'upload' | 'download',
  vol: VirStorageVol,
  offset: bigint,
  length: bigint,
  flags: number,
): Promise<StreamIO> {
  const s = new RemoteStream(rc, direction === 'upload' ? 'send' : 'recv', (flags & SPARSE_STREAM) !== 0);
  const proc = direction === 'upload' ? remote_procedure.REMOTE_PROC_STORAGE_VOL_UPLOAD : remote_procedure.REMOTE_PROC_STORAGE_VOL_DOWNLOAD;
  await s.open(proc, { vol: toWireVol(vol), offset, length, flags });
  return s;
}
