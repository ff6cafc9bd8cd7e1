import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, type DaemonOptions } from '../../src/ts/daemon/server.js';

export interface TestDaemon {
  daemon: Daemon;
  dir: string;
  socket: string;
  readOnlySocket: string;
  /** REMOTE calls seen, in order, per client id. */
  calls: Map<number, string[]>;
  logs: string[];
  stop(): Promise<void>;
}

/** A tsvirtd in this process, listening in a fresh temporary folder. */
export async function startDaemon(options: Partial<DaemonOptions> = {}): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-test-'));
  const socket = join(dir, 'sock');
  const readOnlySocket = join(dir, 'sock-ro');
  const calls = new Map<number, string[]>();
  const logs: string[] = [];
  const daemon = new Daemon({
    socketPath: socket,
    readOnlySocketPath: readOnlySocket,
    log: (m) => logs.push(m),
    onCall: (client, proc) => {
      if (!calls.has(client)) calls.set(client, []);
      calls.get(client)!.push(proc);
    },
    ...options,
  });
  await daemon.start();
  return {
    daemon,
    dir,
    socket,
    readOnlySocket,
    calls,
    logs,
    async stop() {
      await daemon.stop(1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProcessResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking this process's event loop (the daemon under test lives in it). */
export function run(file: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, encoding: 'utf8', env: options.env ?? process.env }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** `DRIVER:///PATH[?query]` as the same URI through the daemon's socket. */
export function throughSocket(uri: string, socket: string): string {
  const m = /^([a-z]+):\/\/\/([^?]*)(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`unexpected URI ${uri}`);
  return `${m[1]}+unix:///${m[2]}${m[3] ? `${m[3]}&` : '?'}socket=${socket}`;
}
