// The package as a consumer receives it: packed from a copy of this checkout by its own lifecycle scripts,
// then installed into a fresh project by npm on a PATH without a C compiler. Every step runs in a scratch
// directory, so the checkout's build/ and dist/, which other tests load while this one runs, stay untouched.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Scripts that use the installed package, copied into the consumer project. */
export const consumerSources = fileURLToPath(new URL('./consumer/', import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a failure is a result to inspect, not an exception. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, stdout, stderr: error && status === null ? `${stderr}${error.message}\n` : stderr });
      },
    );
  });
}

/** Why the npm registry cannot serve the install, or undefined when it answers. */
export async function npmRegistryProblem(): Promise<string | undefined> {
  // No retries: an unreachable registry would otherwise cost minutes of back-off before the skip.
  const ping = await run('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=15000'], { timeoutMs: 30_000 });
  if (ping.status === 0) return undefined;
  const lines = `${ping.stderr}${ping.stdout}`.trim().split('\n');
  return lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? `npm ping exited with ${ping.status}`;
}

/**
 * Top-level entries of the checkout not copied for packing: node_modules is linked instead (CI has run
 * `npm ci` before the tests), .git is not needed, and the build outputs must be produced by the pack itself,
 * so that a stale artefact cannot stand in for a broken build.
 */
const NOT_COPIED = new Set(['.git', 'node_modules', 'build', 'dist', 'prebuilds', 'tmp']);

/** The tools a consumer without a compiler has: node and npm, and the shell npm runs scripts with. */
const CONSUMER_TOOLS = ['node', 'npm', 'npx', 'sh'] as const;

export class PackedInstall {
  private constructor(
    readonly scratch: string,
    /** The tarball `npm pack` wrote. */
    readonly tarball: string,
    /** Its entries, without tar's `package/` prefix. */
    readonly entries: readonly string[],
    /** A bin directory holding only CONSUMER_TOOLS. */
    readonly toolsDir: string,
    /** The fresh project the tarball was installed into. */
    readonly project: string,
    readonly installMs: number,
  ) {}

  /** The installed package's folder. */
  get installed(): string {
    return join(this.project, 'node_modules', 'tsvirt');
  }

  get tarballBytes(): number {
    return statSync(this.tarball).size;
  }

  /** Runs a command in the consumer project, as a consumer would. */
  runAsConsumer(command: string, args: string[]): Promise<Run> {
    return run(command, args, { cwd: this.project, env: consumerEnv(this.toolsDir) });
  }

  static async create(): Promise<PackedInstall> {
    const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-pack-'));
    try {
      const tarball = await pack(scratch);
      const entries = await listTarball(tarball);
      const toolsDir = consumerTools(scratch);
      const project = join(scratch, 'project');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tsvirt-consumer', private: true, type: 'module' }));
      cpSync(consumerSources, project, { recursive: true });
      const started = performance.now();
      const install = await run('npm', ['install', tarball, '--no-audit', '--no-fund'], {
        cwd: project,
        env: consumerEnv(toolsDir),
      });
      const installMs = performance.now() - started;
      if (install.status !== 0) throw commandFailed('npm install', install);
      return new PackedInstall(scratch, tarball, entries, toolsDir, project, installMs);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** What a consumer's shell has: only the tools, no compiler, and compiler variables that fail if used. */
function consumerEnv(toolsDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: toolsDir, CC: 'false', CXX: 'false', TSVIRT_TEST_RATE: '0' };
  // The installed package must find its own prebuilt library, not one this test run points at.
  delete env.TSVIRT_NATIVE_LIBRARY;
  return env;
}

/** Packs a copy of the checkout with its own lifecycle scripts; returns the tarball's path. */
async function pack(scratch: string): Promise<string> {
  const source = join(scratch, 'source');
  cpSync(repoRoot, source, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (path) => !NOT_COPIED.has(relative(repoRoot, path).split('/')[0]!),
  });
  symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'));
  const out = join(scratch, 'out');
  mkdirSync(out);
  const result = await run('npm', ['pack', '--pack-destination', out], { cwd: source, timeoutMs: 240_000 });
  if (result.status !== 0) throw commandFailed('npm pack', result);
  const tarballs = readdirSync(out).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${JSON.stringify(tarballs)}, expected one tarball`);
  return join(out, tarballs[0]!);
}

async function listTarball(tarball: string): Promise<string[]> {
  const list = await run('tar', ['-tzf', tarball]);
  if (list.status !== 0) throw commandFailed('tar -tzf', list);
  return list.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
}

/** A bin directory with links to this machine's node, npm, npx and sh, and nothing else. */
function consumerTools(scratch: string): string {
  const dir = join(scratch, 'tools');
  mkdirSync(dir);
  const npm = realpathSync(locate('npm'));
  const targets: Record<(typeof CONSUMER_TOOLS)[number], string> = {
    node: process.execPath,
    npm,
    // npm installs npx next to npm (bin/npx-cli.js beside bin/npm-cli.js, or bin/npx beside bin/npm).
    npx: join(dirname(npm), basename(npm).replace(/^npm/, 'npx')),
    sh: locate('sh'),
  };
  for (const tool of CONSUMER_TOOLS) symlinkSync(targets[tool], join(dir, tool));
  return dir;
}

function locate(command: string): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path.startsWith('/')) throw new Error(`cannot find '${command}' on PATH`);
  return path;
}

function commandFailed(what: string, result: Run): Error {
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
  return new Error(`${what} exited with ${result.status}:\n${tail}`);
}
