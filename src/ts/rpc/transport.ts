// How the RPC client reaches a daemon, as libvirt's remote driver does: a unix socket, a TCP connection, or a
// command whose standard input and output carry the packets (ssh, and libvirt's `ext` transport). Each is opened
// into the one kind of byte channel the client (client.ts) reads and writes, and each reports its failures in
// libvirt's words.
import { createConnection, type Socket } from 'node:net';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import { ErrorDomain, ErrorNumber, type VirError, virError } from '../errors/index.js';
import { describeErrno, systemError } from '../errors/system.js';

export type Transport =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** argv[0] is run with the rest as its arguments, no shell; the packets go through its stdin and stdout. */
  | { readonly kind: 'command'; readonly argv: readonly string[] };

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
  if (t.kind === 'tcp') return `${t.host}:${t.port}`;
  return t.argv.join(' ');
}

/** Opens `t`; rejects with libvirt's error when it cannot (nothing listening, no such host, no such command). */
export function openChannel(t: Transport): Promise<ByteChannel> {
  if (t.kind === 'command') return Promise.resolve(CommandChannel.spawn(t.argv));
  return new Promise((resolve, reject) => {
    const socket = t.kind === 'unix' ? createConnection({ path: t.path }) : createConnection({ host: t.host, port: t.port });
    socket.once('error', (err: NodeJS.ErrnoException) => reject(connectError(t, err)));
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socketChannel(socket));
    });
  });
}

function connectError(t: Transport, err: NodeJS.ErrnoException): VirError {
  if (t.kind === 'unix') return systemError(err, ErrorDomain.VIR_FROM_RPC, `Failed to connect socket to '${t.path}'`);
  if (t.kind === 'tcp' && (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')) {
    // getaddrinfo's own words, which libvirt prints (gai_strerror).
    const why = err.code === 'ENOTFOUND' ? 'Name or service not known' : 'Temporary failure in name resolution';
    return virError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC, `Unable to resolve address '${t.host}' service '${t.port}': ${why}`);
  }
  return systemError(err, ErrorDomain.VIR_FROM_RPC, `unable to connect to server at '${describeTransport(t)}'`);
}

/** A connected net.Socket as a channel (unix and TCP). */
function socketChannel(socket: Socket): ByteChannel {
  return Object.assign(socket, {
    readError: (err: Error) => systemError(err, ErrorDomain.VIR_FROM_RPC, 'Cannot recv data'),
    endError: () => null,
  }) as unknown as ByteChannel;
}

/**
 * A command's stdin and stdout as the channel (libvirt's virNetSocketNewConnectCommand). Its stderr is kept (the
 * first KiB, as libvirt reads it) for the error of the end: ssh explains there why it could not connect, and
 * libvirt reports it as "Cannot recv data: STDERR: Connection reset by peer".
 */
class CommandChannel extends EventEmitter implements ByteChannel {
  private stderr = '';
  private ended = false;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    super();
    child.stdout.on('data', (chunk: Buffer) => this.emit('data', chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 1024) this.stderr = (this.stderr + chunk.toString('utf8')).slice(0, 1024);
    });
    child.stdin.on('drain', () => this.emit('drain'));
    // Writes after the command has gone fail with EPIPE; its end is reported once, by 'close'.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      // The command could not be run: libvirt's child says so on its stderr before it exits.
      this.stderr = `libvirt:  error : cannot execute binary ${child.spawnfile}: ${describeErrno(err)}`;
      this.end();
    });
    child.on('close', () => this.end());
  }

  static spawn(argv: readonly string[]): CommandChannel {
    const { spawn } = process.getBuiltinModule('node:child_process');
    return new CommandChannel(spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('close');
  }

  write(data: Uint8Array): boolean {
    return this.child.stdin.write(data);
  }

  get writableLength(): number {
    return this.child.stdin.writableLength;
  }

  pause(): void {
    this.child.stdout.pause();
  }

  resume(): void {
    this.child.stdout.resume();
  }

  ref(): void {
    this.child.ref();
    for (const pipe of [this.child.stdin, this.child.stdout, this.child.stderr]) (pipe as unknown as Socket).ref?.();
  }

  unref(): void {
    this.child.unref();
    for (const pipe of [this.child.stdin, this.child.stdout, this.child.stderr]) (pipe as unknown as Socket).unref?.();
  }

  destroy(): void {
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    this.end();
  }

  readError(err: Error): VirError {
    return systemError(err, ErrorDomain.VIR_FROM_RPC, `Cannot recv data: ${this.stderr.trimEnd()}`);
  }

  endError(): VirError {
    return this.readError(Object.assign(new Error('end of the command'), { code: 'ECONNRESET' }));
  }
}
