// A command whose stdin and stdout carry the packets: ssh (drivers/remote/ssh-command.ts) and libvirt's `ext`.
import type { ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ErrorDomain, type VirError } from '../errors/index.js';
import { describeErrno, systemError } from '../errors/system.js';
import type { ByteChannel } from './channel.js';

/**
 * A command's stdin and stdout as the channel (libvirt's virNetSocketNewConnectCommand). Its stderr is kept (the
 * first KiB, as libvirt reads it) for the error of the end: ssh explains there why it could not connect, and
 * libvirt reports it as "Cannot recv data: STDERR: Connection reset by peer".
 */
export class CommandChannel extends EventEmitter implements ByteChannel {
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
