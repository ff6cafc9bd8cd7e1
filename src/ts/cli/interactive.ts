import { createInterface, type Interface } from 'node:readline';
import { Readable } from 'node:stream';
import { decodeBytes, hasEscapedByte } from '../xml/bytes.js';
import { parseCommands } from './parser.js';
import type { Session } from './session.js';
import { findCommand } from './table.js';
import { StringTokens } from './tokenizer.js';

/**
 * The interactive shell of `tsvirsh` without commands: virsh's banner and `virsh # ` prompt (`virsh > ` when
 * read-only). On a terminal lines are edited with history; from a pipe each line is echoed after the prompt,
 * as readline does in virsh. Background jobs that ended are reported before the next prompt. The shell
 * always succeeds, like virsh's, whatever its commands did.
 */
export async function runInteractive(s: Session): Promise<number> {
  if (!s.quiet) {
    s.print('Welcome to virsh, the virtualization interactive terminal.\n\n');
    s.print("Type:  'help' for help with commands\n       'quit' to quit\n\n");
  }
  const reader = s.io.stdin.isTTY ? new TerminalReader(s) : new PipeReader(s);
  s.onStop(() => reader.cancel());
  while (s.interactive && !s.stopRequested) {
    s.reportFinishedJobs();
    const line = await reader.read(s.readonly ? 'virsh > ' : 'virsh # ');
    if (line === null) break;
    if (line === '') continue;
    if (hasEscapedByte(line)) {
      // As on the command line (main.ts): a name that is not UTF-8 cannot reach the API unchanged.
      s.error(`invalid argument: '${line}' is not valid UTF-8, which tsvirsh cannot pass on unchanged`);
      continue;
    }
    const commands = await parseCommands(new StringTokens(line), findCommand, (message) => s.error(message));
    if (commands) await s.run(commands);
  }
  reader.close();
  s.print('\n');
  await s.finishBackground();
  return 0;
}

interface LineReader {
  /** The next line, or null at end of input (or once cancelled). */
  read(prompt: string): Promise<string | null>;
  cancel(): void;
  close(): void;
}

/** A pipe or file: readline only splits lines; the prompt and the echo are written here. */
class PipeReader implements LineReader {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private wake: (() => void) | null = null;

  constructor(private readonly s: Session) {
    this.rl = createInterface({ input: Readable.from(losslessText(s.io.stdin)), terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async read(prompt: string): Promise<string | null> {
    this.s.print(prompt);
    const cancelled = new Promise<null>((resolve) => (this.wake = () => resolve(null)));
    const next = this.lines.next().then((r) => (r.done ? null : withoutNul(r.value)));
    const line = await Promise.race([next, cancelled]);
    this.wake = null;
    if (line !== null) this.s.print(`${line}\n`);
    return line;
  }

  cancel(): void {
    this.wake?.();
  }

  close(): void {
    this.rl.close();
  }
}

/**
 * A terminal: one readline interface per line, closed while the command runs so the terminal is back in
 * its normal mode and Ctrl-C reaches the shell as a signal (which cancels a running job).
 */
class TerminalReader implements LineReader {
  private history: string[] = [];
  private current: Interface | null = null;
  private finish: ((line: string | null) => void) | null = null;

  constructor(private readonly s: Session) {}

  read(prompt: string): Promise<string | null> {
    return new Promise((resolve) => {
      const output = this.s.io.terminal?.() ?? (this.s.io.stdout as NodeJS.WritableStream);
      const rl = createInterface({
        input: this.s.io.stdin,
        output,
        terminal: true,
        history: this.history,
        historySize: 1000,
        removeHistoryDuplicates: true,
      });
      this.current = rl;
      let done = false;
      this.finish = (line) => {
        if (done) return;
        done = true;
        this.history = (rl as unknown as { history: string[] }).history ?? this.history;
        this.current = null;
        rl.close();
        resolve(line);
      };
      rl.on('line', (line) => this.finish?.(withoutNul(line)));
      rl.on('close', () => this.finish?.(null));
      // Ctrl-C at the prompt abandons the line being typed, as shells do.
      rl.on('SIGINT', () => {
        (rl as unknown as { line: string }).line = '';
        output.write('^C\n');
        rl.prompt();
      });
      rl.setPrompt(prompt);
      rl.prompt();
    });
  }

  cancel(): void {
    this.finish?.(null);
  }

  close(): void {
    this.current?.close();
  }
}

/** readline, under virsh, drops NUL bytes from the line wherever they are (`\0\0list` runs `list`). */
function withoutNul(line: string): string {
  return line.includes('\0') ? line.replace(/\0/g, '') : line;
}

/**
 * The input as text with bytes that are not UTF-8 kept (see xml/bytes.ts), where readline would turn them
 * into U+FFFD. Chunks are decoded up to their last line feed, which no multi-byte UTF-8 sequence contains.
 */
async function* losslessText(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const cut = data.lastIndexOf(0x0a) + 1;
    if (cut > 0) yield decodeBytes(data.subarray(0, cut));
    pending = data.subarray(cut);
  }
  if (pending.length > 0) yield decodeBytes(pending);
}
