// scripts/gen-pkgconfig.mjs: the tsvirt.pc it writes lets pkg-config point a C build at include/.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compile, hasCc, ourIncludeDir, repoRoot, run } from './c-compiler.js';

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const scratchDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-pc-'));
  scratch.push(dir);
  return dir;
};
const hasPkgConfig = run('sh', ['-c', 'command -v pkg-config']).status === 0;

describe('gen-pkgconfig.mjs', () => {
  it('fills in every placeholder with this checkout’s absolute paths', () => {
    const out = join(scratchDir(), 'sub', 'tsvirt.pc');
    const result = run('node', ['scripts/gen-pkgconfig.mjs', '--libdir', '/opt/tsvirt/lib', '--output', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const pc = readFileSync(out, 'utf8');
    expect(pc).not.toMatch(/@\w+@/);
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
    expect(pc).toContain(`\nincludedir=${ourIncludeDir}\n`);
    expect(pc).toContain('\nlibdir=/opt/tsvirt/lib\n');
    expect(pc).toContain(`\nVersion: ${version}\n`);
  });

  it.skipIf(!hasPkgConfig || !hasCc)('lets pkg-config give the flags a C program needs', () => {
    const dir = scratchDir();
    expect(run('node', ['scripts/gen-pkgconfig.mjs', '--libdir', join(dir, 'lib'), '--output', join(dir, 'tsvirt.pc')]).status).toBe(0);
    const flags = run('pkg-config', ['--cflags', '--libs', 'tsvirt'], { PKG_CONFIG_PATH: dir });
    expect(flags.stderr).toBe('');
    expect(flags.stdout.trim()).toBe(`-I${ourIncludeDir} -L${join(dir, 'lib')} -ltsvirt`);
    const cflags = run('pkg-config', ['--cflags', 'tsvirt'], { PKG_CONFIG_PATH: dir }).stdout.trim().split(/\s+/);
    const program = '#include <libvirt/libvirt.h>\nint main(void) { return virJobWait(0) == VIR_JOB_COMPLETED; }\n';
    // No -Iinclude of our own: pkg-config's flags alone must find our headers (only they have virJobWait),
    // ahead of any libvirt installed on the system.
    expect(compile(program, { headers: 'real', flags: ['-Wall', '-Werror', ...cflags] }).output).toBe('');
  });

  it('refuses paths that pkg-config would split, and unknown options', () => {
    const out = join(scratchDir(), 'tsvirt.pc');
    const spaced = run('node', ['scripts/gen-pkgconfig.mjs', '--libdir', '/opt/ts virt', '--output', out]);
    expect(spaced.stderr).toMatch(/libdir "\/opt\/ts virt" contains white space/);
    expect(spaced.status).toBe(1);
    expect(existsSync(out)).toBe(false);
    const unknown = run('node', ['scripts/gen-pkgconfig.mjs', '--prefix', '/x']);
    expect(unknown.stderr).toMatch(/Unknown option '--prefix'/);
    expect(unknown.status).toBe(1);
  });
});
