// Streams over the remote driver (src/ts/drivers/remote/streams.ts): vol.upload / vol.download and tsvirsh
// vol-upload / vol-download through a socket, against tsvirtd (tsvirt+unix:///session) and a private real
// libvirtd with a dir pool (qemu+unix:///session) alike; aborts, and a daemon killed in mid-stream.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { connect, type Connection } from '../../src/ts/index.js';
import { ensureBuilt, runInProcess } from '../cli/harness.js';
import { startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';
import { startTsvirtd, type TsvirtdProcess } from './tsvirtd-process.js';

const installed = existsSync('/usr/bin/virsh') && existsSync('/usr/sbin/libvirtd');
const MiB = 1024 * 1024;
const SIZE = 3 * MiB;

interface Side {
  name: 'tsvirtd' | 'libvirtd';
  uri: string;
  pool: string;
}

let work: string;
let tsvirtd: TsvirtdProcess;
let libvirtd: Libvirtd | undefined;
const sides: Side[] = [];
const savedStateDir = process.env.TSVIRT_STATE_DIR;

/** tsvirtd's session driver keeps its state in TSVIRT_STATE_DIR (inherited from this process), never the user's. */
function startPrivateTsvirtd(tag: string): Promise<TsvirtdProcess> {
  process.env.TSVIRT_STATE_DIR = join(work, `state-${tag}`);
  try {
    return startTsvirtd(join(work, `sock-${tag}`), join(work, `daemon-${tag}`));
  } finally {
    if (savedStateDir === undefined) delete process.env.TSVIRT_STATE_DIR;
    else process.env.TSVIRT_STATE_DIR = savedStateDir;
  }
}

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'tsvirt-rstreams-'));
  const started = await Promise.all([startPrivateTsvirtd('a'), installed ? startLibvirtd() : undefined]);
  tsvirtd = started[0];
  libvirtd = started[1];
  sides.push({ name: 'tsvirtd', uri: `tsvirt+unix:///session?socket=${tsvirtd.socket}`, pool: join(work, 'pool') });
  if (libvirtd) sides.push({ name: 'libvirtd', uri: libvirtd.uris.qemu, pool: join(libvirtd.filesDir, 'pool') });
  for (const side of sides) {
    const r = await virsh(side.uri, [`pool-define-as p1 dir --target ${side.pool}; pool-build p1; pool-start p1; vol-create-as p1 v1 ${SIZE}`]);
    expect(r.status, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([tsvirtd?.stop(), libvirtd?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function download(conn: Connection, options: { offset?: number; length?: number } = {}): Promise<Buffer> {
  const vol = await (await conn.lookupStoragePoolByName('p1')).lookupVolume('v1');
  const parts: Buffer[] = [];
  for await (const part of vol.download(options)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function withConn<T>(side: Side, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(side.uri);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

const volume = (conn: Connection) => conn.lookupStoragePoolByName('p1').then((p) => p.lookupVolume('v1'));

describe.each(['tsvirtd', 'libvirtd'] as const)('streams through the remote driver: %s', (name) => {
  const side = () => sides.find((s) => s.name === name)!;
  const skip = name === 'libvirtd' && !installed;

  it.skipIf(skip)('uploads and downloads the whole volume byte-identical', async () => {
    const data = randomBytes(SIZE);
    await withConn(side(), async (conn) => {
      await (await volume(conn)).upload(data);
      expect((await download(conn)).equals(data)).toBe(true);
    });
  }, 60_000);

  it.skipIf(skip)('uploads and downloads at an offset, with a length', async () => {
    const data = randomBytes(SIZE);
    const patch = randomBytes(300_000);
    await withConn(side(), async (conn) => {
      const vol = await volume(conn);
      await vol.upload(data);
      await vol.upload(patch, { offset: 1_000_000, length: patch.length });
      const expected = Buffer.from(data);
      patch.copy(expected, 1_000_000);
      expect((await download(conn)).equals(expected)).toBe(true);
      expect((await download(conn, { offset: 999_000, length: 700_000 })).equals(expected.subarray(999_000, 1_699_000))).toBe(true);
    });
  }, 60_000);

  it.skipIf(skip)('an upload aborted in mid-stream: the volume as the daemon leaves it, the connection still works', async () => {
    const before = randomBytes(SIZE);
    const sent = randomBytes(MiB);
    await withConn(side(), async (conn) => {
      const vol = await volume(conn);
      await vol.upload(before);
      const upload = await vol.openUpload();
      await upload.send(sent);
      await upload.abort();
      const after = await download(conn);
      if (name === 'tsvirtd') {
        expect(after.equals(before)).toBe(true); // tsvirtd's uploads change the volume only when finished
      } else {
        // libvirtd writes in place: what it wrote of the aborted data stays, the rest is as it was.
        const written = [...Array(MiB + 1).keys()].reverse().find((n) => after.subarray(0, n).equals(sent.subarray(0, n))) ?? 0;
        expect(after.subarray(written).equals(before.subarray(written))).toBe(true);
      }
      // The connection is still usable: another transfer goes through.
      await vol.upload(before);
      expect((await download(conn)).equals(before)).toBe(true);
    });
  }, 60_000);

  it.skipIf(skip)('tsvirsh vol-upload and vol-download through the socket print what virsh prints', async () => {
    const src = join(work, `src-${name}.bin`);
    writeFileSync(src, randomBytes(2 * MiB + 12345));
    // A file with a 1 MiB run of zeros between data, for --sparse (holes travel as STREAM_HOLE packets).
    const holey = join(work, `holey-${name}.bin`);
    writeFileSync(holey, Buffer.concat([randomBytes(300_000), Buffer.alloc(MiB), randomBytes(200_000)]));
    const cases = [
      ['vol-upload', 'v1', src, '--pool', 'p1'],
      ['vol-download', 'v1', 'OUT', '--pool', 'p1'],
      ['vol-download', 'v1', 'OUT', '--pool', 'p1', '--offset', '4096', '--length', '100000'],
      ['vol-upload', 'v1', src, '--pool', 'p1', '--offset', '1048576', '--length', '5000'],
      ['vol-download', 'v1', 'OUT', '--pool', 'p1'],
      ['vol-upload', 'nosuch', src, '--pool', 'p1'],
      ['vol-download', 'v1', 'OUT', '--pool', 'nosuch'],
      ['vol-upload', 'v1', holey, '--pool', 'p1', '--sparse'],
      ['vol-download', 'v1', 'OUT', '--pool', 'p1', '--sparse'],
      ['vol-download', 'v1', 'OUT', '--pool', 'p1'],
    ];
    for (const args of cases) {
      const outTs = join(work, `out-ts-${name}`);
      const outV = join(work, `out-virsh-${name}`);
      rmSync(outTs, { force: true });
      rmSync(outV, { force: true });
      const ours = await runInProcess(['-c', side().uri, ...args.map((a) => (a === 'OUT' ? outTs : a))]);
      const theirs = await virsh(side().uri, args.map((a) => (a === 'OUT' ? outV : a)));
      const clean = (t: string, out: string) => t.replaceAll(out, 'OUT');
      expect({ status: ours.status, stdout: clean(ours.stdout, outTs), stderr: clean(ours.stderr, outTs) }, args.join(' ')).toEqual({
        status: theirs.status,
        stdout: clean(theirs.stdout, outV),
        stderr: clean(theirs.stderr, outV),
      });
      if (args[0] === 'vol-download' && theirs.status === 0) expect(readFileSync(outTs).equals(readFileSync(outV))).toBe(true);
    }
  }, 120_000);
});

describe('a daemon killed in mid-stream', () => {
  let d: TsvirtdProcess;
  let uri: string;

  beforeAll(async () => {
    d = await startPrivateTsvirtd('b');
    uri = `tsvirt+unix:///session?socket=${d.socket}`;
    const r = await virsh(uri, [`pool-define-as p1 dir --target ${join(work, 'pool2')}; pool-build p1; pool-start p1; vol-create-as p1 v1 ${SIZE}; vol-create-as p1 v2 ${SIZE}`]);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);
  afterAll(() => d?.kill());

  const expectRpcError = (err: unknown) => {
    expect(err).toBeInstanceOf(VirError);
    // The end of file that the read side saw, or (libvirt's "Cannot write data") the write that failed first.
    expect([ErrorNumber.VIR_ERR_RPC, ErrorNumber.VIR_ERR_SYSTEM_ERROR]).toContain((err as VirError).code);
    expect((err as VirError).domain).toBe(ErrorDomain.VIR_FROM_RPC);
  };

  it('fails a download and an upload with an RPC error instead of hanging', async () => {
    const conn = await connect(uri);
    const vol = await volume(conn);
    const down = await vol.openDownload();
    expect((await down.read(1000))?.length).toBeGreaterThan(0);
    const up = await (await (await conn.lookupStoragePoolByName('p1')).lookupVolume('v2')).openUpload();
    await up.send(randomBytes(100_000));
    await d.kill();
    // The download's data already received may still be read; then the lost connection shows (at the
    // latest when the finish cannot be confirmed).
    const reading = (async () => {
      while ((await down.read()) !== null);
      await down.finish();
    })();
    await expect(reading).rejects.toSatisfy((err) => (expectRpcError(err), true));
    const sending = (async () => {
      for (;;) await up.send(randomBytes(100_000));
    })();
    await expect(sending).rejects.toSatisfy((err) => (expectRpcError(err), true));
    await conn.close().catch(() => {});
  }, 60_000);
});

describe.skipIf(!installed)('a download consumer that pauses longer than libvirtd’s keepalive allows', () => {
  // libvirtd drops a client it hears nothing from for keepalive_interval × (count + 1) seconds: 2 s here. The
  // client does not read its socket while the consumer pauses, so it cannot answer the daemon's PINGs; it
  // sends its own instead, which libvirtd counts as signs of life.
  let d: Libvirtd;
  beforeAll(async () => {
    d = await startLibvirtd({ keepalive: { interval: 1, count: 1 } });
    const r = await virsh(d.uris.qemu, [`pool-define-as p1 dir --target ${join(d.filesDir, 'pool')}; pool-build p1; pool-start p1; vol-create-as p1 v1 ${16 * MiB}`]);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => d?.stop());

  it('keeps the connection through a 4 s pause: every byte arrives, the connection still answers', async () => {
    const data = randomBytes(16 * MiB);
    await withConn({ name: 'libvirtd', uri: d.uris.qemu, pool: '' }, async (conn) => {
      await (await volume(conn)).upload(data);
      const parts: Buffer[] = [];
      for await (const part of (await volume(conn)).download()) {
        // The first part in, the consumer stops long enough for the client's queue to fill and its reading to stop.
        if (parts.length === 0) await new Promise((resolve) => setTimeout(resolve, 4000));
        parts.push(part as Buffer);
      }
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      expect(await conn.hostname()).toBeTruthy();
    });
  }, 60_000);
});
