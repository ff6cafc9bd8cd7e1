import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import {
  virStoragePoolBuild,
  virStoragePoolCreate,
  virStoragePoolDefineXML,
  virStoragePoolFree,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';

export const run = promisify(execFile);
export const MiB = 1024 * 1024;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh directory under the system's temp dir; `cleanup` removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `tsvirt-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function openEmbed(root: string): Promise<VirConnect> {
  return virConnectOpen(`tsvirt:///embed?root=${root}`);
}

export function closeAll(...conns: VirConnect[]): void {
  for (const conn of conns) if (conn.alive) virConnectClose(conn);
}

export const poolXml = (name: string, path: string, extra = '') =>
  `<pool type='dir'><name>${name}</name>${extra}<target><path>${path}</path></target></pool>`;

export const volXml = (name: string, capacity: number, allocation?: number, extra = '') =>
  `<volume><name>${name}</name><capacity unit='bytes'>${capacity}</capacity>` +
  (allocation === undefined ? '' : `<allocation unit='bytes'>${allocation}</allocation>`) +
  `${extra}</volume>`;

/** A fresh embed root with a started pool 'images' in root/images: the usual ground of these tests. */
export interface ImagesPool {
  root: string;
  conn: VirConnect;
  pool: VirStoragePool;
  dir: string;
  /** Closes the connection and removes the root. */
  close: () => Promise<void>;
}

export async function openImagesPool(prefix: string): Promise<ImagesPool> {
  const { dir: root, cleanup } = await tempDir(prefix);
  const conn = await openEmbed(root);
  const dir = join(root, 'images');
  const pool = await startedPool(conn, 'images', dir);
  const close = async () => {
    closeAll(conn);
    await cleanup();
  };
  return { root, conn, pool, dir, close };
}

/** Defines, builds and starts a directory pool; returns its handle. */
export async function startedPool(conn: VirConnect, name: string, dir: string): Promise<VirStoragePool> {
  const pool = await virStoragePoolDefineXML(conn, poolXml(name, dir), 0);
  await virStoragePoolBuild(pool, 0);
  await virStoragePoolCreate(pool, 0);
  return pool;
}

export function freePool(pool: VirStoragePool): void {
  if (pool.alive) virStoragePoolFree(pool);
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await fh.close().catch(() => {});
  }
  return hash.digest('hex');
}

export async function allocated(file: string): Promise<number> {
  return (await stat(file)).blocks * 512;
}

/**
 * Filesystems count their own metadata in st_blocks (ext4 adds an extent-tree block to a fragmented
 * file): an allocation is right when it is the data's plus at most that much.
 */
export const METADATA_SLACK = 64 * 1024;

export function expectAllocation(actual: number, data: number): void {
  expect(actual).toBeGreaterThanOrEqual(data);
  expect(actual).toBeLessThan(data + METADATA_SLACK);
}

/** A file of `size` bytes with random data in `extents` ([offset, length]) and holes elsewhere. */
export async function makeFile(file: string, size: number, extents: Array<[number, number]> = [[0, size]]): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.truncate(size);
    for (const [offset, length] of extents)
      for (let done = 0; done < length; done += 4 * MiB) {
        const n = Math.min(4 * MiB, length - done);
        await fh.write(randomBytes(n), 0, n, offset + done);
      }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Names in `dir` that only tsvirt's partial (half-built) volumes have. */
export async function partialFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('.tsvirt-partial-'));
}

/** Expects `fn` to fail with a VirError carrying this code, domain and exact message. */
export async function expectVirError(
  fn: () => unknown,
  code: ErrorNumber,
  domain: ErrorDomain,
  message: string | RegExp,
): Promise<VirError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a VirError').toBeInstanceOf(VirError);
  const err = caught as VirError;
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  expect({ code: err.codeName, domain: err.domainName }).toEqual({
    code: codeName(code),
    domain: domainName(domain),
  });
  return err;
}

function codeName(code: ErrorNumber): string {
  return new VirError(code, ErrorDomain.VIR_FROM_NONE, '').codeName;
}

function domainName(domain: ErrorDomain): string {
  return new VirError(ErrorNumber.VIR_ERR_OK, domain, '').domainName;
}

export async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
