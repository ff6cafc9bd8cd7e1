// The client side of libvirt's RPC protocol over any of its transports (transport.ts): calls numbered by serial,
// many outstanding at once on one connection with each reply matched to its call, MESSAGE packets (events)
// handed to listeners, keepalive both ways (PINGs answered, PINGs sent when the server has been quiet), and a
// connection that ends for whatever reason (server gone, keepalive timeout, garbage on the wire, close()) fails
// every call still waiting instead of leaving it hanging. Used by the remote driver (src/ts/drivers/remote/).
import { ErrorDomain, type ErrorLevel, ErrorNumber, VirError, virError } from '../errors/index.js';
import { keepalive_procedure } from './generated/keepalive-protocol.js';
import { virNetMessageError, type virNetMessageHeader } from './generated/virnet-protocol.js';
import {
  decodePacket,
  encodePacket,
  encodePacketWith,
  PACKET_MAX,
  PacketFramer,
  VIR_NET_CALL,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_REPLY,
  VIR_NET_STREAM,
  VIR_NET_STREAM_HOLE,
} from './packet.js';
import type { RpcProcedure, RpcProgram } from './program.js';
import { findProcedure, keepaliveProgram } from './programs.js';
import { type ByteChannel, openChannel, type Transport } from './transport.js';
import { decodeXdr } from './xdr.js';

const { KEEPALIVE_PROC_PING, KEEPALIVE_PROC_PONG } = keepalive_procedure;

/** libvirt's virConnectCloseReason: why a connection ended. */
export const CloseReason = { ERROR: 0, EOF: 1, KEEPALIVE: 2, CLIENT: 3 } as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

export interface RpcClientOptions {
  /** Send a PING after this long without hearing from the server (libvirt's keepalive_interval, 5 s); 0 turns
   * the client's own PINGs off (the server's are still answered). */
  keepaliveIntervalMs?: number;
  /** PINGs sent without an answer before the server is declared dead (libvirt's keepalive_count, 5). */
  keepaliveCount?: number;
  /** Largest packet accepted from the server. */
  maxPacket?: number;
}

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 5000;
const PAUSED_PING_INTERVAL_MS = 1000;
export const DEFAULT_KEEPALIVE_COUNT = 5;

export type MessageListener = (procedure: RpcProcedure, msg: unknown) => void;
export type CloseListener = (reason: CloseReason, error: VirError) => void;

/** The packets of one stream: STREAM and STREAM_HOLE packets carrying its call's serial, and the connection's end. */
export interface StreamHandler {
  packet(header: virNetMessageHeader, payload: Buffer): void;
  closed(error: VirError): void;
}

interface Pending {
  readonly procedure: RpcProcedure;
  resolve(value: unknown): void;
  reject(err: VirError): void;
}

const rpcError = (message: string) => virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, message);

/** An error reply (remote_error) as the VirError libvirtd raised: code, domain, message, level, extras. */
export function fromRemoteError(e: virNetMessageError): VirError {
  return new VirError(e.code as ErrorNumber, e.domain as ErrorDomain, e.message ?? 'unknown error', {
    level: e.level as ErrorLevel,
    str1: e.str1 ?? undefined,
    str2: e.str2 ?? undefined,
    str3: e.str3 ?? undefined,
    int1: e.int1,
    int2: e.int2,
  });
}

export class RpcClient {
  private readonly framer: PacketFramer;
  private readonly pending = new Map<number, Pending>();
  private readonly messageListeners = new Map<number, Set<MessageListener>>();
  private readonly closeListeners = new Set<CloseListener>();
  private nextSerial = 0;
  private closeError: VirError | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private keepaliveIntervalMs = 0;
  private keepaliveCount = DEFAULT_KEEPALIVE_COUNT;
  private unanswered = 0;
  private lastHeard = Date.now();
  private holds = 0;
  private readonly streams = new Map<number, { prog: number; proc: number; handler: StreamHandler }>();
  private pauses = 0;
  private paused = false;
  private pausedPings: NodeJS.Timeout | null = null;

  private constructor(
    private readonly channel: ByteChannel,
    private readonly options: RpcClientOptions,
  ) {
    this.framer = new PacketFramer(options.maxPacket ?? PACKET_MAX);
    channel.on('data', (chunk: Buffer) => this.receive(chunk));
    channel.on('error', (err: Error) => this.shutdown(CloseReason.ERROR, channel.readError(err)));
    channel.on('close', () => {
      const error = channel.endError();
      if (error) this.shutdown(CloseReason.ERROR, error);
      else this.shutdown(CloseReason.EOF, rpcError('End of file while reading data: Input/output error'));
    });
    // Waiting for replies or events keeps the process alive; an idle connection does not (see ref()).
    channel.unref();
  }

  /** Connects through `transport`; libvirt's error when it cannot (nothing listening there, no such host). */
  static async connect(transport: Transport, options: RpcClientOptions = {}): Promise<RpcClient> {
    return new RpcClient(await openChannel(transport), options);
  }

  /** False once the connection has ended. */
  get alive(): boolean {
    return this.closeError === null;
  }

  /** Calls still waiting for their reply. */
  get outstanding(): number {
    return this.pending.size;
  }

  /**
   * Sends a CALL of `program`'s procedure `proc` and resolves with the decoded reply (undefined for a reply
   * without payload). An error reply rejects with libvirtd's error as it sent it.
   */
  call<T = unknown>(program: RpcProgram, proc: number, args?: unknown): Promise<T> {
    const procedure = program.procedures.get(proc);
    if (!procedure) return Promise.reject(rpcError(`unknown procedure ${proc} of program 0x${program.program.toString(16)}`));
    if (this.closeError) return Promise.reject(closedError());
    const serial = this.nextSerial;
    this.nextSerial = (this.nextSerial + 1) >>> 0;
    const header: virNetMessageHeader = { prog: program.program, vers: program.version, proc, type: VIR_NET_CALL, serial, status: VIR_NET_OK };
    let packet: Buffer;
    try {
      packet = procedure.args ? encodePacketWith(header, procedure.args, args) : encodePacket(header);
    } catch (err) {
      return Promise.reject(err instanceof VirError ? err : rpcError(`cannot encode ${procedure.name}: ${(err as Error).message}`));
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.set(serial, { procedure, resolve: resolve as (v: unknown) => void, reject });
      this.updateRef();
      this.updateFlow();
      this.channel.write(packet);
    });
  }

  /**
   * A call that opens a stream (libvirt's stream protocol): `handler` gets the STREAM and STREAM_HOLE packets
   * of the call's serial from before the call goes out (a download's data may follow the REPLY at once) until
   * endStream(serial). The stream's logic is src/ts/drivers/remote/streams.ts.
   */
  callStream<T = unknown>(program: RpcProgram, proc: number, args: unknown, handler: StreamHandler): { serial: number; reply: Promise<T> } {
    const serial = this.nextSerial;
    if (!this.closeError) this.streams.set(serial, { prog: program.program, proc, handler });
    const reply = this.call<T>(program, proc, args);
    return { serial, reply };
  }

  endStream(serial: number): void {
    this.streams.delete(serial);
  }

  /** Writes a whole packet (given in parts) of a stream; dropped once the connection ended. */
  writeRaw(...parts: Buffer[]): void {
    if (this.closeError) return;
    for (const part of parts) this.channel.write(part);
  }

  /** Bytes written and not yet taken by the kernel. */
  get queuedOutput(): number {
    return this.channel.writableLength;
  }

  /** Resolves once the socket's output queue drained, or the connection ended. */
  drained(): Promise<void> {
    if (this.closeError || this.channel.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.channel.off('drain', done);
        this.channel.off('close', done);
        resolve();
      };
      this.channel.on('drain', done);
      this.channel.on('close', done);
    });
  }

  /**
   * Stops reading the socket (a download's consumer is slow: back-pressure reaches the daemon through the
   * socket); returns how to resume. Keepalive does not count the pause as the daemon's silence. While a
   * call waits for its reply the socket is read regardless: the reply may be queued behind stream data, and
   * a consumer that awaits a call before reading on would otherwise wait forever.
   */
  pauseReading(): () => void {
    this.pauses++;
    this.updateFlow();
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      this.pauses--;
      this.updateFlow();
    };
  }

  private updateFlow(): void {
    if (this.closeError) return;
    const pause = this.pauses > 0 && this.pending.size === 0;
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) this.channel.pause();
    else this.channel.resume();
    this.pingWhilePaused(pause);
  }

  /**
   * While the socket is not read, the daemon's packets (its keepalive PINGs too) wait unread behind the stream's
   * data, and a daemon that hears nothing from us drops us: libvirtd after keepalive_interval × (count + 1)
   * seconds (30 by default). Its keepalive counts any packet from the client (virKeepAliveCheckMessage; tsvirtd's
   * alike), so a PING each second, libvirt's shortest interval, keeps the connection through a consumer's pause
   * of any length, whether or not our own keepalive is on. The PONGs are read with the rest.
   */
  private pingWhilePaused(paused: boolean): void {
    if (paused && !this.pausedPings) {
      this.pausedPings = setInterval(() => this.sendKeepalive(KEEPALIVE_PROC_PING), PAUSED_PING_INTERVAL_MS);
      this.pausedPings.unref();
    } else if (!paused && this.pausedPings) {
      clearInterval(this.pausedPings);
      this.pausedPings = null;
    }
  }

  /** Calls `listener` for every MESSAGE packet of `program` (events); returns how to stop. */
  onMessage(program: RpcProgram, listener: MessageListener): () => void {
    let set = this.messageListeners.get(program.program);
    if (!set) this.messageListeners.set(program.program, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Calls `listener` once when the connection ends, with why and the error calls failed with. */
  onClose(listener: CloseListener): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Starts sending PINGs when the server has been quiet for the interval (libvirt's virKeepAliveStart); after
   * `count` unanswered ones the connection is closed and every call fails.
   */
  startKeepalive(intervalMs = this.options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS, count = this.options.keepaliveCount ?? DEFAULT_KEEPALIVE_COUNT): void {
    this.stopKeepalive();
    if (intervalMs <= 0 || this.closeError) return;
    this.keepaliveIntervalMs = intervalMs;
    this.keepaliveCount = count;
    this.unanswered = 0;
    this.keepaliveTimer = setInterval(() => this.keepaliveTick(), Math.max(1, Math.min(intervalMs, 1000)));
    this.keepaliveTimer.unref();
  }

  stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  /** Ends the connection from this side; calls still waiting fail. */
  close(): void {
    this.shutdown(CloseReason.CLIENT, rpcError('client socket is closed'));
  }

  private keepaliveTick(): void {
    if (this.paused) this.lastHeard = Date.now(); // not reading is our choice, not the daemon's silence
    if (Date.now() - this.lastHeard < this.keepaliveIntervalMs) return;
    if (this.unanswered >= this.keepaliveCount) {
      this.shutdown(CloseReason.KEEPALIVE, rpcError('connection closed due to keepalive timeout'));
      return;
    }
    this.unanswered++;
    // The next PING goes out one interval later, not at the next tick.
    this.lastHeard = Date.now();
    this.sendKeepalive(KEEPALIVE_PROC_PING);
  }

  private sendKeepalive(proc: number): void {
    const header = { prog: keepaliveProgram.program, vers: keepaliveProgram.version, proc, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK };
    this.channel.write(encodePacket(header));
  }

  private receive(chunk: Buffer): void {
    let packets: Buffer[];
    try {
      packets = this.framer.push(chunk);
    } catch (err) {
      // A bad length word: the stream can no longer be split into packets.
      this.shutdown(CloseReason.ERROR, err as VirError);
      this.channel.destroy();
      return;
    }
    this.lastHeard = Date.now();
    this.unanswered = 0;
    for (const bytes of packets) {
      if (this.closeError) return;
      this.dispatch(bytes);
    }
  }

  private dispatch(bytes: Buffer): void {
    let header: virNetMessageHeader;
    let payload: Buffer;
    try {
      ({ header, payload } = decodePacket(bytes));
    } catch (err) {
      this.shutdown(CloseReason.ERROR, err as VirError);
      this.channel.destroy();
      return;
    }
    if (header.prog === keepaliveProgram.program) {
      if (header.proc === KEEPALIVE_PROC_PING) this.sendKeepalive(KEEPALIVE_PROC_PONG);
      return; // a PONG only proves the server alive, which receiving it already recorded
    }
    if (header.type === VIR_NET_REPLY) {
      const call = this.pending.get(header.serial);
      // A reply to no call of ours (or to one of another program) is dropped, as libvirt's client does.
      if (!call || call.procedure.number !== header.proc) return;
      this.pending.delete(header.serial);
      this.updateRef();
      this.updateFlow();
      try {
        if (header.status === VIR_NET_ERROR) call.reject(fromRemoteError(decodeXdr(virNetMessageError, payload)));
        else if (header.status !== VIR_NET_OK) call.reject(rpcError(`unexpected status ${header.status} in reply to ${call.procedure.name}`));
        else if (!call.procedure.ret) {
          if (payload.length) throw rpcError(`${call.procedure.name} reply carries ${payload.length} unexpected bytes`);
          call.resolve(undefined);
        } else call.resolve(decodeXdr(call.procedure.ret, payload));
      } catch (err) {
        call.reject(err instanceof VirError ? err : rpcError(String(err)));
      }
      return;
    }
    if (header.type === VIR_NET_MESSAGE) {
      const listeners = this.messageListeners.get(header.prog);
      const program = listeners?.size ? findProcedure(header.prog, header.proc) : undefined;
      if (!listeners || !program?.msg) return;
      let msg: unknown;
      try {
        msg = decodeXdr(program.msg, payload);
      } catch {
        return; // an event that cannot be decoded is dropped; it answers no call
      }
      for (const listener of [...listeners]) {
        try {
          listener(program, msg);
        } catch (err) {
          process.emitWarning(`tsvirt: an RPC event listener failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    if (header.type === VIR_NET_STREAM || header.type === VIR_NET_STREAM_HOLE) {
      const s = this.streams.get(header.serial);
      // Packets of no open stream (late ones after its end) are dropped, as libvirt's client does.
      if (s && s.prog === header.prog && s.proc === header.proc) s.handler.packet(header, payload);
    }
    // Anything else is ignored.
  }

  /**
   * Keeps the process alive while someone waits for MESSAGE packets (event listeners), as it does while calls
   * wait for replies; returns how to let go.
   */
  hold(): () => void {
    this.holds++;
    this.updateRef();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.updateRef();
    };
  }

  /** The socket keeps the process alive only while calls wait for replies or events are awaited. */
  private updateRef(): void {
    if (this.closeError) return;
    if (this.pending.size || this.holds > 0) this.channel.ref();
    else this.channel.unref();
  }

  private shutdown(reason: CloseReason, error: VirError): void {
    if (this.closeError) return;
    this.closeError = error;
    this.stopKeepalive();
    this.pingWhilePaused(false);
    this.channel.destroy();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
    for (const listener of [...this.closeListeners]) {
      try {
        listener(reason, error);
      } catch (err) {
        process.emitWarning(`tsvirt: a connection close listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.closeListeners.clear();
    this.messageListeners.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.handler.closed(error);
  }
}

function closedError(): VirError {
  return rpcError('client socket is closed');
}
