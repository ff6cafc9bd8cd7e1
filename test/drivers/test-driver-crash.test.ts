import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nativeLibraryPath } from '../../src/ts/native/library.js';
import { REFERENCE } from '../reference.js';

/**
 * Test-driver saves seen from outside the process that makes them: killed with SIGKILL at random moments,
 * and made by an unprivileged user, to whom directory permissions apply (tests run as root, which ignores them).
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIBVIRT_IMAGE = readFileSync(join(REFERENCE, 'files/test-domain.save'));
const NOBODY = 65534;
let bundleDir: string;
let child: string;
let dir: string;
let nativeLibrary: string;

beforeAll(async () => {
  // The child, koffi and the native library together under the system's temporary directory, not in the clone:
  // the unprivileged child must reach all three (without the library, saves fall back to named temporary files),
  // and a clone may sit in a directory only root can enter (mktemp -d).
  bundleDir = mkdtempSync(join(tmpdir(), 'tsvirt-save-child-'));
  chmodSync(bundleDir, 0o755);
  for (const pkg of ['koffi', '@koromix']) // koffi and its prebuilt binary's package
    if (existsSync(join(repo, 'node_modules', pkg)))
      cpSync(join(repo, 'node_modules', pkg), join(bundleDir, 'node_modules', pkg), { recursive: true });
  nativeLibrary = join(bundleDir, 'tsvirt.node');
  copyFileSync(nativeLibraryPath(), nativeLibrary);
  child = join(bundleDir, 'save-child.mjs');
  await build({
    entryPoints: [join(repo, 'test', 'drivers', 'fixtures', 'save-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    external: ['koffi', 'node-gyp-build'],
    logLevel: 'error',
  });
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-save-crash-'));
  chmodSync(dir, 0o755);
});
afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TSVIRT_NATIVE_LIBRARY: nativeLibrary };
}

/** libvirt's image of domain `test` whatever its id: the header, its length, then the whole XML. */
function isCompleteImage(data: Buffer): boolean {
  const ours = data.toString('latin1').replace(/<domain type='test' id='\d+'>/, "<domain type='test' id='1'>");
  const body = data.length - 19;
  return data.readInt32LE(15) === body && ours.slice(19) === LIBVIRT_IMAGE.toString('latin1').slice(19);
}

/** Runs the saving loop until it has saved `saves` times and `extraMs` more, then kills it with SIGKILL. */
function saveAndKill(target: string, saves: number, extraMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, 'loop', target], { stdio: ['ignore', 'pipe', 'pipe'], cwd: repo, env: childEnv() });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`saved ${saves}\n`)) setTimeout(() => proc.kill('SIGKILL'), extraMs);
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited (${code}) before it was killed:\n${out}${err}`)),
    );
  });
}

it('SIGKILL at any moment of a save leaves complete images and no other file', async () => {
  for (let round = 0; round < 6; round++) {
    const target = join(dir, `round-${round}`);
    mkdirSync(target);
    await saveAndKill(target, 3, round * 7);
    const names = readdirSync(target);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      expect(name).toMatch(/^img-\d+$/);
      expect(isCompleteImage(readFileSync(join(target, name)))).toBe(true);
    }
  }
});

it('as an unprivileged user: an existing writable file in a directory it may not write is overwritten, as libvirt does', () => {
  const locked = join(dir, 'locked');
  mkdirSync(locked, 0o755); // root's: nobody may not create files here
  const file = join(locked, 'image');
  writeFileSync(file, 'old');
  chownSync(file, NOBODY, NOBODY);
  const run = (path: string) =>
    spawnSync(process.execPath, [child, 'save', path], { uid: NOBODY, gid: NOBODY, cwd: '/', encoding: 'utf8', env: { ...childEnv(), HOME: '/' } });
  const saved = run(file);
  expect(saved.stderr).toBe('');
  expect(saved.stdout).toBe('ok\n');
  expect(readFileSync(file)).toEqual(LIBVIRT_IMAGE);
  expect(readdirSync(locked)).toEqual(['image']);
  // A new file there is refused, in libvirt's words.
  const refused = run(join(locked, 'new'));
  expect(refused.stdout).toBe(`saving domain 'test' to '${join(locked, 'new')}': open failed: Permission denied\n`);
  expect(readdirSync(locked)).toEqual(['image']);
});
