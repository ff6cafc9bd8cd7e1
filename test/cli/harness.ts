import { execFile, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/ts/cli/main.js';
import type { CliIO } from '../../src/ts/cli/session.js';

/** Helpers shared by the CLI tests: run tsvirsh in-process or as a process, run real virsh, normalise. */

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export { REFERENCE } from '../reference.js';
export const LAUNCHER = join(REPO, 'bin/tsvirsh.cjs');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text fed to stdin (a pipe, not a terminal). */
  stdin?: string;
  env?: Record<string, string | undefined>;
  /** Signals delivered to the shell while it runs, e.g. to cancel a job. */
  signals?: EventEmitter;
}

/** Runs tsvirsh's main() in this process with captured output; jobs finish at once unless env says otherwise. */
export async function runInProcess(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  // A forced exit (the second Ctrl-C) ends the run at once, as process.exit would; main() is left behind.
  let exit!: (status: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const stdin = Readable.from(options.stdin === undefined ? [] : [options.stdin]) as unknown as CliIO['stdin'];
  const io: CliIO = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    stdin,
    env: { ...options.env },
    signals: options.signals ?? new EventEmitter(),
    exit: (status) => exit(status),
  };
  const saved = process.env.TSVIRT_TEST_RATE;
  process.env.TSVIRT_TEST_RATE = options.env?.TSVIRT_TEST_RATE ?? '0';
  try {
    const status = await Promise.race([main(argv, io), exited]);
    return { status, stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.TSVIRT_TEST_RATE;
    else process.env.TSVIRT_TEST_RATE = saved;
  }
}

/** Runs the built launcher as a real process. */
export function runProcess(argv: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [LAUNCHER, ...argv], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, TSVIRT_TEST_RATE: '0', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the built shell (bin/tsvirsh.cjs) as a process and tells which of its chunks ran, as their code
 * (chunk-probe.cjs): with names kept in the build, a test can tell a module's chunk by the names it defines.
 */
export async function chunksRun(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; ran: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirsh-probe-'));
  const log = join(dir, 'chunks.log');
  try {
    const probe = join(REPO, 'test/cli/chunk-probe.cjs');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-r', probe, LAUNCHER, ...argv], { env: { ...env, TSVIRSH_CHUNK_LOG: log } }, (error, out, err) =>
        error ? reject(new Error(`tsvirsh ${argv.join(' ')}: ${error.message}\n${err}`)) : resolve(out),
      ),
    );
    const ran = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string);
    return { stdout, ran };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The command tables of tsvirsh's groups, as the build names them (src/ts/cli/commands/). */
export const GROUP_TABLES = ['domainCommands', 'monitorCommands', 'hostCommands', 'networkCommands', 'poolCommands', 'volumeCommands', 'jobCommands', 'shellCommands'];

/** The command tables that `ran` (chunksRun) defined. */
export const tablesDefined = (ran: readonly string[]): string[] =>
  GROUP_TABLES.filter((table) => ran.some((code) => new RegExp(`[ ,;]${table}=[^=]`).test(code)));

export const virshInstalled = spawnSync('virsh', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Runs the real virsh (libvirt 9.0), the reference. virsh 9.0 sometimes hangs when a save or dump fails at
 * once (its worker thread quits the event loop before the main thread enters it): such a run is killed
 * and retried.
 */
export function runVirsh(argv: readonly string[], options: { cwd?: string; input?: string; before?: () => void } = {}): RunResult {
  for (let attempt = 1; ; attempt++) {
    options.before?.();
    const r = spawnSync('virsh', argv, { cwd: options.cwd ?? REPO, input: options.input ?? '', encoding: 'utf8', timeout: 10_000 });
    if (r.signal === null || attempt === 5) return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
}

/** UUIDs that are the same in every run: the test driver's built-in objects. */
const FIXED_UUIDS = new Set([
  '6695eb01-f6a4-8304-79aa-97f2502e193f',
  'dd8fe884-6c02-601e-7551-cca97df1c5df',
  'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566',
]);

/**
 * Blanks what legitimately differs between two runs: the wall-clock `CPU time:` of the test driver and
 * UUIDs generated for new objects (numbered in order of appearance, so "the same new UUID twice" still
 * has to hold).
 */
export function normalise(text: string): string {
  const seen = new Map<string, string>();
  return text
    .replace(/^(CPU time: +)[0-9.]+s$/gm, '$1<time>s')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (uuid) => {
      if (FIXED_UUIDS.has(uuid)) return uuid;
      if (!seen.has(uuid)) seen.set(uuid, `<uuid-${seen.size + 1}>`);
      return seen.get(uuid)!;
    });
}

/** True when the built CLI is missing or older than any source file, so spawned tests must rebuild. */
export function buildIsStale(): boolean {
  const built = join(REPO, 'dist/tsvirsh/tsvirsh.cjs');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  return newest(join(REPO, 'src/ts')) > builtAt;
}

/** Builds dist/ (tsup) when needed, so that spawned tests run the current sources. */
export function ensureBuilt(): void {
  if (!buildIsStale()) return;
  const r = spawnSync('npx', ['tsup'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * A copy of the built shell (launcher and dist/tsvirsh/ files of chunks) under `dir`, without code caches: after
 * a command, cachedChunks() tells which files it read, since the launcher writes a cache for each.
 */
export function installShellCopy(dir: string): { launcher: string; chunks: string } {
  const root = join(dir, 'shell-copy');
  const chunks = join(root, 'dist', 'tsvirsh');
  mkdirSync(join(root, 'bin'), { recursive: true });
  cpSync(join(REPO, 'dist', 'tsvirsh'), chunks, { recursive: true, filter: (src) => !src.endsWith('.cache') });
  cpSync(LAUNCHER, join(root, 'bin', 'tsvirsh.cjs'));
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  return { launcher: join(root, 'bin', 'tsvirsh.cjs'), chunks };
}

/** The files of a shell copy that have a code cache, by name without hash: 'tsvirsh', 'runtime', 'open', ... */
export function cachedChunks(chunks: string): string[] {
  return readdirSync(chunks)
    .filter((f) => f.endsWith('.cjs.cache'))
    .map((f) => f.replace(/(-[A-Z0-9]+)?\.cjs\.cache$/, ''));
}
