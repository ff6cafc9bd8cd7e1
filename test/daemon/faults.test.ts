// Bad input and hostile clients: each gets a clear RPC error or is dropped; the daemon keeps serving
// everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePacket, VIR_NET_CALL, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { remoteProgram } from '../../src/ts/rpc/programs.js';
import { RawClient } from './raw-client.js';
import { startDaemon, type TestDaemon } from './helpers.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ limits: { maxPacket: 1024 * 1024, maxQueuedOutput: 256 * 1024 } });
});
afterAll(() => d.stop());

/** A fresh client proving the daemon still serves: open, list, close. */
async function healthy(): Promise<void> {
  const c = await RawClient.open(d.socket);
  await c.openConnection();
  const r = await c.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
  expect(r.value.domains.map((x: any) => x.name)).toEqual(['test']);
  c.close();
}

const word = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

describe('malformed packets', () => {
  it.each([
    ['a length word below the header size', word(8)],
    ['a length word of zero', word(0)],
    ['a length over the limit', word(1024 * 1024 + 1)],
    ['a length of 4 GiB - 1', word(0xffffffff)],
  ])('%s drops the client', async (_what, bytes) => {
    const c = await RawClient.open(d.socket);
    c.write(bytes);
    await c.waitFor(() => c.closed);
    expect(c.received).toEqual([]);
    await healthy();
  });

  it('a packet of random bytes with a valid length gets an error reply or is ignored, never a crash', async () => {
    const c = await RawClient.open(d.socket);
    for (let i = 0; i < 200; i++) {
      const body = Buffer.alloc(24 + (i % 40));
      for (let k = 0; k < body.length; k++) body[k] = (i * 7919 + k * 104729) & 0xff;
      c.write(Buffer.concat([word(body.length + 4), body]));
    }
    await new Promise((r) => setTimeout(r, 200));
    await healthy();
    c.close();
  });

  it('a reply sent to the daemon is not a call: ignored', async () => {
    const c = await RawClient.open(d.socket);
    c.write(encodePacket({ prog: remoteProgram.program, vers: 1, proc: 66, type: VIR_NET_REPLY, serial: 1, status: VIR_NET_OK }));
    expect((await c.call('REMOTE_PROC_AUTH_LIST')).ok).toBe(true);
    expect(c.received.length).toBe(1);
    c.close();
  });

  it('a call with a non-OK status gets "Unexpected message status"', async () => {
    const c = await RawClient.open(d.socket);
    c.write(encodePacket({ prog: remoteProgram.program, vers: 1, proc: 66, type: VIR_NET_CALL, serial: 9, status: 2 }));
    expect((await c.reply(9)).value.message).toBe('Unexpected message status 2');
    c.close();
  });

  it('trailing bytes after the arguments are an error reply', async () => {
    const c = await RawClient.open(d.socket);
    c.write(encodePacket({ prog: remoteProgram.program, vers: 1, proc: 60, type: VIR_NET_CALL, serial: 2, status: VIR_NET_OK }, (w) => {
      w.uint(10);
      w.uint(0);
    }));
    expect((await c.reply(2)).value.message).toBe('XDR data has 4 unexpected trailing bytes');
    c.close();
  });
});

describe('hostile clients', () => {
  it('a client that sends half a packet and stalls holds nothing up', async () => {
    const stalled = await RawClient.open(d.socket);
    const packet = encodePacket({ prog: remoteProgram.program, vers: 1, proc: 66, type: VIR_NET_CALL, serial: 0, status: VIR_NET_OK });
    stalled.write(packet.subarray(0, 13));
    await healthy();
    // The rest arrives late: the call is then answered.
    stalled.write(packet.subarray(13));
    expect((await stalled.reply(0)).ok).toBe(true);
    stalled.close();
  });

  it('a client that does not read its replies is throttled (its calls wait), the others are served', async () => {
    const before = new Set(d.calls.keys());
    const greedy = await RawClient.open(d.socket);
    greedy.socket.pause(); // reads nothing for now
    const call = (serial: number) =>
      encodePacket({ prog: remoteProgram.program, vers: 1, proc: 1, type: VIR_NET_CALL, serial, status: VIR_NET_OK }, (w) => {
        w.uint(1);
        w.string('test:///default', 1000);
        w.uint(0);
      });
    // 20,000 calls whose replies (errors after the first open, about 2.5 MB) pile up unread.
    const count = 20_000;
    greedy.socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => call(i))));
    let throttled = false;
    for (let i = 0; i < 40 && !throttled; i++) {
      await new Promise((r) => setTimeout(r, 50));
      throttled = d.daemon.clients.some((s) => s.throttled && s.queuedOutput > 256 * 1024);
    }
    expect(throttled).toBe(true);
    const id = [...d.calls.keys()].find((k) => !before.has(k))!;
    expect(d.calls.get(id)!.length).toBeLessThan(count);
    await healthy();
    // Once it reads again, every call is answered.
    greedy.socket.resume();
    await greedy.waitFor(() => greedy.received.length === count, 20_000);
    expect(d.calls.get(id)!.length).toBe(count);
    greedy.close();
  });

  it('a thousand clients connecting at once are all served', async () => {
    const clients = await Promise.all(Array.from({ length: 1000 }, () => RawClient.open(d.socket)));
    const replies = await Promise.all(clients.map((c) => c.call('REMOTE_PROC_AUTH_LIST')));
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(d.daemon.clientCount).toBeGreaterThanOrEqual(1000);
    for (const c of clients) c.close();
    await healthy();
  });
});
