import { readFileSync, writeSync } from 'node:fs';
import { decodeBytes, encodeBytes } from '../xml/bytes.js';
import type { CliIO } from './session.js';

/**
 * The real process as the shell's input and output. Output goes straight to file descriptors 1 and 2 with
 * blocking writes, as virsh's stdio does: ordering between stdout and stderr is what the commands wrote,
 * and a one-shot command does not pay for building Node's stream objects (several milliseconds of a start
 * that has to stay close to a bare `node`). Whether a descriptor is a terminal is only asked when needed.
 */
function isTerminal(fd: number): boolean {
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/** A tiny sleep for a full non-blocking pipe, without spinning the CPU. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes `text` out as the bytes it stands for: bytes that were not UTF-8 in a file or argument go out unchanged. */
function writeAll(fd: number, text: string): void {
  const data = encodeBytes(text);
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(fd, data, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      // The reader went away (`tsvirsh list | head -1`): there is no one left to tell.
      else if (code === 'EPIPE') return;
      else throw err;
    }
  }
}

function output(fd: number): CliIO['stdout'] {
  let tty: boolean | undefined;
  return {
    write: (text: string) => writeAll(fd, text),
    get isTTY() {
      return (tty ??= isTerminal(fd));
    },
  };
}

export function processIO(): CliIO {
  return {
    stdout: output(1),
    stderr: output(2),
    get stdin() {
      return process.stdin;
    },
    terminal: () => process.stdout,
    env: process.env,
    signals: process,
    exit: (status) => process.exit(status),
  };
}

/**
 * The process's arguments after the script, as the bytes they are. Node decodes argv as UTF-8 and turns
 * what is not UTF-8 into U+FFFD, so `caf\xe9` and `caf\xe8` would read the same; /proc/self/cmdline has the
 * bytes, decoded here with invalid ones kept (see xml/bytes.ts). Where it is not available or does not line
 * up with Node's view, Node's argv is used.
 */
export function processArguments(): string[] {
  const lossy = process.argv.slice(2);
  // Node decodes the arguments as UTF-8 and puts U+FFFD for bytes that are not: without one, its view is exact.
  if (!lossy.some((arg) => arg.includes('\uFFFD'))) return lossy;
  try {
    const raw = readFileSync('/proc/self/cmdline');
    const all = raw.subarray(0, raw.length - 1).toString('latin1').split('\0').map((arg) => Buffer.from(arg, 'latin1'));
    const mine = all.slice(all.length - lossy.length);
    if (mine.length === lossy.length && mine.every((bytes, i) => bytes.toString('utf8') === lossy[i])) {
      return mine.map(decodeBytes);
    }
  } catch {
    // Not Linux, or no /proc: Node's view is all there is.
  }
  return lossy;
}
