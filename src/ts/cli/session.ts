import type { Connection, Job } from '../index.js';
import type { VirError } from '../errors/index.js';
import type { ParsedCommand } from './command-def.js';
import { toFixed } from './format.js';
import { Interrupts, type SignalSource } from './interrupts.js';
import { showProgress, type ProgressStyle } from './progress.js';

type Runtime = typeof import('./runtime.js');

/** Where the shell reads and writes; the real process, or buffers in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The stream line editing writes to when stdin is a terminal (the interactive shell). */
  terminal?: () => NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  signals: SignalSource;
  /** Leaves the process at once (the second Ctrl-C). */
  exit(status: number): void;
}

export interface SessionOptions {
  uri?: string;
  quiet: boolean;
  readonly: boolean;
  timing: boolean;
  /** The console escape sequence (-e), `^]` by default. */
  escape?: string;
  /** Interactive mode: an interrupted command returns to the prompt instead of ending the shell. */
  interactive: boolean;
}

/** Thrown by a command after it has printed why it failed; the shell then reports libvirt's error, if any. */
export class CommandFailed extends Error {
  constructor() {
    super('command failed');
  }
}

/** Something a command holds for its duration and releases when it ends (a tsvirt object's reference). */
interface Releasable {
  free(): void;
}

/** A job started with --async: the shell reports how it ended before the next prompt, or at exit. */
interface BackgroundJob {
  job: Job<unknown>;
  /** Printed (as virsh prints success) when the job completes. */
  success: string;
  /** The `error:` line printed before libvirt's error when the job fails. */
  failure: string;
  settled: boolean;
}

/**
 * virsh's vshControl: the connection, output with virsh's conventions (vshPrint, vshPrintExtra, vshError),
 * libvirt's last error reported after a failed command, and the jobs in flight.
 */
export class Session {
  quiet: boolean;
  readonly: boolean;
  readonly timing: boolean;
  readonly escape: string;
  interactive: boolean;
  /** The URI to (re)connect to; undefined means the default one. */
  uri: string | undefined;
  /** libvirt's last error (virsh's last_error), printed after a failed command. */
  lastError: VirError | null = null;
  /** Set once a signal cancelled work: a batch stops after the current command. */
  stopRequested = false;
  private readonly stopListeners: (() => void)[] = [];

  private conn: Connection | null = null;
  private runtime: Runtime | null = null;
  private scope: Releasable[] = [];
  private foreground: Job<unknown> | null = null;
  private readonly background = new Set<BackgroundJob>();
  readonly interrupts: Interrupts;

  constructor(
    readonly io: CliIO,
    options: SessionOptions,
  ) {
    this.quiet = options.quiet;
    this.readonly = options.readonly;
    this.timing = options.timing;
    this.escape = options.escape ?? '^]';
    this.interactive = options.interactive;
    this.uri = options.uri ?? (io.env.VIRSH_DEFAULT_CONNECT_URI || undefined);
    this.interrupts = new Interrupts(
      io.signals,
      (signal) => this.cancelOnSignal(signal === 'SIGINT'),
      (status) => io.exit(status),
    );
  }

  // ---- output, as virsh prints ----

  /** vshPrint: always printed. */
  print(text: string): void {
    this.io.stdout.write(text);
  }

  /** vshPrintExtra: informational output that -q suppresses. */
  printExtra(text: string): void {
    if (!this.quiet) this.io.stdout.write(text);
  }

  /** vshError: `error: MESSAGE` on stderr. */
  error(message: string): void {
    this.io.stderr.write(`error: ${message}\n`);
  }

  /** vshReportError: prints libvirt's last error, if there is one, and forgets it. */
  reportError(): void {
    if (this.lastError) this.error(this.lastError.message);
    this.lastError = null;
  }

  /**
   * The usual failure of a command: keep libvirt's error `err` to report at the end, say what the command
   * was doing, and give the handler something to throw.
   */
  fail(err: unknown, message: string): CommandFailed {
    this.keepError(err);
    this.error(message);
    return new CommandFailed();
  }

  /** Remembers a libvirt error as the last one; anything else is a bug and is rethrown. */
  keepError(err: unknown): void {
    if (err instanceof Error && err.name === 'VirError') this.lastError = err as VirError;
    else throw err;
  }

  // ---- the connection ----

  /** tsvirt itself, loaded the first time a command needs it. */
  async rt(): Promise<Runtime> {
    return (this.runtime ??= await import('./runtime.js'));
  }

  /** The open connection; only valid inside a command that needs one (the shell opened it before). */
  get connection(): Connection {
    if (!this.conn) throw new Error('no connection: the command table marks this command as needing none');
    return this.conn;
  }

  /**
   * virshReconnect: closes the current connection (so `test:///default` starts afresh, as in virsh) and
   * opens `uri`, or the session's URI. On failure the old URI is kept for the next attempt.
   */
  async reconnect(uri: string | undefined = this.uri, readonly = this.readonly): Promise<boolean> {
    const rt = await this.rt();
    await this.disconnect();
    try {
      this.conn = await rt.connect(uri, { readOnly: readonly });
    } catch (err) {
      this.keepError(err);
      this.error('failed to connect to the hypervisor');
      this.reportError();
      return false;
    }
    this.uri = uri;
    this.readonly = readonly;
    return true;
  }

  async disconnect(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    await conn?.close();
  }

  // ---- per-command resources ----

  /** Holds `obj` until the current command ends, then frees it, as virsh frees its handles. */
  keep<T extends Releasable>(obj: T): T {
    this.scope.push(obj);
    return obj;
  }

  keepAll<T extends Releasable>(objs: T[]): T[] {
    this.scope.push(...objs);
    return objs;
  }

  // ---- running commands (vshCommandRun) ----

  /** Runs commands in order; the result is the last one's. Stops early after quit or an interrupt. */
  async run(commands: readonly ParsedCommand[]): Promise<boolean> {
    let ok = true;
    for (const cmd of commands) {
      // Node loads its performance API (1-2 ms) on first use: only for --timing.
      const started = this.timing ? performance.now() : 0;
      ok = await this.runOne(cmd);
      if (cmd.name === 'quit' || cmd.name === 'exit') return ok;
      if (this.timing) this.print(`\n(Time: ${toFixed(performance.now() - started, 3)} ms)\n\n`);
      else this.printExtra('\n');
      if (this.stopRequested) break;
    }
    return ok;
  }

  private async runOne(cmd: ParsedCommand): Promise<boolean> {
    this.lastError = null;
    let ok: boolean;
    try {
      ok = (cmd.def.noConnect || this.conn !== null || (await this.reconnect())) && (await cmd.def.run(this, cmd));
    } catch (err) {
      if (err instanceof CommandFailed) {
        // Already reported by the command.
      } else if (err instanceof Error && err.name === 'VirError') {
        this.lastError = err as VirError;
      } else {
        // A bug, not a libvirt failure: say so plainly rather than crash the shell.
        this.error(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        if (this.io.env.TSVIRSH_DEBUG && err instanceof Error) this.io.stderr.write(`${err.stack}\n`);
      }
      ok = false;
    } finally {
      const held = this.scope;
      this.scope = [];
      for (const obj of held) obj.free();
    }
    if (!ok) this.reportError();
    return ok;
  }

  // ---- jobs ----

  /**
   * Waits for a job the command started, showing virsh's progress line when `label` is given. Signals
   * cancel it meanwhile; its error (libvirt's "operation aborted" after a cancel) is thrown as usual.
   */
  async waitForJob<T>(job: Job<T>, style?: ProgressStyle): Promise<T> {
    this.foreground = job;
    this.interrupts.arm();
    const progress = style ? showProgress(job, style, this.io.stderr) : null;
    try {
      const value = await job;
      progress?.finish(true);
      return value;
    } catch (err) {
      progress?.finish(false);
      throw err;
    } finally {
      this.foreground = null;
      this.interrupts.disarm();
      // A Ctrl-C that only cancelled this command is spent: the interactive shell carries on.
      if (this.interrupts.signal && !this.stopRequested) this.interrupts.clear();
    }
  }

  /** Lets a job run on while the shell takes more commands (`--async`, a tsvirt extension). */
  startBackground(job: Job<unknown>, success: string, failure: string): void {
    const entry: BackgroundJob = { job, success, failure, settled: false };
    this.background.add(entry);
    this.interrupts.arm();
    const settle = () => {
      entry.settled = true;
      this.interrupts.disarm();
    };
    job.then(settle, settle);
  }

  /** Reports background jobs that ended since the last call, in the order they were started. */
  reportFinishedJobs(): boolean {
    let ok = true;
    for (const entry of [...this.background]) {
      if (!entry.settled) continue;
      this.background.delete(entry);
      if (entry.job.error) {
        this.error(entry.failure);
        this.error(entry.job.error.message);
        ok = false;
      } else {
        this.printExtra(entry.success);
      }
    }
    return ok;
  }

  /** Waits for every background job to end and reports them; false if any failed. */
  async finishBackground(): Promise<boolean> {
    await Promise.all([...this.background].map((entry) => entry.job.then(noop, noop)));
    return this.reportFinishedJobs();
  }

  private cancelOnSignal(interrupt: boolean): void {
    const fg = this.foreground;
    if (fg) fg.cancel();
    // Ctrl-C during a foreground job in the interactive shell cancels only that job; otherwise the signal
    // means the shell is going away, and nothing it started may outlive it.
    if (fg && interrupt && this.interactive) return;
    for (const entry of this.background) entry.job.cancel();
    this.requestStop();
  }

  /** Ends the shell after the current command (and, interactively, stops waiting for input). */
  requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    for (const listener of this.stopListeners.splice(0)) listener();
  }

  /** Calls `listener` once a stop is requested (at once if it already was). */
  onStop(listener: () => void): void {
    if (this.stopRequested) listener();
    else this.stopListeners.push(listener);
  }
}

function noop(): void {}
