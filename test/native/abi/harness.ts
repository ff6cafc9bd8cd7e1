// Builds and runs C programs for the C ABI tests: against tsvirt through tsvirt-run (the program as a
// shared object, its vir* symbols left undefined) and, to compare, against the real libvirt (-lvirt) when
// it is installed. Every build goes to a scratch directory of its own.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cSources = fileURLToPath(new URL('./c/', import.meta.url));
export const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
export const hasRealLibvirt =
  existsSync('/usr/include/libvirt/libvirt.h') && spawnSync('pkg-config', ['--exists', 'libvirt']).status === 0;

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'tsvirt-abi-'));
  private readonly cleanups: (() => void)[] = [() => rmSync(this.dir, { recursive: true, force: true })];
  private readonly built = new Map<string, string>();
  private runner: string | undefined;

  /**
   * tsvirt-run, bundled from src/ts/run/main.ts as tsup bundles it for the package. The bundle lives inside
   * the repository (under node_modules/.cache) because the library loader finds the native library from
   * the package root above the running module.
   */
  async runnerPath(): Promise<string> {
    if (this.runner) return this.runner;
    const cache = join(repoRoot, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const out = mkdtempSync(join(cache, 'tsvirt-abi-'));
    this.cleanups.push(() => rmSync(out, { recursive: true, force: true }));
    await build({
      entryPoints: [join(repoRoot, 'src/ts/run/main.ts')],
      outfile: join(out, 'run.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    this.runner = join(out, 'run.mjs');
    return this.runner;
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  /**
   * Compiles `source` (a file under c/, or an absolute path) into a shared object for tsvirt-run, defining
   * TSVIRT. Both builds of a source get the same file name in different folders, so that a program that
   * prints its own name prints the same.
   */
  buildForTsvirt(source: string, flags: string[] = []): string {
    return this.once(`tsvirt:${source}:${flags.join(' ')}`, () => {
      const output = this.output(flags.length ? 'tsvirt-linked' : 'tsvirt', source);
      compile(['-shared', '-fPIC', `-I${join(repoRoot, 'include')}`, '-DTSVIRT', resolveSource(source), '-o', output, ...flags]);
      return output;
    });
  }

  /** Compiles `source` into a program linked against the real libvirt. */
  buildForLibvirt(source: string): string {
    return this.once(`libvirt:${source}`, () => {
      const output = this.output('libvirt', source);
      compile([resolveSource(source), '-o', output, '-lvirt']);
      return output;
    });
  }

  private output(kind: string, source: string): string {
    mkdirSync(join(this.dir, kind), { recursive: true });
    return join(this.dir, kind, source.replace(/^.*\//, '').replace(/\.c$/, ''));
  }

  /** Builds once per workspace: several runs of one program share its build. */
  private once(key: string, make: () => string): string {
    if (!this.built.has(key)) this.built.set(key, make());
    return this.built.get(key)!;
  }

  /** Compiles `source` into a program of its own, linked to nothing but the C library. */
  buildPlain(source: string): string {
    return this.once(`plain:${source}`, () => {
      const output = this.output('plain', source);
      compile([resolveSource(source), '-o', output]);
      return output;
    });
  }

  /**
   * Compiles `source` together with the native library's sources into a program of its own: a unit test of
   * the C side that installs its own dispatcher instead of the TypeScript drivers.
   */
  buildWithNativeSources(source: string): string {
    return this.once(`native:${source}`, () => {
      const output = this.output('native', source);
      const folders = readdirSync(join(repoRoot, 'native/src'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(repoRoot, 'native/src', entry.name));
      const sources = folders.flatMap((folder) =>
        readdirSync(folder)
          .filter((name) => name.endsWith('.c'))
          .map((name) => join(folder, name)),
      );
      compile([
        '-D_GNU_SOURCE',
        '-D_FILE_OFFSET_BITS=64',
        ...folders.map((folder) => `-I${folder}`),
        `-I${join(repoRoot, 'include')}`,
        resolveSource(source),
        ...sources,
        '-o',
        output,
        '-ldl',
      ]);
      return output;
    });
  }

  async runTsvirt(program: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    return execute(process.execPath, [await this.runnerPath(), program, ...args], env);
  }

  runLibvirt(program: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    return execute(program, args, env);
  }

  /** Runs a command with stderr into the same pipe as stdout, so `stdout` holds both in the order written. */
  static merged(command: string, args: string[]): Promise<Result> {
    return execute('sh', ['-c', '"$0" "$@" 2>&1', command, ...args], {});
  }
}

function resolveSource(source: string): string {
  return source.startsWith('/') ? source : join(cSources, source);
}

function compile(args: string[]): void {
  const result = spawnSync('cc', ['-std=gnu11', '-g', '-O1', '-Wall', '-Werror', '-pthread', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (result.status !== 0) throw new Error(`cc ${args.join(' ')} failed:\n${result.stderr}`);
}

function execute(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, LC_ALL: 'C', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
