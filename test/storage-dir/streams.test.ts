// Uploads into and downloads from directory-pool volumes: the stream entry points (virStreamNew/Send/Recv/
// Finish/Abort/Free, virStorageVolUpload/Download) and the idiomatic API (vol.upload, vol.download).
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virConnectClose, virConnectOpen, virConnectOpenReadOnly } from '../../src/ts/api/connect.js';
import {
  virStoragePoolDestroy,
  virStoragePoolListAllVolumes,
  virStoragePoolLookupByName,
  virStorageVolCreateXML,
  virStorageVolDelete,
  virStorageVolLookupByName,
  virStorageVolResize,
} from '../../src/ts/api/storage.js';
import {
  virStorageVolDownload,
  virStorageVolUpload,
  virStreamAbort,
  virStreamFinish,
  virStreamFree,
  virStreamInData,
  virStreamNew,
  virStreamSendHole,
  virStreamRecv,
  virStreamSend,
} from '../../src/ts/api/stream.js';
import type { VirConnect, VirStoragePool, VirStorageVol, VirStream } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { connect, type Connection } from '../../src/ts/index.js';
import { expectVirError, makeFile, MiB, openEmbed, openImagesPool, partialFiles, volXml } from './helpers.js';

const E = ErrorNumber;
const STORAGE = ErrorDomain.VIR_FROM_STORAGE;
const STREAMS = ErrorDomain.VIR_FROM_STREAMS;

let root: string;
let close: () => Promise<void>;
let conn: VirConnect;
let pool: VirStoragePool;
let dir: string;

beforeAll(async () => {
  ({ root, conn, pool, dir, close } = await openImagesPool('streams'));
});
afterAll(() => close());

let serial = 0;
/** A new volume of `size` bytes holding random data (returned) in [0, filled). */
async function volumeWith(size: number, filled = size): Promise<{ vol: VirStorageVol; name: string; path: string; data: Buffer }> {
  const name = `v${++serial}.img`;
  const vol = await virStorageVolCreateXML(pool, volXml(name, size, 0), 0);
  const path = join(dir, name);
  const data = randomBytes(filled);
  if (filled) {
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, 0);
    await virStreamSend(st, data);
    await virStreamFinish(st);
    virStreamFree(st);
  }
  return { vol, name, path, data };
}

async function uploadAll(vol: VirStorageVol, data: Buffer, offset = 0, chunk = 100_000): Promise<void> {
  const st = virStreamNew(conn, 0);
  try {
    await virStorageVolUpload(vol, st, offset, 0, 0);
    for (let at = 0; at < data.length; at += chunk) expect(await virStreamSend(st, data.subarray(at, at + chunk))).toBe(Math.min(chunk, data.length - at));
    await virStreamFinish(st);
  } finally {
    virStreamFree(st);
  }
}

async function downloadAll(vol: VirStorageVol, offset = 0, length: number | bigint = 0): Promise<Buffer> {
  const st = virStreamNew(conn, 0);
  try {
    await virStorageVolDownload(vol, st, offset, length, 0);
    const parts: Buffer[] = [];
    for (let b = await virStreamRecv(st, 65536); b.length; b = await virStreamRecv(st, 65536)) parts.push(b);
    await virStreamFinish(st);
    return Buffer.concat(parts);
  } finally {
    virStreamFree(st);
  }
}

describe('upload and download through the entry points', () => {
  it('round-trips data; the rest of a larger volume stays as it was (zeros here)', async () => {
    const { vol, path } = await volumeWith(3 * MiB, 0);
    const data = randomBytes(1.5 * MiB);
    await uploadAll(vol, data);
    const file = readFileSync(path);
    expect(file.length).toBe(3 * MiB);
    expect(file.subarray(0, data.length).equals(data)).toBe(true);
    expect(file.subarray(data.length).equals(Buffer.alloc(3 * MiB - data.length))).toBe(true);
    expect((await downloadAll(vol)).equals(file)).toBe(true);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('writes at an offset and keeps the data before and after it; writing past the end grows the volume', async () => {
    const { vol, path, data } = await volumeWith(2 * MiB);
    const middle = randomBytes(100_000);
    await uploadAll(vol, middle, MiB);
    const expected = Buffer.from(data);
    middle.copy(expected, MiB);
    expect(readFileSync(path).equals(expected)).toBe(true);

    const tail = randomBytes(300_000);
    await uploadAll(vol, tail, 2 * MiB + 4096);
    const file = readFileSync(path);
    expect(file.length).toBe(2 * MiB + 4096 + tail.length);
    expect(file.subarray(0, 2 * MiB).equals(expected)).toBe(true);
    expect(file.subarray(2 * MiB, 2 * MiB + 4096).equals(Buffer.alloc(4096))).toBe(true);
    expect(file.subarray(2 * MiB + 4096).equals(tail)).toBe(true);
  });

  it('downloads from an offset, at most length bytes; an offset past the end gives no data', async () => {
    const { vol, data } = await volumeWith(MiB);
    expect((await downloadAll(vol, 10, 20)).equals(data.subarray(10, 30))).toBe(true);
    expect((await downloadAll(vol, MiB - 5, 100)).equals(data.subarray(MiB - 5))).toBe(true);
    expect((await downloadAll(vol, 5 * MiB)).length).toBe(0);
    expect((await downloadAll(vol, 0, 2n ** 64n - 1n)).equals(data)).toBe(true);
  });

  it('downloads a sparse volume as its bytes: holes read as zeros', async () => {
    const name = 'sparse.img';
    const path = join(dir, name);
    await makeFile(path, 8 * MiB, [
      [MiB, 300_000],
      [5 * MiB + 17, 1000],
    ]);
    const vol = await virStorageVolLookupByName(pool, name);
    expect(statSync(path).blocks * 512).toBeLessThan(2 * MiB);
    expect((await downloadAll(vol)).equals(readFileSync(path))).toBe(true);
  });

  it('keeps the length limit as libvirt does: the send that reaches it is cut short, the next fails, and nothing changes', async () => {
    const { vol, path, data } = await volumeWith(MiB);
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 1000, 0);
    expect(await virStreamSend(st, randomBytes(4096))).toBe(1000);
    await expectVirError(() => virStreamSend(st, randomBytes(10)), E.VIR_ERR_SYSTEM_ERROR, STREAMS, 'cannot write to stream: No space left on device');
    await expectVirError(() => virStreamFinish(st), E.VIR_ERR_OPERATION_INVALID, STREAMS, 'Requested operation is not valid: stream is not open');
    expect(await virStreamAbort(st)).toBe(0);
    virStreamFree(st);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('an aborted upload leaves the volume as it was and no partial file', async () => {
    const { vol, path, data } = await volumeWith(MiB);
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, 0);
    await virStreamSend(st, randomBytes(600_000));
    expect(await partialFiles(dir)).toHaveLength(1);
    expect(readFileSync(path).equals(data)).toBe(true); // nothing visible before finish
    expect(await virStreamAbort(st)).toBe(0);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(await partialFiles(dir)).toEqual([]);
    await expectVirError(() => virStreamSend(st, Buffer.from('x')), E.VIR_ERR_OPERATION_INVALID, STREAMS, 'Requested operation is not valid: stream is not open');
    expect(await virStreamAbort(st)).toBe(0); // again: nothing to do
    virStreamFree(st);
  });

  it('freeing an open upload stream aborts it', async () => {
    const { vol, path, data } = await volumeWith(MiB);
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, 0);
    await virStreamSend(st, randomBytes(1000));
    virStreamFree(st);
    // The abort runs in the background; a new upload is refused until the volume is no longer in use.
    for (let i = 0; i < 200 && (await partialFiles(dir)).length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await partialFiles(dir)).toEqual([]);
    expect(readFileSync(path).equals(data)).toBe(true);
    await uploadAll(vol, Buffer.from('again'));
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('again');
  });

  it('the volume is in use while an upload runs: no delete, resize, second upload, nor stopping its pool', async () => {
    const { vol, name } = await volumeWith(MiB, 0);
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, 0);
    const inUse = `Requested operation is not valid: volume '${name}' is still in use.`;
    await expectVirError(() => virStorageVolDelete(vol, 0), E.VIR_ERR_OPERATION_INVALID, STORAGE, inUse);
    await expectVirError(() => virStorageVolResize(vol, 2 * MiB, 0), E.VIR_ERR_OPERATION_INVALID, STORAGE, inUse);
    const second = virStreamNew(conn, 0);
    await expectVirError(() => virStorageVolUpload(vol, second, 0, 0, 0), E.VIR_ERR_OPERATION_INVALID, STORAGE, inUse);
    virStreamFree(second);
    await expectVirError(() => virStoragePoolDestroy(pool), E.VIR_ERR_INTERNAL_ERROR, STORAGE, "internal error: pool 'images' has asynchronous jobs running.");
    // The partial file is no volume.
    expect((await virStoragePoolListAllVolumes(pool, 0)).map((v) => v.name)).not.toContain(expect.stringMatching(/^\.tsvirt/));
    await virStreamFinish(st);
    virStreamFree(st);
    await virStorageVolDelete(vol, 0);
  });

  it('keeps the volume file mode', async () => {
    const { vol, path } = await volumeWith(MiB, 0);
    await chmod(path, 0o640);
    await uploadAll(vol, randomBytes(5000));
    expect(statSync(path).mode & 0o7777).toBe(0o640);
  });
});

describe('sparse streams (VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, ..._DOWNLOAD_SPARSE_STREAM)', () => {
  const SPARSE = 1;

  it('an upload with holes: the holes read as zeros, stay unallocated, and replace old data', async () => {
    const { vol, path } = await volumeWith(MiB); // random data, which the hole overwrites
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, SPARSE);
    const a = randomBytes(100_000);
    const b = randomBytes(5000);
    await virStreamSend(st, a);
    await virStreamSendHole(st, 3 * MiB, 0);
    await virStreamSend(st, b);
    await virStreamFinish(st);
    virStreamFree(st);
    const file = readFileSync(path);
    expect(file.length).toBe(100_000 + 3 * MiB + 5000);
    expect(file.subarray(0, 100_000).equals(a)).toBe(true);
    expect(file.subarray(100_000, 100_000 + 3 * MiB).equals(Buffer.alloc(3 * MiB))).toBe(true);
    expect(file.subarray(100_000 + 3 * MiB).equals(b)).toBe(true);
    expect(statSync(path).blocks * 512).toBeLessThan(MiB);
  });

  it('a download tells data from holes (blocks of zeros), and skips them on request', async () => {
    const name = 'sparse-dl.img';
    const path = join(dir, name);
    await makeFile(path, 8 * MiB, [[2 * MiB, 100_000]]);
    const vol = await virStorageVolLookupByName(pool, name);
    const st = virStreamNew(conn, 0);
    await virStorageVolDownload(vol, st, 0, 0, SPARSE);
    expect(await virStreamInData(st)).toEqual({ inData: false, length: 2 * MiB });
    await virStreamSendHole(st, 2 * MiB, 0);
    const ahead = await virStreamInData(st);
    expect(ahead.inData).toBe(true);
    expect(ahead.length).toBe(128 * 1024); // 100,000 bytes of data make two 64 KiB blocks that are not all zeros
    const data = await virStreamRecv(st, 100_000);
    expect(data.equals(readFileSync(path).subarray(2 * MiB, 2 * MiB + 100_000))).toBe(true);
    await virStreamRecv(st, 128 * 1024 - 100_000);
    const rest = await virStreamInData(st);
    expect(rest).toEqual({ inData: false, length: 8 * MiB - 2 * MiB - 128 * 1024 });
    await virStreamSendHole(st, rest.length, 0);
    expect(await virStreamInData(st)).toEqual({ inData: false, length: 0 });
    expect((await virStreamRecv(st, 10)).length).toBe(0);
    await virStreamFinish(st);
    virStreamFree(st);
  });

  it('holes need a sparse stream', async () => {
    const { vol } = await volumeWith(4096, 0);
    const st = virStreamNew(conn, 0);
    await virStorageVolUpload(vol, st, 0, 0, 0);
    await expectVirError(() => virStreamSendHole(st, 10, 0), E.VIR_ERR_OPERATION_INVALID, STREAMS, 'Requested operation is not valid: stream is not sparse: open it with the SPARSE_STREAM flag');
    virStreamFree(st);
  });
});

describe('argument checks and errors, in libvirt words', () => {
  let vol: VirStorageVol;
  beforeAll(async () => {
    ({ vol } = await volumeWith(4096));
  });

  it('refuses a read-only connection', async () => {
    const ro = await virConnectOpenReadOnly(`tsvirt:///embed?root=${root}`);
    try {
      const roPool = await virStoragePoolLookupByName(ro, 'images');
      const roVol = await virStorageVolLookupByName(roPool, vol.name);
      const st = virStreamNew(ro, 0);
      await expectVirError(() => virStorageVolUpload(roVol, st, 0, 0, 0), E.VIR_ERR_OPERATION_DENIED, STORAGE, 'operation forbidden: read only access prevents virStorageVolUpload');
      await expectVirError(() => virStorageVolDownload(roVol, st, 0, 0, 0), E.VIR_ERR_OPERATION_DENIED, STORAGE, 'operation forbidden: read only access prevents virStorageVolDownload');
      virStreamFree(st);
    } finally {
      virConnectClose(ro);
    }
  });

  it('refuses a stream of another connection, a used stream, bad offsets and unknown flags', async () => {
    const other = await openEmbed(root);
    try {
      const st = virStreamNew(other, 0);
      await expectVirError(() => virStorageVolUpload(vol, st, 0, 0, 0), E.VIR_ERR_INVALID_ARG, STORAGE, `stream in virStorageVolUpload must match connection of volume '${vol.name}'`);
      virStreamFree(st);
    } finally {
      virConnectClose(other);
    }
    const st = virStreamNew(conn, 0);
    await expectVirError(() => virStorageVolUpload(vol, st, -1, 0, 0), E.VIR_ERR_INVALID_ARG, STORAGE, 'offset in virStorageVolUpload must be a whole number of bytes from 0 to 2^64-1');
    await expectVirError(() => virStorageVolDownload(vol, st, 0, 2n ** 64n, 0), E.VIR_ERR_INVALID_ARG, STORAGE, 'length in virStorageVolDownload must be a whole number of bytes from 0 to 2^64-1');
    await expectVirError(() => virStorageVolUpload(vol, st, 0, 0, 2), E.VIR_ERR_INVALID_ARG, STORAGE, 'unsupported flags (0x2) in function storageVolUpload');
    await expectVirError(() => virStorageVolDownload(vol, st, 0, 0, 4), E.VIR_ERR_INVALID_ARG, STORAGE, 'unsupported flags (0x4) in function storageVolDownload');
    await virStorageVolDownload(vol, st, 0, 0, 0);
    await expectVirError(() => virStorageVolDownload(vol, st, 0, 0, 0), E.VIR_ERR_OPERATION_INVALID, STREAMS, 'Requested operation is not valid: stream is already in use');
    await expectVirError(() => virStreamSend(st, Buffer.from('x')), E.VIR_ERR_OPERATION_INVALID, STREAMS, 'Requested operation is not valid: stream is not open for sending: it is a download');
    await virStreamAbort(st);
    virStreamFree(st);
  });

  it('answers for unattached and freed streams', async () => {
    const st = virStreamNew(conn, 0);
    await expectVirError(() => virStreamSend(st, Buffer.from('x')), E.VIR_ERR_NO_SUPPORT, STREAMS, 'this function is not supported by the connection driver: virStreamSend');
    await expectVirError(() => virStreamRecv(st, 10), E.VIR_ERR_NO_SUPPORT, STREAMS, 'this function is not supported by the connection driver: virStreamRecv');
    expect(await virStreamAbort(st)).toBe(0); // libvirt: aborting an unused stream is no error
    virStreamFree(st);
    await expectVirError(() => virStreamSend(st, Buffer.from('x')), E.VIR_ERR_INVALID_STREAM, STREAMS, 'invalid stream pointer in virStreamSend');
    await expectVirError(() => virStorageVolUpload(vol, st, 0, 0, 0), E.VIR_ERR_INVALID_STREAM, STREAMS, 'invalid stream pointer in virStorageVolUpload');
    expect(() => virStreamNew(conn, 1)).toThrow('non-blocking streams are not supported');
  });

  it('a volume that is gone is not found; the test driver has no upload or download, as in libvirt', async () => {
    const { vol: gone } = await volumeWith(4096, 0);
    await virStorageVolDelete(gone, 0);
    const st = virStreamNew(conn, 0);
    await expectVirError(() => virStorageVolUpload(gone, st, 0, 0, 0), E.VIR_ERR_NO_STORAGE_VOL, STORAGE, `Storage volume not found: no storage vol with matching name '${gone.name}'`);
    virStreamFree(st);

    const test = await virConnectOpen('test:///default');
    try {
      const testPool = await virStoragePoolLookupByName(test, 'default-pool');
      const testVol = await virStorageVolCreateXML(testPool, volXml('t.img', 4096), 0);
      const tst = virStreamNew(test, 0);
      await expectVirError(() => virStorageVolUpload(testVol, tst, 0, 0, 0), E.VIR_ERR_NO_SUPPORT, STORAGE, 'this function is not supported by the connection driver: virStorageVolUpload');
      await expectVirError(() => virStorageVolDownload(testVol, tst, 0, 0, 0), E.VIR_ERR_NO_SUPPORT, STORAGE, 'this function is not supported by the connection driver: virStorageVolDownload');
      virStreamFree(tst);
    } finally {
      virConnectClose(test);
    }
  });
});

describe('the idiomatic API', () => {
  let c: Connection;
  beforeAll(async () => {
    c = await connect(`tsvirt:///embed?root=${root}`);
  });
  afterAll(() => c.close());

  const volume = async (size: number) => {
    const p = await c.lookupStoragePoolByName('images');
    const name = `i${++serial}.img`;
    return (await p.createVolume(volXml(name, size, 0)));
  };

  async function collect(readable: AsyncIterable<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const b of readable) parts.push(b);
    return Buffer.concat(parts);
  }

  it('uploads a Buffer, a Readable and an async iterable, and downloads a Readable', async () => {
    const vol = await volume(MiB);
    const data = randomBytes(MiB);
    await vol.upload(data);
    expect((await collect(vol.download())).equals(data)).toBe(true);

    const part = randomBytes(300_000);
    await vol.upload(Readable.from([part.subarray(0, 100_000), part.subarray(100_000)]), { offset: 1000 });
    const expected = Buffer.from(data);
    part.copy(expected, 1000);
    expect((await collect(vol.download())).equals(expected)).toBe(true);

    async function* strings() {
      yield 'hello, ';
      yield 'world';
    }
    await vol.upload(strings(), { offset: 0 });
    expect((await collect(vol.download({ length: 12 }))).toString()).toBe('hello, world');
    expect((await collect(vol.download({ offset: 7, length: 5 }))).toString()).toBe('world');
  });

  it('an AbortSignal abandons an upload: it rejects with VIR_ERR_OPERATION_ABORTED and the volume stays as it was', async () => {
    const vol = await volume(MiB);
    const data = randomBytes(MiB);
    await vol.upload(data);
    const controller = new AbortController();
    async function* source() {
      yield randomBytes(200_000);
      controller.abort();
      yield randomBytes(200_000);
    }
    const err = await vol.upload(source(), { signal: controller.signal }).catch((e) => e);
    expect(err).toBeInstanceOf(VirError);
    expect(err).toMatchObject({ code: E.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: volume upload canceled by client' });
    expect(readFileSync(await vol.path()).equals(data)).toBe(true);
    expect(await partialFiles(dir)).toEqual([]);

    const already = AbortSignal.abort();
    await expect(vol.upload(data, { signal: already })).rejects.toMatchObject({ code: E.VIR_ERR_OPERATION_ABORTED });
  });

  it('a download left early or aborted by its signal ends cleanly; errors of the call reach the reader', async () => {
    const vol = await volume(4 * MiB);
    await vol.upload(randomBytes(4 * MiB));
    let chunks = 0;
    for await (const _ of vol.download()) if (++chunks === 2) break;
    expect(chunks).toBe(2);

    const controller = new AbortController();
    const download = await vol.openDownload({ signal: controller.signal });
    expect((await download.read())?.length).toBeGreaterThan(0);
    controller.abort();
    await expect(download.read()).rejects.toMatchObject({ code: E.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: volume download canceled by client' });
    download.free();

    const ro = await connect(`tsvirt:///embed?root=${root}`, { readOnly: true });
    try {
      const roVol = await (await ro.lookupStoragePoolByName('images')).lookupVolume(vol.name);
      await expect(collect(roVol.download())).rejects.toMatchObject({
        code: E.VIR_ERR_OPERATION_DENIED,
        message: 'operation forbidden: read only access prevents virStorageVolDownload',
      });
    } finally {
      await ro.close();
    }
  });

  it('step by step: openUpload, send, finish; a send past the length limit fails', async () => {
    const vol = await volume(4096);
    const up = await vol.openUpload({ length: 10 });
    await expect(up.send('0123456789abc')).rejects.toMatchObject({ message: 'cannot write to stream: No space left on device' });
    up.free();
    const up2 = await vol.openUpload({ offset: 4090 });
    await up2.send('abcdefghij');
    await up2.finish();
    up2.free();
    expect((await readFile(await vol.path())).subarray(4090).toString()).toBe('abcdefghij');
  });
});
