// Flow control of remote streams against a scripted daemon. A download sent as fast as the socket takes
// it: a consumer that reads nothing holds the daemon back (the client stops reading the socket once its
// queue is full, and PINGs the daemon meanwhile), and everything arrives intact once it reads. An upload to a daemon that does not read:
// virStreamSend stops resolving once the socket's queue is full, instead of buffering without bound.
import { afterEach, expect, it } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import { virStoragePoolLookupByName, virStorageVolLookupByName } from '../../src/ts/api/storage.js';
import { virStorageVolDownload, virStorageVolUpload, virStreamFinish, virStreamFree, virStreamNew, virStreamRecv, virStreamSend } from '../../src/ts/api/stream.js';
import { encodePacket, VIR_NET_OK, VIR_NET_STREAM } from '../../src/ts/rpc/packet.js';
import { virNetMessageStatus } from '../../src/ts/rpc/generated/virnet-protocol.js';
import { FakeDaemon } from './fake-daemon.js';

const MiB = 1024 * 1024;
const TOTAL = 32 * MiB;
const CHUNK = 262144 - 24;
const byteAt = (i: number) => (i * 7 + (i >> 16)) & 0xff;

let fake: FakeDaemon | undefined;
afterEach(() => fake?.stop());

it('a slow download consumer holds the daemon back; all the data arrives once it reads', async () => {
  const progress = { sent: 0, waiting: false, done: false };
  fake = new FakeDaemon({
    onCall: (call) => {
      if (call.name === 'REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME') call.reply({ pool: { name: 'p', uuid: Buffer.alloc(16, 1) } });
      else if (call.name === 'REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME') call.reply({ vol: { pool: 'p', name: 'v', key: '/p/v' } });
      else if (call.name === 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD' && call.header.type !== VIR_NET_STREAM) {
        call.reply();
        const header = { ...call.header, type: VIR_NET_STREAM, status: virNetMessageStatus.VIR_NET_CONTINUE };
        void (async () => {
          while (progress.sent < TOTAL) {
            const n = Math.min(CHUNK, TOTAL - progress.sent);
            const data = Buffer.alloc(n);
            for (let i = 0; i < n; i++) data[i] = byteAt(progress.sent + i);
            const head = encodePacket(header);
            head.writeUInt32BE(head.length + n, 0);
            progress.sent += n;
            if (!call.socket.write(Buffer.concat([head, data]))) {
              progress.waiting = true;
              await new Promise((resolve) => call.socket.once('drain', resolve));
              progress.waiting = false;
            }
          }
          call.socket.write(encodePacket(header)); // the end of the data
          progress.done = true;
        })();
      } else if (call.name === 'REMOTE_PROC_STORAGE_VOL_DOWNLOAD' && call.header.status === VIR_NET_OK) {
        call.socket.write(encodePacket({ ...call.header, type: VIR_NET_STREAM, status: VIR_NET_OK })); // the finish confirmed
      }
    },
  });
  await fake.listen();
  const conn = await virConnectOpen(fake.uri);
  const vol = await virStorageVolLookupByName(await virStoragePoolLookupByName(conn, 'p'), 'v');
  const st = virStreamNew(conn, 0);
  await virStorageVolDownload(vol, st, 0, 0, 0);
  // The RPC client under the stream (its `paused`: whether it stopped reading the socket).
  const client = (st.io as unknown as { rc: { client: { paused: boolean } } }).rc.client;
  // Nothing is read: the client stops reading its socket and the daemon's writes stall, long before the end.
  while (!(client.paused && progress.waiting) && !progress.done) await new Promise((resolve) => setImmediate(resolve));
  expect(progress.done).toBe(false);
  expect(client.paused).toBe(true);
  expect(progress.sent).toBeLessThan(8 * MiB);
  // While it does not read, the client PINGs the daemon each second: a daemon that hears nothing from a client
  // drops it, and the daemon's own PINGs wait unread behind the data.
  const pingsBefore = fake.pingsReceived;
  await new Promise((resolve) => setTimeout(resolve, 2300));
  expect(fake.pingsReceived - pingsBefore).toBeGreaterThanOrEqual(2);
  // Now the consumer reads: every byte arrives, in order.
  let received = 0;
  for (;;) {
    const data = await virStreamRecv(st, 1 << 20);
    if (data.length === 0) break;
    for (let i = 0; i < data.length; i += 4093) expect(data[i]).toBe(byteAt(received + i));
    received += data.length;
  }
  expect(received).toBe(TOTAL);
  // Reading again, the client stops those PINGs (its own keepalive waits 5 s of silence).
  const pingsAfter = fake.pingsReceived;
  await new Promise((resolve) => setTimeout(resolve, 1300));
  expect(fake.pingsReceived).toBe(pingsAfter);
  await virStreamFinish(st);
  virStreamFree(st);
  await virConnectClose(conn);
}, 60_000);

it('an upload waits for the socket to drain when the daemon does not read', async () => {
  let received = 0;
  fake = new FakeDaemon({
    onCall: (call) => {
      if (call.name === 'REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME') call.reply({ pool: { name: 'p', uuid: Buffer.alloc(16, 1) } });
      else if (call.name === 'REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME') call.reply({ vol: { pool: 'p', name: 'v', key: '/p/v' } });
      else if (call.name === 'REMOTE_PROC_STORAGE_VOL_UPLOAD' && call.header.type !== VIR_NET_STREAM) {
        call.reply();
        call.socket.pause(); // the daemon reads nothing more for now
      } else if (call.name === 'REMOTE_PROC_STORAGE_VOL_UPLOAD' && call.header.status === virNetMessageStatus.VIR_NET_CONTINUE) {
        received += (call.args as Buffer).length;
      } else if (call.name === 'REMOTE_PROC_STORAGE_VOL_UPLOAD') {
        call.socket.write(encodePacket({ ...call.header, type: VIR_NET_STREAM, status: VIR_NET_OK })); // the finish confirmed
      }
    },
  });
  await fake.listen();
  const conn = await virConnectOpen(fake.uri);
  const vol = await virStorageVolLookupByName(await virStoragePoolLookupByName(conn, 'p'), 'v');
  const st = virStreamNew(conn, 0);
  await virStorageVolUpload(vol, st, 0, 0, 0);
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  let sent = 0;
  let pending = true;
  const sender = (async () => {
    while (sent < TOTAL) {
      await virStreamSend(st, chunk);
      sent += chunk.length;
    }
    pending = false;
  })();
  // Sends resolve while the socket takes them, then one stays pending: many event-loop turns without progress.
  for (let last = -1, still = 0; pending && still < 200; ) {
    await new Promise((resolve) => setImmediate(resolve));
    still = sent === last ? still + 1 : 0;
    last = sent;
  }
  expect(pending).toBe(true);
  expect(sent).toBeLessThan(8 * MiB);
  // The daemon reads again: the sends go on to the end.
  fake.clients.forEach((s) => s.resume());
  await sender;
  expect(sent).toBeGreaterThanOrEqual(TOTAL);
  await virStreamFinish(st);
  expect(received).toBe(sent);
  virStreamFree(st);
  await virConnectClose(conn);
}, 60_000);
