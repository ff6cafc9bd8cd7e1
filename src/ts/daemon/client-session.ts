// One client of tsvirtd: its socket, packet framing, the connection CONNECT_OPEN made, keepalive, and the
// calls in flight. Calls run concurrently (virsh polls DOMAIN_GET_JOB_INFO while its DOMAIN_SAVE is still
// running) and each reply goes out when ready, carrying its call's serial.
import type { Socket } from 'node:net';
import * as connect from '../api/connect.js';
import { virConnectFlags } from '../core/enums.generated.js';
import type { VirConnect } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../errors/index.js';
import { keepalive_procedure } from '../rpc/generated/keepalive-protocol.js';
import { virNetMessageError, type virNetMessageHeader } from '../rpc/generated/virnet-protocol.js';
import {
  decodePacket,
  encodePacket,
  encodePacketWith,
  PacketFramer,
  VIR_NET_CALL,
  VIR_NET_CALL_WITH_FDS,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_REPLY,
  VIR_NET_STREAM,
} from '../rpc/packet.js';
import type { RpcProcedure, RpcProgram } from '../rpc/program.js';
import { keepaliveProgram, remoteProgram, tsvirtJobProgram } from '../rpc/programs.js';
import { toRemoteError } from '../rpc/remote-error.js';
import { decodeXdr, xdrError } from '../rpc/xdr.js';
import { dispatchCall } from './dispatch.js';
import { ClientDomainEvents } from './domain-events.js';
import type { ClientJobs, JobProgram } from './job-program.js';
import { remote_domain } from '../rpc/generated/remote-protocol.js';
import { fromWire, HandleScope } from './wire-values.js';

export interface SessionLimits {
  /** Largest packet accepted or sent. */
  maxPacket: number;
  /** Calls of one client running at once; more are read only when one finishes (libvirtd: max_client_requests). */
  maxCallsInFlight: number;
  /** Reply bytes queued for a client that does not read before the daemon stops reading its calls. */
  maxQueuedOutput: number;
  /** Keepalive: a PING after this long without a packet from the client; it is dropped after `keepaliveCount` unanswered. */
  keepaliveIntervalMs: number;
  keepaliveCount: number;
}

export type Log = (message: string) => void;

/** Sees each REMOTE call a client makes, by procedure name (tests compare them with libvirtd's captures). */
export type CallObserver = (client: number, procedure: string) => void;

/** virDrvFeature numbers the daemon itself answers (libvirt's src/driver.h). */
const FEATURE = { PROGRAM_KEEPALIVE: 10, REMOTE_EVENT_CALLBACK: 14, REMOTE_CLOSE_CALLBACK: 15 };
const DAEMON_FEATURES = new Set([FEATURE.PROGRAM_KEEPALIVE, FEATURE.REMOTE_EVENT_CALLBACK, FEATURE.REMOTE_CLOSE_CALLBACK]);

const REMOTE_AUTH_NONE = 0;
const { KEEPALIVE_PROC_PING, KEEPALIVE_PROC_PONG } = keepalive_procedure;

const rpcError = (message: string) => virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, message);

export class ClientSession {
  private readonly framer: PacketFramer;
  private conn: VirConnect | null = null;
  private inFlight = 0;
  private closing = false;
  private closed = false;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private missedPings = 0;
  private heardSinceTick = true;
  private readPaused = false;
  private closeAfterReply = false;
  private readonly domainEvents: ClientDomainEvents;
  /** tsvirt's job program on this connection (job-program.ts), when the daemon serves it. */
  private readonly jobs: ClientJobs | null;

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    readonly readOnly: boolean,
    private readonly limits: SessionLimits,
    private readonly log: Log,
    private readonly onClose: (session: ClientSession) => void,
    private readonly onCall?: CallObserver,
    jobProgram?: JobProgram,
  ) {
    this.framer = new PacketFramer(limits.maxPacket);
    this.domainEvents = new ClientDomainEvents((packet) => this.sendEvent(packet), limits.maxPacket);
    this.jobs =
      jobProgram?.client({ id, connection: () => this.conn, push: (packet) => this.sendEvent(packet), backlog: () => this.socket.writableLength }) ?? null;
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('drain', () => this.updateReading());
    socket.on('error', (err) => this.log(`client ${id}: ${err.message}`));
    socket.on('close', () => this.teardown());
  }

  /** Closes the client: replies already queued are still flushed. */
  close(reason?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (reason) this.log(`client ${this.id}: closing: ${reason}`);
    this.socket.end();
    // A client that never reads would hold the socket open forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  /** True while the daemon does not read this client's calls (too many running, or its replies unread). */
  get throttled(): boolean {
    return this.readPaused;
  }

  /** Reply bytes written but not yet taken by the client. */
  get queuedOutput(): number {
    return this.socket.writableLength;
  }

  private receive(chunk: Buffer): void {
    try {
      this.receivePackets(chunk);
    } catch (err) {
      // A fault in the daemon's own code ends this client, never the daemon.
      this.close(`internal error: ${toVirError(err).message}`);
      this.socket.destroy();
    }
  }

  private receivePackets(chunk: Buffer): void {
    if (this.closing) return;
    this.heardSinceTick = true;
    this.missedPings = 0;
    let packets: Buffer[];
    try {
      packets = this.framer.push(chunk);
    } catch (err) {
      // The byte stream cannot be resynchronised after a bad length word: drop the client, as libvirtd does.
      this.close(toVirError(err).message);
      return;
    }
    for (const bytes of packets) this.handlePacket(bytes);
    this.updateReading();
  }

  private handlePacket(bytes: Buffer): void {
    let header: virNetMessageHeader;
    let payload: Buffer;
    try {
      ({ header, payload } = decodePacket(bytes));
    } catch (err) {
      this.close(toVirError(err).message);
      return;
    }
    if (header.prog === keepaliveProgram.program && header.vers === keepaliveProgram.version) {
      if (header.proc === KEEPALIVE_PROC_PING) this.send({ ...header, proc: KEEPALIVE_PROC_PONG, type: VIR_NET_MESSAGE, status: VIR_NET_OK });
      return; // a PONG only proves the client alive, which receiving it already recorded
    }
    const isCall = header.type === VIR_NET_CALL || header.type === VIR_NET_CALL_WITH_FDS;
    const program = this.programOf(header);
    if (!program) {
      if (isCall) this.replyError(header, rpcError(`Cannot find program ${header.prog} version ${header.vers}`));
      return;
    }
    if (header.type === VIR_NET_STREAM) {
      // No stream is ever opened by this daemon yet: late or stray stream packets are dropped, as libvirtd does.
      return;
    }
    if (!isCall) {
      this.log(`client ${this.id}: ignoring packet of type ${header.type} (proc ${header.proc}, serial ${header.serial})`);
      return;
    }
    if (header.type === VIR_NET_CALL_WITH_FDS) {
      this.replyError(header, rpcError('file descriptor passing is not supported by tsvirtd'));
      return;
    }
    if (header.status !== VIR_NET_OK) {
      this.replyError(header, rpcError(`Unexpected message status ${header.status}`));
      return;
    }
    const procedure = program.procedures.get(header.proc);
    this.onCall?.(this.id, procedure?.name ?? String(header.proc));
    if (!procedure) {
      this.replyError(header, rpcError(`unknown procedure: ${header.proc}`));
      return;
    }
    let args: unknown;
    try {
      if (procedure.args) args = decodeXdr(procedure.args, payload);
      else if (payload.length) throw xdrError(`${procedure.name} takes no arguments, got ${payload.length} bytes`);
    } catch (err) {
      this.replyError(header, toVirError(err, ErrorDomain.VIR_FROM_RPC));
      return;
    }
    this.inFlight++;
    (program === remoteProgram ? this.call(procedure, args) : this.jobs!.call(procedure, args))
      .then(
        (ret) => this.reply(header, procedure, ret),
        (err) => this.replyError(header, toVirError(err, ErrorDomain.VIR_FROM_RPC)),
      )
      .catch((err) => {
        this.close(`internal error: ${toVirError(err).message}`);
        this.socket.destroy();
      })
      .finally(() => {
        this.inFlight--;
        this.updateReading();
      });
  }

  /** The program a packet is for: libvirt's REMOTE program, or tsvirt's job program where it is served. */
  private programOf(header: virNetMessageHeader): RpcProgram | null {
    if (header.prog === remoteProgram.program && header.vers === remoteProgram.version) return remoteProgram;
    if (this.jobs && header.prog === tsvirtJobProgram.program && header.vers === tsvirtJobProgram.version) return tsvirtJobProgram;
    return null;
  }

  /** The procedures about the client session itself; everything else goes to the entry points. */
  private async call(procedure: RpcProcedure, args: any): Promise<unknown> {
    switch (procedure.name) {
      case 'REMOTE_PROC_AUTH_LIST':
        return { types: [REMOTE_AUTH_NONE] };
      case 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE':
        return { supported: this.supportsFeature(args.feature) };
      case 'REMOTE_PROC_CONNECT_OPEN':
        return this.open(args.name, args.flags);
      case 'REMOTE_PROC_CONNECT_CLOSE':
        // libvirtd's delayed close: the reply goes out first, then the socket is closed.
        this.releaseConnection();
        this.closeAfterReply = true;
        return undefined;
      case 'REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK':
      case 'REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK':
        // The close callback fires when the connection dies; for a client of the daemon that is the socket
        // closing, which the client's library detects itself. Nothing to record here.
        if (!this.conn) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'hypervisor connection not open');
        return undefined;
      case 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY': {
        const conn = this.openConnection();
        const scope = new HandleScope(conn);
        try {
          return await this.domainEvents.register(conn, args.eventID, fromWire(remote_domain, args.dom, scope));
        } finally {
          scope.release();
        }
      }
      case 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY':
        return this.domainEvents.deregister(this.openConnection(), args.callbackID);
      default:
        return dispatchCall(procedure, args, this.conn);
    }
  }

  private openConnection(): VirConnect {
    if (!this.conn) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'hypervisor connection not open');
    return this.conn;
  }

  private supportsFeature(feature: number): number {
    if (feature === FEATURE.PROGRAM_KEEPALIVE) this.startKeepalive();
    if (DAEMON_FEATURES.has(feature)) return 1;
    if (!this.conn) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'hypervisor connection not open');
    return 0;
  }

  private async open(name: string | null, flags: number): Promise<undefined> {
    if (this.conn) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'connection already open');
    // A client of the read-only socket gets a read-only connection whatever it asked for.
    const effective = this.readOnly ? (flags | virConnectFlags.VIR_CONNECT_RO) >>> 0 : flags;
    const conn = await connect.virConnectOpenAuth(name, null, effective);
    if (this.closed) connect.virConnectClose(conn);
    else this.conn = conn;
    this.log(`client ${this.id}: opened ${conn.uri}${conn.readOnly ? ' (read-only)' : ''}`);
    return undefined;
  }

  private releaseConnection(): void {
    const conn = this.conn;
    this.conn = null;
    this.jobs?.close();
    this.domainEvents.dropAll(conn);
    if (conn?.alive) connect.virConnectClose(conn);
  }

  private reply(call: virNetMessageHeader, procedure: RpcProcedure, ret: unknown): void {
    const header = { ...call, type: VIR_NET_REPLY, status: VIR_NET_OK };
    let bytes: Buffer;
    try {
      bytes = encodePacketWith(header, procedure.ret, ret, this.limits.maxPacket);
    } catch (err) {
      this.replyError(call, toVirError(err, ErrorDomain.VIR_FROM_RPC));
      return;
    }
    this.write(bytes);
    if (this.closeAfterReply) this.close();
  }

  private replyError(call: virNetMessageHeader, err: VirError): void {
    const header = { ...call, type: VIR_NET_REPLY, status: VIR_NET_ERROR };
    let bytes: Buffer;
    try {
      bytes = encodePacketWith(header, virNetMessageError, toRemoteError(err));
    } catch (encodeError) {
      // An error that cannot be encoded (a message over the string limit): say so instead.
      bytes = encodePacketWith(header, virNetMessageError, toRemoteError(rpcError(`cannot encode error: ${toVirError(encodeError).message}`)));
    }
    this.write(bytes);
  }

  /**
   * An event for the client. Events cannot be held back as calls are (back-pressure stops reading calls), so a
   * client that leaves more than the reply limit unread when one arrives is dropped rather than let the
   * daemon's memory grow or an event be silently lost; its callbacks go with its connection.
   */
  private sendEvent(packet: Buffer): void {
    if (this.closing) return;
    if (this.socket.writableLength > this.limits.maxQueuedOutput) {
      this.close(`${this.socket.writableLength} bytes of replies and events unread`);
      this.socket.destroy();
      return;
    }
    this.write(packet);
  }

  private send(header: virNetMessageHeader): void {
    this.write(encodePacket(header));
  }

  private write(bytes: Buffer): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(bytes);
    this.updateReading();
  }

  /**
   * Back-pressure: stop reading calls while too many run or too many reply bytes wait for a client that
   * does not read them; so one client can neither grow the daemon's memory nor starve the others.
   */
  private updateReading(): void {
    if (this.closed) return;
    const busy = this.inFlight >= this.limits.maxCallsInFlight || this.socket.writableLength > this.limits.maxQueuedOutput;
    if (busy && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!busy && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer || this.limits.keepaliveIntervalMs <= 0) return;
    this.keepaliveTimer = setInterval(() => this.keepaliveTick(), this.limits.keepaliveIntervalMs);
    this.keepaliveTimer.unref();
  }

  private keepaliveTick(): void {
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      return;
    }
    if (this.missedPings >= this.limits.keepaliveCount) {
      this.close('no keepalive response');
      this.socket.destroy();
      return;
    }
    this.missedPings++;
    this.send({ prog: keepaliveProgram.program, vers: keepaliveProgram.version, proc: KEEPALIVE_PROC_PING, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK });
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.releaseConnection();
    this.onClose(this);
  }
}
