// A client's streams: libvirt's stream protocol for the calls that open one (STORAGE_VOL_UPLOAD,
// STORAGE_VOL_DOWNLOAD), as libvirtd 9.0 speaks it (src/remote/remote_daemon_stream.c, checked against
// captures of real virsh and libvirtd). Every packet of a stream carries the program, procedure and serial
// of the CALL that opened it:
//
//   upload:   C>S CALL → S>C REPLY → C>S STREAM/CONTINUE data ... → C>S STREAM/OK (finish) → S>C STREAM/OK
//   download: C>S CALL → S>C REPLY → S>C STREAM/CONTINUE data ... → S>C STREAM/CONTINUE empty (end)
//             → C>S STREAM/OK (finish) → S>C STREAM/OK
//   abort:    C>S STREAM/ERROR (empty) → S>C STREAM/OK;  a failure on the daemon's side: S>C STREAM/ERROR
//             carrying the error, and the stream is gone.
//
// Stream packets that match no open stream (a late packet after an error, an unknown serial) are dropped, as
// libvirtd drops them; a hole packet on a stream that was not opened sparse ends the client, as in libvirtd.
import * as stream from '../api/stream.js';
import type { VirConnect, VirStream } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../errors/index.js';
import { remote_nonnull_storage_vol } from '../rpc/generated/remote-protocol.js';
import { virNetMessageError, virNetMessageStatus, virNetStreamHole, type virNetMessageHeader } from '../rpc/generated/virnet-protocol.js';
import { encodePacket, encodePacketWith, VIR_NET_STREAM, VIR_NET_STREAM_HOLE } from '../rpc/packet.js';
import type { RpcProcedure } from '../rpc/program.js';
import { toRemoteError } from '../rpc/remote-error.js';
import { decodeXdr } from '../rpc/xdr.js';
import { fromWire, HandleScope } from './wire-values.js';

const { VIR_NET_OK, VIR_NET_ERROR, VIR_NET_CONTINUE } = virNetMessageStatus;

/**
 * Data bytes per packet the daemon sends: libvirt's legacy payload limit (256 KiB) less the header, the
 * size real virsh sends too, so every data packet is 256 KiB on the wire.
 */
export const STREAM_CHUNK = 262144 - 24;
/** Upload bytes received but not yet written, beyond which the client's socket is not read (libvirtd: 5 packets in flight). */
const UPLOAD_BACKLOG = 4 * STREAM_CHUNK;
/** Download bytes queued on the socket beyond which the daemon reads no more of the volume until it drains. */
const DOWNLOAD_HIGH_WATER = 4 * STREAM_CHUNK;

/** What the streams need of their client's session. */
export interface StreamSession {
  /** Writes a whole packet to the client (dropped once the client is gone); given in parts, in one system call. */
  write(packet: Buffer, ...more: Buffer[]): void;
  /** Bytes written to the socket and not yet taken by the client. */
  readonly queuedOutput: number;
  /** Resolves when the socket's queue drained, or the client is gone. */
  drained(): Promise<void>;
  /** The streams' backlog changed: the session re-evaluates whether to read the socket. */
  backlogChanged(): void;
  /** Ends the client (libvirtd's immediate close). */
  closeClient(reason: string): void;
  readonly log: (message: string) => void;
}

type Direction = 'upload' | 'download';

interface OpenStream {
  readonly header: virNetMessageHeader;
  readonly st: VirStream;
  readonly direction: Direction;
  /** Opened with the SPARSE_STREAM flag: holes travel as STREAM_HOLE packets. */
  readonly sparse: boolean;
  /** Upload data (and, sparse, holes) received and not yet sent into the stream. */
  queue: Array<Buffer | { hole: number }>;
  queuedBytes: number;
  /** The client's last word: finish (STREAM/OK) or abort (STREAM/ERROR or an unexpected status). */
  end: { status: number } | null;
  /** The upload writer or the download reader is running. */
  working: boolean;
  /** The reply to the opening CALL has gone out (a download's data may follow it). */
  replied: boolean;
}

/** Aborts still undoing transfers (removing an upload's partial file): the daemon waits for them before it exits. */
const undoing = new Set<Promise<unknown>>();

/** Resolves once every stream abort started so far has finished. */
export async function streamAbortsSettled(): Promise<void> {
  while (undoing.size) await Promise.all(undoing);
}

function track(p: Promise<unknown>): void {
  undoing.add(p);
  void p.finally(() => undoing.delete(p));
}

const STREAM_PROCEDURES: Record<string, Direction> = {
  REMOTE_PROC_STORAGE_VOL_UPLOAD: 'upload',
  REMOTE_PROC_STORAGE_VOL_DOWNLOAD: 'download',
};

export class ClientStreams {
  private readonly open = new Map<number, OpenStream>();

  constructor(private readonly session: StreamSession) {}

  /** True for a call this module answers (it opens a stream). */
  static handles(procedure: RpcProcedure): boolean {
    return procedure.name in STREAM_PROCEDURES;
  }

  /** Upload bytes held for writing: the session stops reading the client's socket while this is too much. */
  get backlogged(): boolean {
    let bytes = 0;
    for (const s of this.open.values()) bytes += s.queuedBytes;
    return bytes > UPLOAD_BACKLOG;
  }

  get count(): number {
    return this.open.size;
  }

  /**
   * Runs a call that opens a stream: the entry point attaches the driver's data path to a new stream,
   * which is registered under the call's serial before the REPLY goes out. Resolves with the reply's value.
   */
  async call(header: virNetMessageHeader, procedure: RpcProcedure, args: any, conn: VirConnect): Promise<unknown> {
    const direction = STREAM_PROCEDURES[procedure.name];
    if (this.open.has(header.serial))
      throw virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, `a stream with serial ${header.serial} is already open`);
    const st = stream.virStreamNew(conn, 0);
    const scope = new HandleScope(conn);
    try {
      const vol = fromWire(remote_nonnull_storage_vol, args.vol, scope);
      const open = direction === 'upload' ? stream.virStorageVolUpload : stream.virStorageVolDownload;
      await open(vol, st, args.offset, args.length, args.flags);
    } catch (err) {
      stream.virStreamFree(st);
      throw err;
    } finally {
      scope.release();
    }
    this.open.set(header.serial, {
      header: { prog: header.prog, vers: header.vers, proc: header.proc, serial: header.serial, type: VIR_NET_STREAM, status: VIR_NET_CONTINUE },
      st,
      direction,
      sparse: (args.flags & SPARSE_STREAM) !== 0,
      queue: [],
      queuedBytes: 0,
      end: null,
      working: false,
      replied: false,
    });
    return undefined;
  }

  /** The REPLY of a call went out: if that call opened a download, the download starts sending its data. */
  replied(call: virNetMessageHeader): void {
    const s = this.open.get(call.serial);
    if (!s || s.replied || s.header.prog !== call.prog || s.header.proc !== call.proc) return;
    s.replied = true;
    if (s.direction === 'download') void this.pumpDownload(s);
  }

  /** A STREAM or STREAM_HOLE packet from the client. */
  receive(header: virNetMessageHeader, payload: Buffer): void {
    const s = this.open.get(header.serial);
    if (!s || s.header.prog !== header.prog || s.header.proc !== header.proc || s.end) return; // late, stray or after the client's last word: dropped
    if (header.type === VIR_NET_STREAM_HOLE) {
      // libvirtd: a hole on a stream not opened sparse, or one that does not decode, ends the client.
      let hole: virNetStreamHole;
      try {
        if (!s.sparse) throw new Error('Unexpected stream hole');
        hole = decodeXdr(virNetStreamHole, payload);
        if (hole.length < 0n || hole.flags !== 0) throw new Error(`bad stream hole: length ${hole.length}, flags ${hole.flags}`);
      } catch (err) {
        this.session.closeClient(err instanceof Error ? err.message : String(err));
        return;
      }
      if (s.direction === 'download') {
        s.end = { status: VIR_NET_ERROR };
        this.fail(s, virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_STREAMS, 'stream is not open for sending: it is a download'));
        return;
      }
      const length = hole.length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(hole.length);
      s.queue.push({ hole: length });
      if (!s.working) void this.writeUpload(s);
      return;
    }
    if (header.type !== VIR_NET_STREAM) return;
    if (header.status === VIR_NET_CONTINUE) {
      if (s.direction === 'download') {
        if (payload.length === 0) return;
        s.end = { status: VIR_NET_ERROR };
        this.fail(s, virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_STREAMS, 'stream is not open for sending: it is a download'));
        return;
      }
      if (payload.length === 0) return;
      s.queue.push(payload);
      s.queuedBytes += payload.length;
      this.session.backlogChanged();
      if (!s.working) void this.writeUpload(s);
      return;
    }
    // OK is the client's finish; ERROR (or any other status) its abort.
    s.end = { status: header.status };
    if (header.status !== VIR_NET_OK) {
      // Nothing queued needs writing: the transfer is undone.
      s.queue = [];
      s.queuedBytes = 0;
      this.session.backlogChanged();
    }
    if (!s.working) void this.complete(s);
  }

  /** The client is gone: every open stream is aborted (an upload leaves its volume as it was). */
  closeAll(): void {
    for (const s of [...this.open.values()]) {
      this.open.delete(s.header.serial);
      s.queue = [];
      s.queuedBytes = 0;
      track(stream.virStreamAbort(s.st).catch(() => {}).finally(() => freeStream(s.st)));
    }
  }

  // ---- internals ----

  private async writeUpload(s: OpenStream): Promise<void> {
    s.working = true;
    try {
      while (s.queue.length && this.open.get(s.header.serial) === s) {
        const first = s.queue[0];
        try {
          if (Buffer.isBuffer(first)) {
            // virStreamSend takes less than offered only at the upload's length limit; the next send then fails.
            for (let chunk = first; chunk.length; ) chunk = chunk.subarray(await stream.virStreamSend(s.st, chunk));
          } else {
            await stream.virStreamSendHole(s.st, first.hole, 0);
          }
        } catch (err) {
          this.fail(s, toVirError(err, ErrorDomain.VIR_FROM_STREAMS));
          return;
        }
        if (s.queue[0] !== first) break; // aborted meanwhile: the queue was dropped
        s.queue.shift();
        if (Buffer.isBuffer(first)) s.queuedBytes -= first.length;
        this.session.backlogChanged();
      }
    } finally {
      s.working = false;
    }
    if (s.end && this.open.get(s.header.serial) === s) await this.complete(s);
  }

  private async pumpDownload(s: OpenStream): Promise<void> {
    s.working = true;
    /** Sparse: bytes of data known to lie ahead before the next question to virStreamInData (libvirtd's dataLen). */
    let dataLength = 0;
    try {
      for (;;) {
        if (s.end || this.open.get(s.header.serial) !== s) break;
        let data: Buffer;
        try {
          if (s.sparse && dataLength === 0) {
            const ahead = await stream.virStreamInData(s.st);
            if (s.end || this.open.get(s.header.serial) !== s) break;
            if (!ahead.inData && ahead.length > 0) {
              this.session.write(holePacket(s.header, ahead.length));
              await stream.virStreamSendHole(s.st, ahead.length, 0); // move past it, as libvirtd does
              if (this.session.queuedOutput > DOWNLOAD_HIGH_WATER) await this.session.drained();
              continue;
            }
            dataLength = ahead.length;
          }
          data = await stream.virStreamRecv(s.st, s.sparse ? Math.min(STREAM_CHUNK, dataLength) : STREAM_CHUNK);
          if (s.sparse) dataLength -= data.length;
        } catch (err) {
          if (!s.end) this.fail(s, toVirError(err, ErrorDomain.VIR_FROM_STREAMS));
          return;
        }
        if (s.end || this.open.get(s.header.serial) !== s) break;
        const [head, ...body] = dataPacket(s.header, data);
        this.session.write(head, ...body);
        if (data.length === 0) break; // the end of the data; the client's finish follows
        if (this.session.queuedOutput > DOWNLOAD_HIGH_WATER) await this.session.drained();
      }
    } finally {
      s.working = false;
    }
    if (s.end && this.open.get(s.header.serial) === s) await this.complete(s);
  }

  /** The client's finish or abort, once no write or read of the stream is running: confirm with STREAM/OK or answer the error. */
  private async complete(s: OpenStream): Promise<void> {
    if (this.open.get(s.header.serial) !== s || !s.end) return;
    this.open.delete(s.header.serial);
    const { status } = s.end;
    try {
      if (status === VIR_NET_OK) {
        await stream.virStreamFinish(s.st);
      } else {
        await stream.virStreamAbort(s.st);
        if (status !== VIR_NET_ERROR)
          throw virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_STREAMS, `stream aborted with unexpected status ${status}`);
      }
      this.session.write(encodePacket({ ...s.header, status: VIR_NET_OK }));
    } catch (err) {
      this.session.write(errorPacket(s.header, toVirError(err, ErrorDomain.VIR_FROM_STREAMS)));
    } finally {
      freeStream(s.st);
    }
  }

  /** A failure on the daemon's side: the stream is aborted and gone, and the client told with STREAM/ERROR. */
  private fail(s: OpenStream, err: VirError): void {
    if (this.open.get(s.header.serial) !== s) return;
    this.open.delete(s.header.serial);
    s.queue = [];
    s.queuedBytes = 0;
    this.session.backlogChanged();
    this.session.write(errorPacket(s.header, err));
    track(stream.virStreamAbort(s.st).catch(() => {}).finally(() => freeStream(s.st)));
  }
}

function freeStream(st: VirStream): void {
  if (st.alive) stream.virStreamFree(st);
}

/** A data packet: the length word and header, then the bytes as they are (not XDR), which are not copied. */
function dataPacket(header: virNetMessageHeader, data: Buffer): [Buffer, Buffer] | [Buffer] {
  const head = encodePacket({ ...header, status: VIR_NET_CONTINUE });
  if (data.length === 0) return [head];
  head.writeUInt32BE(head.length + data.length, 0);
  return [head, data];
}

/** VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM. */
const SPARSE_STREAM = 1;

function holePacket(header: virNetMessageHeader, length: number): Buffer {
  return encodePacketWith({ ...header, type: VIR_NET_STREAM_HOLE, status: VIR_NET_CONTINUE }, virNetStreamHole, { length: BigInt(length), flags: 0 });
}

function errorPacket(header: virNetMessageHeader, err: VirError): Buffer {
  return encodePacketWith({ ...header, status: VIR_NET_ERROR }, virNetMessageError, toRemoteError(err));
}
