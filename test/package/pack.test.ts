// The published package, end to end: `npm pack` (prepack builds the prebuilt native library, prepare
// builds dist/), `npm install <tarball>` into a fresh project on a PATH with node and npm but no C compiler,
// then every public surface used from that project. Packing compiles the native library and bundles the
// TypeScript, so this file takes about a minute.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackedInstall, npmRegistryProblem, run, type Run } from './workspace.js';

const registryProblem = await npmRegistryProblem();
const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const prebuilt = `prebuilds/${process.platform}-${process.arch}/tsvirt.node`;

/** A consumer script's JSON report, after checking that it ran cleanly. */
function report(result: Run): Record<string, unknown> {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe.skipIf(registryProblem !== undefined)('the packed tarball, installed where there is no compiler', () => {
  let pkg: PackedInstall;
  beforeAll(async () => {
    pkg = await PackedInstall.create();
  }, 300_000);
  afterAll(() => pkg?.dispose());

  it('ships dist, bin, headers and the prebuilt library, and no sources, tests or build tree', async ({ annotate }) => {
    await annotate(`tarball ${(pkg.tarballBytes / 1000).toFixed(1)} kB, ${pkg.entries.length} files; npm install ${(pkg.installMs / 1000).toFixed(1)} s`);
    for (const entry of pkg.entries) expect(entry).toMatch(/^(package\.json|README\.md|LICENSE|dist\/|bin\/|include\/|prebuilds\/)/);
    // One library, and no test libraries that prebuildify would have copied next to it.
    expect(pkg.entries.filter((entry) => entry.startsWith('prebuilds/'))).toEqual([prebuilt]);
    // A binding.gyp makes npm run `node-gyp rebuild` at install time, even with install scripts not allowed.
    expect(pkg.entries).not.toContain('binding.gyp');
    expect(pkg.entries).toContain('include/libvirt/libvirt.h');
    expect(pkg.entries).toContain('include/libvirt/libvirt-job.h');
    // Everything package.json points at is in the tarball.
    const manifest = JSON.parse(readFileSync(join(pkg.installed, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
      bin: Record<string, string>;
      scripts?: Record<string, string>;
    };
    const targets = [
      ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
      ...Object.values(manifest.bin),
    ];
    for (const target of targets) expect(pkg.entries).toContain(target.replace(/^\.\//, ''));
    // Nothing runs at the consumer's install (npm does not run a tarball dependency's prepare).
    for (const script of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts ?? {}).not.toHaveProperty(script);
    // A jump means something crept in. Measured: 989,266 bytes on main at 6942b91, 1,008,903 with streams
    // (vol-upload/vol-download, about 20 KB packed: the code is bundled into several entry points with maps).
    expect(pkg.tarballBytes).toBeLessThan(1_200_000);
  });

  it('installs on a PATH without a compiler and builds nothing', async () => {
    const compilers = await pkg.runAsConsumer('sh', ['-c', 'command -v cc gcc clang c++ g++ make']);
    expect(compilers.stdout).toBe('');
    expect(existsSync(join(pkg.installed, 'build'))).toBe(false);
    expect(existsSync(join(pkg.installed, prebuilt))).toBe(true);
  });

  it("import('tsvirt') saves and restores the test driver's domain", async () => {
    const savePath = join(pkg.project, 'test.save');
    const result = report(await pkg.runAsConsumer('node', ['save-restore.mjs', savePath]));
    expect(result).toEqual({ type: 'TEST', before: 'running', afterSave: 'shutoff', afterRestore: 'running', magic: 'TestGuestMagic\0' });
  });

  it("import('tsvirt/libvirt') works by libvirt's names and error convention", async () => {
    const result = report(await pkg.runAsConsumer('node', ['c-style.mjs']));
    expect(result).toEqual({
      type: 'TEST',
      state: 1,
      missing: null,
      missingError: { code: 42, message: 'Domain not found' },
      closed: 0,
    });
  });

  it('clones a volume on tsvirt:///embed with the prebuilt native library', async () => {
    const root = join(pkg.project, 'embed');
    const result = report(await pkg.runAsConsumer('node', ['clone.mjs', root])) as {
      copyPath: string;
      source: { sha256: string; size: number };
      copy: { sha256: string; size: number };
      nativeLibraries: string[];
    };
    expect(result.copyPath).toBe(join(root, 'images', 'copy.img'));
    expect(result.copy).toEqual(result.source);
    expect(result.source.size).toBe(8 * 1024 * 1024);
    const ours = result.nativeLibraries.filter((path) => path.endsWith('/tsvirt.node'));
    expect(ours).toEqual([join(pkg.installed, prebuilt)]);
  });

  it('npx tsvirsh -c test:///default list --all prints the libvirt table', async () => {
    // `npx --no`: fail rather than fetch a package of that name if the bin were missing.
    const result = await pkg.runAsConsumer('npx', ['--no', '--', 'tsvirsh', '-c', 'test:///default', 'list', '--all']);
    // virsh 9.0's output for this command (reference transcript 01-list-all.txt).
    expect(result).toEqual({
      status: 0,
      stdout: ' Id   Name   State\n----------------------\n 1    test   running\n\n',
      stderr: '',
    });
  });

  it.skipIf(!hasCc)('npx tsvirt-run runs a C program built against the installed headers', async () => {
    const program = join(pkg.project, 'get-type.so');
    // Built with this machine's compiler, outside the consumer's PATH: only running it is the consumer's part.
    const build = await run('cc', ['-shared', '-fPIC', '-Wall', '-Wextra', '-Werror', `-I${join(pkg.installed, 'include')}`, join(pkg.project, 'get-type.c'), '-o', program]);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const result = await pkg.runAsConsumer('npx', ['--no', '--', 'tsvirt-run', program]);
    expect(result).toEqual({ status: 0, stdout: 'TEST\n', stderr: '' });
  });
});

if (registryProblem !== undefined) {
  it('packs and installs the tarball (needs the npm registry)', ({ skip }) => {
    skip(`the npm registry is unreachable: ${registryProblem}`);
  });
}
