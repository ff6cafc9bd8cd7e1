// How the RPC client reaches a daemon, as libvirt's remote driver does: a unix socket, a TCP connection, TLS over
// TCP, or a command whose standard input and output carry the packets (ssh, and libvirt's `ext` transport). Each
// is opened into the one kind of byte channel the client (client.ts) reads and writes, and each reports its
// failures in libvirt's words.
import { readFileSync } from 'node:fs';
import { createConnection, isIP, type Socket } from 'node:net';
import type { ChildProcessByStdio } from 'node:child_process';
import type { TLSSocket } from 'node:tls';
import type { Readable, Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import { ErrorDomain, ErrorNumber, type VirError, virError } from '../errors/index.js';
import { describeErrno, systemError } from '../errors/system.js';

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

/** Opens `t`; rejects with libvirt's error when it cannot (nothing listening, no such host, no such command). */
export function openChannel(t: Transport): Promise<ByteChannel> {
  if (t.kind === 'command') return Promise.resolve(CommandChannel.spawn(t.argv));
  if (t.kind === 'tls') return openTls(t);
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
 * TLS as libvirt's client does it (virNetTLSContextNewClient, virNetClientSetTLSSession): its own certificate
 * checked against the CA before anything is sent, the server's checked after the handshake (trusted by the CA
 * and named as the URI's host, unless `no_verify=1`), then the daemon's one-byte verdict on the client's
 * certificate, 1 for accepted, before any packet.
 */
function openTls(t: Extract<Transport, { kind: 'tls' }>): Promise<ByteChannel> {
  let credentials: ReturnType<typeof readTlsFiles>;
  try {
    credentials = readTlsFiles(t.pki);
  } catch (err) {
    return Promise.reject(err);
  }
  const tls = process.getBuiltinModule('node:tls');
  return new Promise((resolve, reject) => {
    let phase: 'connect' | 'handshake' | 'confirmation' = 'connect';
    const socket = tls.connect({
      host: t.host,
      port: t.port,
      ...credentials,
      // SNI carries names only, never addresses.
      servername: isIP(t.host) ? undefined : t.host,
      // Verified below, so that a failure is libvirt's error and no_verify=1 can waive it.
      rejectUnauthorized: false,
    });
    const fail = (error: VirError) => {
      socket.destroy();
      reject(error);
    };
    socket.once('connect', () => (phase = 'handshake'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (phase === 'connect') fail(connectError(t, err));
      else if (phase === 'handshake') fail(virError(ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorDomain.VIR_FROM_RPC, `authentication failed: TLS handshake failed ${handshakeFailure(err)}`));
      else fail(systemError(err, ErrorDomain.VIR_FROM_RPC, 'Unable to read TLS confirmation'));
    });
    socket.once('secureConnect', () => {
      phase = 'confirmation';
      const trusted = socket.authorized && tls.checkServerIdentity(t.host, socket.getPeerCertificate()) === undefined;
      if (t.verify && !trusted) {
        fail(virError(ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorDomain.VIR_FROM_RPC, "authentication failed: Failed to verify peer's certificate"));
        return;
      }
      const unconfirmed = () => fail(systemError({ code: 'EIO' }, ErrorDomain.VIR_FROM_RPC, 'Unable to read TLS confirmation'));
      socket.once('end', unconfirmed);
      socket.once('readable', function confirm() {
        const verdict = socket.read(1) as Buffer | null;
        if (verdict === null) return void socket.once('readable', confirm);
        socket.off('end', unconfirmed);
        socket.removeAllListeners('error');
        if (verdict[0] !== 1) {
          fail(virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, 'server verification (of our certificate or IP address) failed'));
          return;
        }
        resolve(new TlsChannel(socket));
      });
    });
  });
}

/**
 * A TLS socket as the channel, writing each write() in a TLS record of its own. Node puts the writes queued in
 * one turn of the loop into one record, and libvirtd 9.0 then answers only the first message of it: it reads a
 * message per wake-up of its event loop, and the rest of a record waits inside GnuTLS where poll() cannot see it
 * (virNetSocketHasCachedData knows SASL's buffer, not TLS's), until the next packet arrives, seconds later. A
 * record per message, each written once the previous one is, leaves nothing behind.
 */
class TlsChannel extends EventEmitter implements ByteChannel {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private writing = false;

  constructor(private readonly socket: TLSSocket) {
    super();
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
    socket.on('error', (err: Error) => this.emit('error', err));
    socket.on('close', () => this.emit('close'));
  }

  write(data: Uint8Array): boolean {
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

/**
 * Why a handshake failed, in GnuTLS's words where libvirt's would be the same: the connection broken under it is
 * GnuTLS's "Error in the pull function."; a TLS alert or protocol error keeps OpenSSL's own message.
 */
function handshakeFailure(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'Error in the pull function.';
  return err.message;
}

/** The PEM files of `pki`, read; the client's certificate checked against the CA first, as libvirt does. */
function readTlsFiles(pki: TlsFiles): { ca: Buffer; crl?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw systemError(err, ErrorDomain.VIR_FROM_RPC, `Cannot read ${what} '${path}'`);
    }
  };
  const ca = read(pki.caCert, 'CA certificate');
  const crl = pki.caCrl === undefined ? undefined : read(pki.caCrl, 'CA revocation list');
  if (pki.cert === undefined || pki.key === undefined) return { ca, crl };
  const cert = read(pki.cert, 'certificate');
  const key = read(pki.key, 'private key');
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  const own = new X509Certificate(cert);
  const issuers = splitPem(ca).map((pem) => new X509Certificate(pem));
  if (!issuers.some((issuer) => own.checkIssued(issuer) && own.verify(issuer.publicKey))) {
    throw virError(
      ErrorNumber.VIR_ERR_SYSTEM_ERROR,
      ErrorDomain.VIR_FROM_RPC,
      `Our own certificate ${pki.cert} failed validation against ${pki.caCert}: The certificate hasn't got a known issuer.`,
    );
  }
  return { ca, crl, cert, key };
}

/** The certificates of a PEM bundle. */
function splitPem(bundle: Buffer): string[] {
  return bundle.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
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
