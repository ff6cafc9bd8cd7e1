// tsvirtd's streams at the packet level: STORAGE_VOL_UPLOAD and STORAGE_VOL_DOWNLOAD as libvirtd 9.0 speaks
// them (the REPLY, then STREAM packets with the call's procedure and serial), aborts, lost clients, bad
// packets, and the end-of-stream and finish packets of the captured stream session byte for byte.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import { virStoragePoolBuild, virStoragePoolCreate, virStoragePoolDefineXML, virStoragePoolLookupByName, virStorageVolCreateXML } from '../../src/ts/api/storage.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { virNetMessageError, virNetStreamHole } from '../../src/ts/rpc/generated/virnet-protocol.js';
import { encodePacket, encodePacketWith, encodeRawPacket, type Packet, VIR_NET_ERROR, VIR_NET_OK, VIR_NET_STREAM, VIR_NET_STREAM_HOLE } from '../../src/ts/rpc/packet.js';
import { remoteProgram } from '../../src/ts/rpc/programs.js';
import { decodeXdr } from '../../src/ts/rpc/xdr.js';
import { readHexSession } from '../rpc/captures.js';
import { startDaemon, type TestDaemon } from './helpers.js';
import { RawClient } from './raw-client.js';

const VIR_NET_CONTINUE = 2;
const UPLOAD = 208;
const DOWNLOAD = 209;
const MiB = 1024 * 1024;

let d: TestDaemon;
let root: string;
let uri: string;
let local: VirConnect;
let poolDir: string;

beforeAll(async () => {
  d = await startDaemon();
  root = mkdtempSync(join(tmpdir(), 'tsvirtd-streams-'));
  uri = `tsvirt:///embed?root=${root}`;
  poolDir = join(root, 'p');
  local = await virConnectOpen(uri);
  const pool = await virStoragePoolDefineXML(local, `<pool type='dir'><name>p</name><target><path>${poolDir}</path></target></pool>`, 0);
  await virStoragePoolBuild(pool, 0);
  await virStoragePoolCreate(pool, 0);
});
afterAll(async () => {
  virConnectClose(local);
  await d.stop();
  rmSync(root, { recursive: true, force: true });
});

let count = 0;
/** A new volume holding `data`, and a client connected to the same state with the volume's wire reference. */
async function setup(data: Buffer, socket = d.socket) {
  const name = `v${++count}`;
  const pool = await virStoragePoolLookupByName(local, 'p');
  await virStorageVolCreateXML(pool, `<volume><name>${name}</name><capacity unit='bytes'>${data.length}</capacity><allocation>0</allocation></volume>`, 0);
  if (data.length) writeFileSync(join(poolDir, name), data);
  const c = await RawClient.open(socket);
  await c.openConnection(uri);
  const p = await c.call('REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME', { name: 'p' });
  const v = await c.call('REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME', { pool: p.value.pool, name });
  expect(v.ok).toBe(true);
  return { c, name, path: join(poolDir, name), vol: v.value.vol };
}

const header = (proc: number, serial: number, status: number, type: number = VIR_NET_STREAM) => ({
  prog: remoteProgram.program,
  vers: remoteProgram.version,
  proc,
  type,
  serial,
  status,
});

function streamPackets(c: RawClient, serial: number): Packet[] {
  return c.received.filter((p) => p.header.serial === serial && p.header.type === VIR_NET_STREAM);
}

async function streamError(c: RawClient, serial: number) {
  const p = await c.waitFor(() => streamPackets(c, serial).find((x) => x.header.status === VIR_NET_ERROR));
  return decodeXdr(virNetMessageError, p.payload);
}

const partials = () => readdirSync(poolDir).filter((n) => n.startsWith('.tsvirt-partial-'));

async function openStream(c: RawClient, proc: 'REMOTE_PROC_STORAGE_VOL_UPLOAD' | 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol: unknown, offset = 0n, length = 0n, flags = 0) {
  const serial = c.send(proc, { vol, offset, length, flags });
  const r = await c.reply(serial);
  return { serial, reply: r };
}

describe('upload', () => {
  it('REPLY, data, finish: the daemon confirms with an empty STREAM/OK of the same procedure and serial', async () => {
    const { c, vol, path } = await setup(Buffer.alloc(MiB));
    const { serial, reply } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    expect(reply).toMatchObject({ ok: true, header: { proc: UPLOAD, serial, status: VIR_NET_OK } });
    const data = randomBytes(700_000);
    for (let at = 0; at < data.length; at += 262_120) c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), data.subarray(at, at + 262_120)));
    c.write(encodePacket(header(UPLOAD, serial, VIR_NET_OK)));
    const confirm = await c.waitFor(() => streamPackets(c, serial)[0]);
    expect(confirm.header).toEqual(header(UPLOAD, serial, VIR_NET_OK));
    expect(confirm.payload.length).toBe(0);
    const file = readFileSync(path);
    expect(file.subarray(0, data.length).equals(data)).toBe(true);
    expect(file.length).toBe(MiB);
    c.close();
  });

  it('an abort (STREAM/ERROR) is confirmed with STREAM/OK and leaves the volume as it was', async () => {
    const old = randomBytes(MiB);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(300_000)));
    c.write(encodePacket(header(UPLOAD, serial, VIR_NET_ERROR)));
    const confirm = await c.waitFor(() => streamPackets(c, serial)[0]);
    expect(confirm.header.status).toBe(VIR_NET_OK);
    expect(readFileSync(path).equals(old)).toBe(true);
    expect(partials()).toEqual([]);
    c.close();
  });

  it('a client that disconnects mid-upload leaves no partial content and frees the volume', async () => {
    const old = randomBytes(2 * MiB);
    const { c, vol, path, name } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(262_120)));
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(262_120)));
    await c.waitFor(() => partials().length === 1);
    c.close();
    await c.waitFor(() => partials().length === 0);
    expect(readFileSync(path).equals(old)).toBe(true);
    // No longer in use: another client uploads.
    const other = await RawClient.open(d.socket);
    await other.openConnection(uri);
    const p = await other.call('REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME', { name: 'p' });
    const v = await other.call('REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME', { pool: p.value.pool, name });
    const opened = await openStream(other, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', v.value.vol);
    expect(opened.reply.ok).toBe(true);
    other.write(encodePacket(header(UPLOAD, opened.serial, VIR_NET_OK)));
    expect((await other.waitFor(() => streamPackets(other, opened.serial)[0])).header.status).toBe(VIR_NET_OK);
    other.close();
  });

  it("past the length limit: STREAM/ERROR with libvirt's error, later packets of the stream are dropped, the client goes on", async () => {
    const old = randomBytes(MiB);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol, 0n, 1000n);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(262_120)));
    const err = await streamError(c, serial);
    expect(err).toMatchObject({ code: ErrorNumber.VIR_ERR_SYSTEM_ERROR, domain: ErrorDomain.VIR_FROM_STREAMS, message: 'cannot write to stream: No space left on device' });
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(1000)));
    c.write(encodePacket(header(UPLOAD, serial, VIR_NET_OK)));
    expect((await c.call('REMOTE_PROC_CONNECT_GET_TYPE')).value).toEqual({ type: 'TSVIRT' });
    expect(streamPackets(c, serial)).toHaveLength(1);
    expect(readFileSync(path).equals(old)).toBe(true);
    await c.waitFor(() => partials().length === 0);
    c.close();
  });

  it('a second upload of a volume in use is refused in the REPLY; a read-only client is refused', async () => {
    const { c, vol, name } = await setup(Buffer.alloc(4096));
    const first = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    const second = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    expect(second.reply).toMatchObject({ ok: false, value: { code: ErrorNumber.VIR_ERR_OPERATION_INVALID, message: `Requested operation is not valid: volume '${name}' is still in use.` } });
    c.write(encodePacket(header(UPLOAD, first.serial, VIR_NET_ERROR)));
    await c.waitFor(() => streamPackets(c, first.serial)[0]);
    c.close();

    const ro = await RawClient.open(d.readOnlySocket);
    await ro.openConnection(uri);
    const r = await openStream(ro, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    expect(r.reply.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_DENIED, message: 'operation forbidden: read only access prevents virStorageVolUpload' });
    ro.close();
  });
});

describe('download', () => {
  it('data in packets of at most 256 KiB, an empty end packet, then the finish handshake', async () => {
    const data = randomBytes(MiB + 12345);
    const { c, vol } = await setup(data);
    const { serial, reply } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol);
    expect(reply.ok).toBe(true);
    const end = await c.waitFor(() => streamPackets(c, serial).find((p) => p.payload.length === 0));
    const packets = streamPackets(c, serial);
    expect(packets.at(-1)).toBe(end);
    for (const p of packets) {
      expect(p.header).toEqual(header(DOWNLOAD, serial, VIR_NET_CONTINUE));
      expect(p.payload.length + 28).toBeLessThanOrEqual(262_148);
    }
    expect(Buffer.concat(packets.map((p) => p.payload)).equals(data)).toBe(true);
    c.write(encodePacket(header(DOWNLOAD, serial, VIR_NET_OK)));
    const confirm = await c.waitFor(() => streamPackets(c, serial).find((p) => p.header.status === VIR_NET_OK));
    expect(confirm.payload.length).toBe(0);
    c.close();
  });

  it("the end packet and the finish handshake are the captured libvirtd session's bytes", async () => {
    // x5-screenshot-stream: libvirtd's end-of-data packet, virsh's finish and libvirtd's confirmation, for
    // procedure 211 and serial 7. The same packets for this stream differ only in those two fields.
    const captured = readHexSession('x5-screenshot-stream').filter((p) => / type=STREAM .* payload=0$/.test(p.line));
    expect(captured.map((p) => p.direction)).toEqual(['S>C', 'C>S', 'S>C']);
    const retarget = (bytes: Buffer, proc: number, serial: number) => {
      const b = Buffer.from(bytes);
      b.writeUInt32BE(proc, 12);
      b.writeUInt32BE(serial, 20);
      return b;
    };
    const { c, vol } = await setup(randomBytes(5000));
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol);
    const end = await c.waitFor(() => streamPackets(c, serial).find((p) => p.payload.length === 0));
    expect(encodePacket(end.header).equals(retarget(captured[0].bytes, DOWNLOAD, serial))).toBe(true);
    c.write(retarget(captured[1].bytes, DOWNLOAD, serial));
    const confirm = await c.waitFor(() => streamPackets(c, serial).find((p) => p.header.status === VIR_NET_OK));
    expect(encodePacket(confirm.header).equals(retarget(captured[2].bytes, DOWNLOAD, serial))).toBe(true);
    c.close();
  });

  it('an abort mid-download stops the data and is confirmed', async () => {
    const { c, vol } = await setup(randomBytes(8 * MiB));
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol);
    await c.waitFor(() => streamPackets(c, serial).length > 0);
    c.write(encodePacket(header(DOWNLOAD, serial, VIR_NET_ERROR)));
    const confirm = await c.waitFor(() => streamPackets(c, serial).find((p) => p.header.status === VIR_NET_OK));
    expect(confirm.payload.length).toBe(0);
    const data = streamPackets(c, serial).filter((p) => p.header.status === VIR_NET_CONTINUE);
    expect(data.reduce((n, p) => n + p.payload.length, 0)).toBeLessThan(8 * MiB);
    expect(data.some((p) => p.payload.length === 0)).toBe(false);
    c.close();
  });

  it('data sent into a download is refused with STREAM/ERROR', async () => {
    const { c, vol } = await setup(randomBytes(8 * MiB));
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol);
    c.write(encodeRawPacket(header(DOWNLOAD, serial, VIR_NET_CONTINUE), Buffer.from('not yours')));
    const err = await streamError(c, serial);
    expect(err.message).toBe('Requested operation is not valid: stream is not open for sending: it is a download');
    c.close();
  });
});

describe('sparse streams', () => {
  const hole = (proc: number, serial: number, length: bigint) =>
    encodePacketWith(header(proc, serial, VIR_NET_CONTINUE, VIR_NET_STREAM_HOLE), virNetStreamHole, { length, flags: 0 });

  it('a sparse download sends STREAM_HOLE packets for runs of zeros, and data for the rest', async () => {
    const data = Buffer.alloc(6 * MiB);
    randomBytes(200_000).copy(data, 2 * MiB);
    const { c, vol } = await setup(data);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD', vol, 0n, 0n, 1);
    await c.waitFor(() => streamPackets(c, serial).find((p) => p.payload.length === 0));
    const packets = c.received.filter((p) => p.header.serial === serial && p.header.proc === DOWNLOAD && p.header.type !== 1);
    let rebuilt = Buffer.alloc(0);
    for (const p of packets) {
      if (p.header.type === VIR_NET_STREAM_HOLE) {
        const h = decodeXdr(virNetStreamHole, p.payload);
        expect(h.flags).toBe(0);
        rebuilt = Buffer.concat([rebuilt, Buffer.alloc(Number(h.length))]);
      } else rebuilt = Buffer.concat([rebuilt, p.payload]);
    }
    expect(rebuilt.equals(data)).toBe(true);
    expect(packets[0].header.type).toBe(VIR_NET_STREAM_HOLE);
    expect(packets.filter((p) => p.header.type === VIR_NET_STREAM).reduce((n, p) => n + p.payload.length, 0)).toBeLessThan(MiB);
    c.write(encodePacket(header(DOWNLOAD, serial, VIR_NET_OK)));
    await c.waitFor(() => streamPackets(c, serial).find((p) => p.header.status === VIR_NET_OK));
    c.close();
  });

  it('a sparse upload takes STREAM_HOLE packets: the range reads as zeros', async () => {
    const old = randomBytes(MiB);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol, 0n, 0n, 1);
    const a = randomBytes(1000);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), a));
    c.write(hole(UPLOAD, serial, 500_000n));
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), a));
    c.write(encodePacket(header(UPLOAD, serial, VIR_NET_OK)));
    expect((await c.waitFor(() => streamPackets(c, serial)[0])).header.status).toBe(VIR_NET_OK);
    const file = readFileSync(path);
    expect(file.subarray(0, 1000).equals(a)).toBe(true);
    expect(file.subarray(1000, 501_000).equals(Buffer.alloc(500_000))).toBe(true);
    expect(file.subarray(501_000, 502_000).equals(a)).toBe(true);
    expect(file.subarray(502_000).equals(old.subarray(502_000))).toBe(true);
    c.close();
  });

  it('a hole that does not decode ends the client, even on a sparse stream', async () => {
    const old = randomBytes(4096);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol, 0n, 0n, 1);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE, VIR_NET_STREAM_HOLE), Buffer.alloc(5)));
    await c.waitFor(() => c.closed);
    await c.waitFor(() => partials().length === 0);
    expect(readFileSync(path).equals(old)).toBe(true);
  });
});

describe('bad stream packets', () => {
  it('stream packets for an unknown serial, or another procedure, are dropped and the client goes on', async () => {
    const { c, vol, path } = await setup(Buffer.alloc(4096));
    c.write(encodeRawPacket(header(UPLOAD, 9999, VIR_NET_CONTINUE), Buffer.from('stray')));
    c.write(encodePacket(header(UPLOAD, 9998, VIR_NET_OK)));
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    c.write(encodeRawPacket(header(DOWNLOAD, serial, VIR_NET_CONTINUE), Buffer.from('wrong procedure')));
    expect((await c.call('REMOTE_PROC_CONNECT_GET_TYPE')).ok).toBe(true);
    expect(c.received.filter((p) => p.header.type === VIR_NET_STREAM)).toEqual([]);
    c.write(encodePacket(header(UPLOAD, serial, VIR_NET_OK)));
    await c.waitFor(() => streamPackets(c, serial)[0]);
    expect(readFileSync(path).equals(Buffer.alloc(4096))).toBe(true); // nothing of the strays was written
    c.close();
  });

  it('a hole on a stream not opened sparse ends the client, as in libvirtd; its upload is undone', async () => {
    const old = randomBytes(4096);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(100)));
    c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE, VIR_NET_STREAM_HOLE), Buffer.alloc(12)));
    await c.waitFor(() => c.closed);
    await c.waitFor(() => partials().length === 0);
    expect(readFileSync(path).equals(old)).toBe(true);
  });

  it('an unexpected status aborts the stream with an RPC error', async () => {
    const old = randomBytes(4096);
    const { c, vol, path } = await setup(old);
    const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
    c.write(encodePacket(header(UPLOAD, serial, 7)));
    const err = await streamError(c, serial);
    expect(err).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, message: 'stream aborted with unexpected status 7' });
    expect(readFileSync(path).equals(old)).toBe(true);
    c.close();
  });

  it('an upload before CONNECT_OPEN is refused as other storage calls are', async () => {
    const c = await RawClient.open(d.socket);
    const r = await c.call('REMOTE_PROC_STORAGE_VOL_UPLOAD', { vol: { pool: 'p', name: 'x', key: '/x' }, offset: 0n, length: 0n, flags: 0 });
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INTERNAL_ERROR, message: 'internal error: connection not open' });
    c.close();
  });
});

describe('daemon shutdown', () => {
  it('stopping the daemon during an upload undoes it before stop() resolves', async () => {
    const own = await startDaemon();
    try {
      const old = randomBytes(MiB);
      const { c, vol, path } = await setup(old, own.socket);
      const { serial } = await openStream(c, 'REMOTE_PROC_STORAGE_VOL_UPLOAD', vol);
      c.write(encodeRawPacket(header(UPLOAD, serial, VIR_NET_CONTINUE), randomBytes(262_120)));
      await c.waitFor(() => partials().length === 1);
      await own.daemon.stop(100);
      expect(partials()).toEqual([]);
      expect(readFileSync(path).equals(old)).toBe(true);
      c.close();
    } finally {
      await own.stop();
    }
  });
});
