import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  virStoragePoolListAllVolumes,
  virStorageVolCreateXML,
  virStorageVolCreateXMLFrom,
  virStorageVolGetInfo,
  virStorageVolLookupByName,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { MiB, closeAll, expectAllocation, expectVirError, makeFile, mkdirp, openEmbed, run, startedPool, tempDir, volXml } from './helpers.js';

const FROM = ErrorDomain.VIR_FROM_STORAGE;
let root: string;
let cleanup: () => Promise<void>;
let small: string;
let mounted = false;
let conn: VirConnect;
let pool: VirStoragePool;
let big: VirStoragePool;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('full'));
  small = join(root, 'small');
  await mkdirp(small);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tsvirt-full', small]);
    mounted = true;
  } catch {
    console.warn('skipped: cannot mount a tmpfs here');
    return;
  }
  conn = await openEmbed(root);
  pool = await startedPool(conn, 'small', small);
  big = await startedPool(conn, 'big', join(root, 'big'));
  await makeFile(join(root, 'big', 'twelve'), 12 * MiB);
});
afterAll(async () => {
  if (mounted) {
    closeAll(conn);
    await run('umount', [small]);
  }
  await cleanup();
});

const volumeFiles = async () => (await readdir(small)).sort();

it('a volume that does not fit fails with the volume named, and leaves nothing', async ({ skip }) => {
  if (!mounted) skip();
  await expectVirError(
    () => virStorageVolCreateXML(pool, volXml('v16', 16 * MiB), 0),
    ErrorNumber.VIR_ERR_SYSTEM_ERROR,
    FROM,
    `cannot allocate ${16 * MiB} bytes in file '${small}/v16': No space left on device`,
  );
  expect(await volumeFiles()).toEqual([]);
});

it('a clone that does not fit fails with the volume named, and leaves nothing', async ({ skip }) => {
  if (!mounted) skip();
  const source = await virStorageVolLookupByName(big, 'twelve');
  await expectVirError(
    () => virStorageVolCreateXMLFrom(pool, '<volume><name>c12</name><capacity>0</capacity></volume>', source, 0),
    ErrorNumber.VIR_ERR_SYSTEM_ERROR,
    FROM,
    `failed writing to file '${small}/c12': No space left on device`,
  );
  expect(await volumeFiles()).toEqual([]);
});

it('the pool still works once the failures are cleaned up', async ({ skip }) => {
  if (!mounted) skip();
  const vol = await virStorageVolCreateXML(pool, volXml('v4', 4 * MiB), 0);
  expect(await virStorageVolGetInfo(vol)).toMatchObject({ type: 0, capacity: 4 * MiB });
  expectAllocation((await virStorageVolGetInfo(vol)).allocation, 4 * MiB);
  expect((await virStoragePoolListAllVolumes(pool, 0)).map((v) => v.name)).toEqual(['v4']);
});
