import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  virStoragePoolFree,
  virStoragePoolListAllVolumes,
  virStoragePoolLookupByName,
  virStorageVolLookupByName,
} from '../../src/ts/api/storage.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { MiB, closeAll, expectVirError, openEmbed, partialFiles, sha256, startedPool, tempDir } from './helpers.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let childScript: string;
let bundleDir: string;
let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  // The child runs the driver from source, bundled the way tsup builds it; inside the package, so that
  // the native library is found as it is for the package itself.
  await mkdir(join(repo, 'tmp'), { recursive: true });
  bundleDir = await mkdtemp(join(repo, 'tmp', 'storage-dir-child-'));
  childScript = join(bundleDir, 'clone-child.mjs');
  await build({
    entryPoints: [join(repo, 'test', 'storage-dir', 'fixtures', 'clone-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: childScript,
    external: ['koffi', 'node-gyp-build'],
    logLevel: 'error',
  });
  ({ dir: root, cleanup } = await tempDir('crash'));
});
afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
  await cleanup();
});

/** Runs the child until its clone moves data, then kills it with SIGKILL. */
function cloneAndKill(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('progress ')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(out);
      else reject(new Error(`child exited (${code}) before it could be killed mid-clone:\n${out}${err}`));
    });
  });
}

it('a clone killed with SIGKILL leaves no volume under its name, and the next start removes its leftovers', async () => {
  const dir = join(root, 'images');
  let conn = await openEmbed(root);
  const pool = await startedPool(conn, 'images', dir);
  // 512 MiB of data: long enough to be mid-copy when the child is killed.
  const block = Buffer.alloc(4 * MiB, 0x5a);
  const file = join(dir, 'base');
  await writeFile(file, '');
  for (let i = 0; i < 128; i++) await writeFile(file, block, { flag: 'a' });
  const before = await sha256(file);
  virStoragePoolFree(pool);
  closeAll(conn);

  const out = await cloneAndKill([root, 'images', 'base', 'copy']);
  expect(out).toMatch(/^progress \d+\n$/);

  // Killed mid-copy: the volume is not there under its name, only the partial file of a dead process.
  expect(existsSync(join(dir, 'copy'))).toBe(false);
  expect(await partialFiles(dir)).toHaveLength(1);

  // The next start of the driver (a new connection) removes it.
  conn = await openEmbed(root);
  expect(await partialFiles(dir)).toEqual([]);
  const reopened = await virStoragePoolLookupByName(conn, 'images');
  expect((await virStoragePoolListAllVolumes(reopened, 0)).map((v) => v.name)).toEqual(['base']);
  await expectVirError(
    () => virStorageVolLookupByName(reopened, 'copy'),
    ErrorNumber.VIR_ERR_NO_STORAGE_VOL,
    ErrorDomain.VIR_FROM_STORAGE,
    "Storage volume not found: no storage vol with matching name 'copy'",
  );
  expect(await sha256(file)).toBe(before);
  virStoragePoolFree(reopened);
  closeAll(conn);
});
