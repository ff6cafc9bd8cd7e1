// The byte channel the RPC client (client.ts) reads and writes, whatever carries it, and the transports libvirt's
// remote driver knows: a unix socket, TCP, TLS over TCP, or a command whose stdin and stdout carry the packets
// (ssh, libvirt's `ext`). transport.ts opens them; tls-channel.ts and command-channel.ts are the two that are more
// than a socket. Failures are reported in libvirt's words.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ErrorDomain, ErrorNumber, type VirError, virError } from '../errors/index.js';
import { systemError } from '../errors/system.js';

export type Transport =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'tls'; readonly host: string; readonly port: number; readonly pki: TlsFiles; readonly verify: boolean }
  /** argv[0] is run with the rest as its arguments, no shell; the packets go through its stdin and stdout. */
  | { readonly kind: 'command'; readonly argv: readonly string[] };

/** The client's TLS files, as libvirt locates them (uri.ts): the CA is required, the CRL and identity are not. */
export interface TlsFiles {
  readonly caCert: string;
  readonly caCrl?: string;
  /** The client's certificate and key, a pair; absent, the client presents none. */
  readonly cert?: string;
  readonly key?: string;
}

/**
 * A connected byte stream to the daemon: what client.ts needs of a net.Socket. Events: 'data', 'drain',
 * 'error' (a failure while connected) and 'close' (the end, after any 'error').
 */
export interface ByteChannel extends EventEmitter {
  write(data: Uint8Array): boolean;
  /** Bytes written and not yet taken by the kernel. */
  readonly writableLength: number;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  destroy(): void;
  /** The error a failed read reports ('Cannot recv data: ...'). */
  readError(err: Error): VirError;
  /** The error of the channel's end, when it ended without one; null: the client's own (end of file). */
  endError(): VirError | null;
}

/** Where a transport leads, for messages: the socket's path, host:port, or the command. */
export function describeTransport(t: Transport): string {
  if (t.kind === 'unix') return t.path;
  if (t.kind === 'tcp' || t.kind === 'tls') return `${t.host}:${t.port}`;
  return t.argv.join(' ');
}

export function connectError(t: Transport, err: NodeJS.ErrnoException): VirError {
  if (t.kind === 'tls') return connectError({ kind: 'tcp', host: t.host, port: t.port }, err);
  if (t.kind === 'unix') return systemError(err, ErrorDomain.VIR_FROM_RPC, `Failed to connect socket to '${t.path}'`);
  if (t.kind === 'tcp' && (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')) {
    // getaddrinfo's own words, which libvirt prints (gai_strerror).
    const why = err.code === 'ENOTFOUND' ? 'Name or service not known' : 'Temporary failure in name resolution';
    return virError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC, `Unable to resolve address '${t.host}' service '${t.port}': ${why}`);
  }
  return systemError(err, ErrorDomain.VIR_FROM_RPC, `unable to connect to server at '${describeTransport(t)}'`);
}

/**
 * A connected socket as the channel: unix, TCP, or TLS over TCP. With `recordPerWrite` (TLS), each write() goes
 * to the socket only once the previous one has, so that each is a TLS record of its own. Node puts the writes
 * queued in one turn of the loop into one record, and libvirtd 9.0 then answers only the first message of it: it
 * reads a message per wake-up of its event loop, and the rest of a record waits inside GnuTLS where poll() cannot
 * see it (virNetSocketHasCachedData knows SASL's buffer, not TLS's), until the next packet arrives, seconds later.
 */
export class SocketChannel extends EventEmitter implements ByteChannel {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private writing = false;
  private readonly recordPerWrite: boolean;

  constructor(
    private readonly socket: Socket,
    { recordPerWrite = false } = {},
  ) {
    super();
    this.recordPerWrite = recordPerWrite;
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (err: Error) => this.emit('error', err));
    socket.on('close', () => this.emit('close'));
  }

  write(data: Uint8Array): boolean {
    if (!this.recordPerWrite) return this.socket.write(data);
    this.queue.push(data);
    this.queuedBytes += data.length;
    this.flush();
    return this.queue.length === 0;
  }

  private flush(): void {
    if (this.writing || this.socket.destroyed) return;
    const next = this.queue.shift();
    if (next === undefined) {
      this.emit('drain');
      return;
    }
    this.writing = true;
    this.queuedBytes -= next.length;
    this.socket.write(next, (err) => {
      this.writing = false;
      if (!err) this.flush();
    });
  }

  get writableLength(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  readError(err: Error): VirError {
    return systemError(err, ErrorDomain.VIR_FROM_RPC, 'Cannot recv data');
  }

  endError(): null {
    return null;
  }
}
