// Runs the system C toolchain for the header tests: each call compiles one source in its own scratch
// directory, which is removed afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const ourIncludeDir = join(repoRoot, 'include');
export const realLibvirtDir = '/usr/include/libvirt';
export const hasRealLibvirt = existsSync(join(realLibvirtDir, 'libvirt.h'));

const works = (command: string): boolean => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
export const hasCc = works('cc');
export const hasCxx = works('c++');
export const hasNm = works('nm');

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repository root; LC_ALL=C keeps compiler messages in plain ASCII English. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', ...env }, timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface CompileOptions {
  /** Headers to compile against: ours (-Iinclude) or the system's libvirt 9.0. */
  headers: 'ours' | 'real';
  flags?: string[];
  language?: 'c' | 'c++';
  /** What to produce: diagnostics only, an object file (returned as objectPath to inspect), or a program that is run. */
  output?: 'syntax' | 'object' | 'run';
  /** Called with the object file's path while it still exists. */
  inspectObject?: (objectPath: string) => void;
}

export interface CompileResult extends CommandResult {
  ok: boolean;
  /** Compiler diagnostics, then the program's stdout when output is 'run'. */
  output: string;
}

export function compile(source: string, options: CompileOptions): CompileResult {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-headers-'));
  try {
    const language = options.language ?? 'c';
    const sourcePath = join(dir, language === 'c' ? 'probe.c' : 'probe.cc');
    writeFileSync(sourcePath, source);
    const include = options.headers === 'ours' ? [`-I${ourIncludeDir}`] : [];
    const output = options.output ?? 'syntax';
    const target = output === 'syntax' ? ['-fsyntax-only'] : output === 'object' ? ['-c', '-o', join(dir, 'probe.o')] : ['-o', join(dir, 'probe')];
    const compiler = run(language === 'c' ? 'cc' : 'c++', [...include, ...(options.flags ?? []), ...target, sourcePath]);
    if (compiler.status !== 0) return { ...compiler, ok: false, output: compiler.stderr };
    if (output === 'object') options.inspectObject?.(join(dir, 'probe.o'));
    if (output !== 'run') return { ...compiler, ok: true, output: compiler.stderr };
    const program = run(join(dir, 'probe'), []);
    return { ...program, ok: program.status === 0, output: compiler.stderr + program.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Strips C comments, for text searches that must not match prose. */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ');
}
