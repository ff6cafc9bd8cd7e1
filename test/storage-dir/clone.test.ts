import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  virStorageVolCreateXMLFrom,
  virStorageVolCreateXMLFromJob,
  virStorageVolCreateXMLJob,
  virStorageVolDelete,
  virStorageVolFree,
  virStorageVolGetInfo,
  virStorageVolLookupByName,
  virStorageVolWipeJob,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import {
  expectAllocation,
  expectVirError,
  makeFile,
  MiB,
  openImagesPool,
  partialFiles,
  sha256,
  sleep,
  startedPool,
  volXml,
} from './helpers.js';
import { dataBytes, dataExtents } from '../extents.js';

const FROM = ErrorDomain.VIR_FROM_STORAGE;
const E = ErrorNumber;
const REFLINK = 2;

let root: string;
let close: () => Promise<void>;
let conn: VirConnect;
let pool: VirStoragePool;
let other: VirStoragePool;
let dir: string;
let otherDir: string;

beforeAll(async () => {
  ({ root, conn, pool, dir, close } = await openImagesPool('clone'));
  otherDir = join(root, 'other');
  other = await startedPool(conn, 'other', otherDir);
  // 64 MiB with three data extents; and a dense 16 MiB file.
  await makeFile(join(dir, 'sparse'), 64 * MiB, [
    [0, MiB],
    [20 * MiB, 3 * MiB],
    [63 * MiB, MiB],
  ]);
  await makeFile(join(dir, 'dense'), 16 * MiB);
});
afterAll(() => close());

const source = (name: string) => virStorageVolLookupByName(pool, name);
const cloneXml = (name: string, capacity = 0) => `<volume><name>${name}</name><capacity>${capacity}</capacity></volume>`;

/** Same bytes, same size, and the same data extents: the source's holes are the clone's. */
async function expectSameData(from: string, to: string): Promise<void> {
  expect(await sha256(to)).toBe(await sha256(from));
  expect(statSync(to).size).toBe(statSync(from).size);
  expect(dataExtents(to)).toEqual(dataExtents(from));
}

describe('clone', () => {
  it('copies a sparse volume exactly, holes staying holes', async () => {
    const vol = await virStorageVolCreateXMLFrom(pool, cloneXml('sparse-copy'), await source('sparse'), 0);
    await expectSameData(join(dir, 'sparse'), join(dir, 'sparse-copy'));
    expect(dataBytes(join(dir, 'sparse-copy'))).toBe(5 * MiB);
    expect((await virStorageVolGetInfo(vol)).capacity).toBe(64 * MiB);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('copies a dense volume into another pool', async () => {
    await virStorageVolCreateXMLFrom(other, cloneXml('dense-copy'), await source('dense'), 0);
    await expectSameData(join(dir, 'dense'), join(otherDir, 'dense-copy'));
  });

  it('grows the clone to the capacity its XML asks for, never below the source', async () => {
    const big = await virStorageVolCreateXMLFrom(pool, cloneXml('bigger', 100 * MiB), await source('dense'), 0);
    expect((await virStorageVolGetInfo(big)).capacity).toBe(100 * MiB);
    expectAllocation((await virStorageVolGetInfo(big)).allocation, 16 * MiB);
    const small = await virStorageVolCreateXMLFrom(pool, cloneXml('smaller', MiB), await source('dense'), 0);
    expect((await virStorageVolGetInfo(small)).capacity).toBe(16 * MiB);
  });

  it('reports progress while it copies, and completes at 100%', async () => {
    await makeFile(join(dir, 'large'), 256 * MiB);
    const job = await virStorageVolCreateXMLFromJob(pool, cloneXml('large-copy'), await source('large'), 0, 0);
    const seen: number[] = [];
    job.subscribe((j, event) => {
      if (event === 'progress') seen.push(j.getInfo().dataProcessed);
    });
    expect(job.operation).toBe('volume-clone');
    await job.whenDone();
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.getInfo()).toMatchObject({ percentComplete: 100, dataProcessed: 256 * MiB, dataTotal: 256 * MiB });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(job.vol?.name).toBe('large-copy');
    await expectSameData(join(dir, 'large'), join(dir, 'large-copy'));
    job.unref();
  });

  it('refuses REFLINK where the filesystem cannot share extents, naming the source', async () => {
    await expectVirError(
      async () => virStorageVolCreateXMLFrom(pool, cloneXml('reflinked'), await source('dense'), REFLINK),
      E.VIR_ERR_SYSTEM_ERROR,
      FROM,
      `failed to clone files from '${dir}/dense': Operation not supported`,
    );
    expect(existsSync(join(dir, 'reflinked'))).toBe(false);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('refuses a taken name, a missing source and foreign flags as libvirt does', async () => {
    await expectVirError(
      async () => virStorageVolCreateXMLFrom(pool, cloneXml('dense'), await source('sparse'), 0),
      E.VIR_ERR_INTERNAL_ERROR,
      FROM,
      "internal error: storage volume name 'dense' already in use.",
    );
    await expectVirError(
      async () => virStorageVolCreateXMLFrom(pool, cloneXml('x'), await source('dense'), 8),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x8) in function storageVolCreateXMLFrom',
    );
    const gone = await virStorageVolCreateXMLFrom(pool, cloneXml('gone'), await source('dense'), 0);
    await virStorageVolDelete(gone, 0);
    await expectVirError(
      () => virStorageVolCreateXMLFrom(pool, cloneXml('from-gone'), gone, 0),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      "Storage volume not found: no storage vol with matching name 'gone'",
    );
    virStorageVolFree(gone);
  });

  it('reserves the new name and the source while it runs', async () => {
    const src = await source('large');
    const job = await virStorageVolCreateXMLFromJob(pool, cloneXml('held'), src, 0, 0);
    try {
      await expectVirError(
        () => virStorageVolCreateXMLFromJob(pool, cloneXml('held'), src, 0, 0),
        E.VIR_ERR_INTERNAL_ERROR,
        FROM,
        "internal error: storage volume name 'held' already in use.",
      );
      await expectVirError(
        () => virStorageVolCreateXMLJob(pool, volXml('held', MiB), 0, 0),
        E.VIR_ERR_STORAGE_VOL_EXIST,
        FROM,
        "storage volume 'held' exists already",
      );
      await expectVirError(() => virStorageVolDelete(src, 0), E.VIR_ERR_OPERATION_INVALID, FROM, "Requested operation is not valid: volume 'large' is still in use.");
      await expectVirError(() => virStorageVolWipeJob(src, 0, 0), E.VIR_ERR_OPERATION_INVALID, FROM, "Requested operation is not valid: volume 'large' is still in use.");
    } finally {
      await job.whenDone();
      job.unref();
    }
    expect(job.state).toBe(JobState.COMPLETED);
  });
});

describe('cancel', () => {
  // cancel.test.ts and cancel-order.test.ts cancel at every point; bench/storage-jobs.mjs measures how fast.
  it("ends a large clone cancelled while it copies, with libvirt's error and nothing left", async () => {
    const job = await virStorageVolCreateXMLFromJob(pool, cloneXml('cancelled-clone'), await source('large'), 0, 0);
    await new Promise<void>((resolve) => {
      const stop = job.subscribe((j, event) => {
        if (event === 'end' || j.processed > 0) {
          stop();
          resolve();
        }
      });
    });
    expect(job.running).toBe(true);
    job.cancel();
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(job.error?.message).toBe('operation aborted: volume clone job: canceled by client');
    job.unref();
    expect(existsSync(join(dir, 'cancelled-clone'))).toBe(false);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('also cancels volume creation and wipe', async () => {
    const create = await virStorageVolCreateXMLJob(pool, volXml('alloc', 512 * MiB), 0, 0);
    create.cancel();
    await create.whenDone();
    expect(create.state).toBe(JobState.CANCELLED);
    create.unref();
    expect(existsSync(join(dir, 'alloc'))).toBe(false);
    expect(await partialFiles(dir)).toEqual([]);

    const wipe = await virStorageVolWipeJob(await source('large'), 7, 0);
    await sleep(20);
    wipe.cancel();
    await wipe.whenDone();
    expect(wipe.state).toBe(JobState.CANCELLED);
    expect(wipe.error?.message).toBe('operation aborted: volume wipe job: canceled by client');
    wipe.unref();
    // The volume stays, partly overwritten, as libvirt's would.
    expect(statSync(join(dir, 'large')).size).toBe(256 * MiB);
  });
});
