// Domain lifecycle events through tsvirtd: the packets python3-libvirt and libvirtd exchanged in the reference
// session x3-python-events, byte for byte; the real python3-libvirt receiving another connection's suspend
// and resume; callbacks dropped with their client; a client that does not read its events.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import { virDomainLookupByName, virDomainResume, virDomainSuspend } from '../../src/ts/api/domain.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { decodePayload, encodeRawPacket } from '../../src/ts/rpc/packet.js';
import { RPC_REFERENCE, readHexSession, type CapturedPacket } from '../rpc/captures.js';
import { run, startDaemon, type TestDaemon } from './helpers.js';
import { RawClient } from './raw-client.js';

const PYTHON = '/usr/bin/python3';
const hasBinding = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import libvirt'])).status === 0;

const KEEPALIVE = 0x6b656570;
const isKeepalive = (bytes: Buffer) => bytes.readUInt32BE(4) === KEEPALIVE;

let d: TestDaemon | null = null;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await d?.stop();
  d = null;
});

async function client(): Promise<RawClient> {
  const c = await RawClient.open(d!.socket);
  clients.push(c);
  return c;
}

/** The daemon's shared test:///default, as an in-process connection sees it (the daemon runs in this process). */
async function inProcess(): Promise<VirConnect> {
  return virConnectOpen('test:///default') as VirConnect;
}

/** The hex file groups packets by connection; the session log has the order they crossed the proxy in. */
function inLogOrder(session: string): CapturedPacket[] {
  const byConnection = readHexSession(session);
  const log = readFileSync(join(RPC_REFERENCE, 'sessions', `${session}.log`), 'utf8').split('\n');
  const ordered: CapturedPacket[] = [];
  for (const line of log) {
    const m = /^(\d+) ([CS]>[CS] .*)$/.exec(line);
    if (!m) continue;
    const at = byConnection.findIndex((p) => p.connection === Number(m[1]) && p.line === m[2]);
    if (at < 0) throw new Error(`no packet for log line ${line}`);
    ordered.push(...byConnection.splice(at, 1));
  }
  return ordered;
}

const eventState = (conn: VirConnect) => (conn.drivers.hypervisor as any).state.domainEvents as { size: number };

describe('lifecycle events through tsvirtd', () => {
  it("answers x3-python-events' calls with libvirtd's bytes, events included", async () => {
    d = await startDaemon();
    const capture = inLogOrder('x3-python-events').filter((p) => !isKeepalive(p.bytes));
    const conns = new Map<number, RawClient>();
    for (const n of new Set(capture.map((p) => p.connection))) {
      const c = await client();
      conns.set(n, c);
    }
    const serverPackets = (n: number) => conns.get(n)!.received.filter((p) => p.header.prog !== KEEPALIVE);
    // Replay in the capture's order: before each client packet, wait for what the daemon had sent by then.
    const expected = new Map<number, number>();
    for (const packet of capture) {
      if (packet.direction === 'S>C') {
        expected.set(packet.connection, (expected.get(packet.connection) ?? 0) + 1);
        continue;
      }
      for (const [n, count] of expected) {
        await conns.get(n)!.waitFor(() => serverPackets(n).length >= count).catch(() => {
          throw new Error(`connection ${n}: ${serverPackets(n).length} of ${count} packets before ${packet.line}: ${serverPackets(n).map((p) => p.header.proc)}`);
        });
      }
      conns.get(packet.connection)!.write(packet.bytes);
    }
    for (const [n, count] of expected) await conns.get(n)!.waitFor(() => serverPackets(n).length >= count);
    for (const n of conns.keys()) {
      const want = capture.filter((p) => p.connection === n && p.direction === 'S>C').map((p) => p.bytes.toString('hex'));
      // Header and payload exactly as received, framed again.
      const got = serverPackets(n).map((p) => encodeRawPacket(p.header, p.payload).toString('hex'));
      expect(got).toEqual(want);
    }
  });

  it('libvirtd\'s answers (measured) to a bad event id and to deregistering an id the client does not hold', async () => {
    d = await startDaemon();
    const c = await client();
    await c.openConnection();
    const bad = await c.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: 27, dom: null });
    expect(bad.ok).toBe(false);
    expect([bad.value.code, bad.value.domain, bad.value.message]).toEqual([1, 7, 'internal error: unsupported event ID 27']);
    const missing = await c.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID: 5 });
    expect([missing.value.code, missing.value.domain, missing.value.message]).toEqual([1, 7, 'internal error: domain event callback 5 not registered']);
    const before = await c.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: 0, dom: null });
    expect(before.ok).toBe(true);
  });

  it("a client's callbacks go when it disconnects; the others keep hearing events", async () => {
    d = await startDaemon();
    const local = await inProcess();
    try {
      const leaving = await client();
      const staying = await client();
      for (const c of [leaving, staying]) {
        await c.openConnection();
        expect((await c.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: 0, dom: null })).ok).toBe(true);
      }
      expect(eventState(local).size).toBe(2);
      leaving.close();
      await staying.waitFor(() => eventState(local).size === 1);
      const dom = virDomainLookupByName(local, 'test') as any;
      virDomainSuspend(dom);
      virDomainResume(dom);
      dom.unref();
      const events = await staying.waitFor(() => {
        const got = staying.received.filter((p) => p.header.proc === 318);
        return got.length === 2 && got;
      });
      expect(events.map((p) => (decodePayload(p).value as any).msg.event)).toEqual([3, 4]);
    } finally {
      virConnectClose(local);
    }
  });

  it('a client that leaves its events unread is dropped; the daemon and the other clients go on', async () => {
    d = await startDaemon({ limits: { maxQueuedOutput: 16 * 1024 } });
    const local = await inProcess();
    try {
      const slow = await client();
      const reader = await client();
      for (const c of [slow, reader]) {
        await c.openConnection();
        await c.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: 0, dom: null });
      }
      slow.socket.pause();
      const dom = virDomainLookupByName(local, 'test') as any;
      // Far more than the socket buffers and the limit hold: 68 bytes an event.
      const rounds = 4000;
      for (let i = 0; i < rounds; i++) {
        virDomainSuspend(dom);
        virDomainResume(dom);
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
      dom.unref();
      await reader.waitFor(() => reader.received.filter((p) => p.header.proc === 318).length === 2 * rounds, 20000);
      await reader.waitFor(() => d!.logs.some((l) => /unread/.test(l)) && eventState(local).size === 1, 20000);
      expect((await reader.call('REMOTE_PROC_CONNECT_GET_TYPE')).value).toEqual({ type: 'TEST' });
    } finally {
      virConnectClose(local);
    }
  });
});

describe.skipIf(!hasBinding)('python3-libvirt events through tsvirtd', () => {
  it("one connection hears another's suspend and resume, and nothing once it deregistered", async () => {
    d = await startDaemon();
    const r = await run(PYTHON, [join(import.meta.dirname, 'python-events.py'), `test+unix:///default?socket=${d.socket}`]);
    // The client library refuses an id it no longer holds without asking the daemon.
    expect(r.stderr).toBe('libvirt:  error : invalid argument: event callback id 0 not registered\n');
    const out = JSON.parse(r.stdout);
    const uuid = '6695eb01-f6a4-8304-79aa-97f2502e193f';
    expect(out).toEqual({
      callback_id: 0,
      events: [
        ['listener', 'test', uuid, 1, 3, 0],
        ['listener', 'test', uuid, 1, 4, 0],
      ],
      after_deregister: [
        ['actor', 'test', uuid, 1, 3, 0],
        ['actor', 'test', uuid, 1, 4, 0],
      ],
      deregister_again: [8, 0, 'invalid argument: event callback id 0 not registered'],
    });
  });
});

describe.skipIf(!existsSync('/usr/bin/virsh'))('virsh event through tsvirtd', () => {
  it("`virsh event --all --loop` registers every event id and prints another virsh's suspend and resume", async () => {
    d = await startDaemon();
    const uri = `test+unix:///default?socket=${d.socket}`;
    const listening = run('virsh', ['-c', uri, 'event', '--all', '--loop', '--timeout', '5']);
    // Once its 27 registrations are in, the other virsh acts.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const registered = [...d!.calls.values()].some((c) => c.filter((p) => p.endsWith('CALLBACK_REGISTER_ANY')).length === 27);
        if (registered) resolve(), clearInterval(poll);
      }, 50);
    });
    expect((await run('virsh', ['-c', uri, 'suspend test; resume test'])).status).toBe(0);
    const r = await listening;
    expect(r.stdout).toBe(
      "event 'lifecycle' for domain 'test': Suspended Paused\nevent 'lifecycle' for domain 'test': Resumed Unpaused\nevent loop timed out\nevents received: 2\n\n",
    );
    expect(r.stderr).toBe('');
  });
});
