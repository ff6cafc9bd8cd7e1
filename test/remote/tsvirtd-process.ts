// A tsvirtd process (bin/tsvirtd.js, from dist/) on a private socket, for tests of tsvirt's clients against it:
// a daemon in another process, as users run it (the remote driver is not used inside a daemon's own process).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../cli/harness.js';

export const TSVIRTD = join(REPO, 'bin/tsvirtd.js');
export const TSVIRSH = join(REPO, 'bin/tsvirsh.cjs');

export interface TsvirtdProcess {
  readonly child: ChildProcess;
  readonly socket: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** Starts tsvirtd on `socket` with its journal in `stateDir`; resolves once it listens. */
export async function startTsvirtd(socket: string, stateDir: string, extra: string[] = []): Promise<TsvirtdProcess> {
  const child = spawn(process.execPath, [TSVIRTD, '--listen', socket, '--no-readonly', '--state-dir', stateDir, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const proc: TsvirtdProcess = {
    child,
    socket,
    exited,
    stderr: () => stderr,
    async stop(graceMs = 5000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  for (let i = 0; i < 400 && !stderr.includes('listening on') && !gone(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!stderr.includes('listening on')) {
    await proc.kill();
    throw new Error(`tsvirtd did not start:\n${stderr}`);
  }
  return proc;
}
