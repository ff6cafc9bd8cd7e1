// Faults on a remote connection: a daemon that stops answering keepalive, hangs up mid-call, sends garbage or
// demands authentication tsvirt does not speak, and a real libvirtd killed while a call is outstanding. Every
// waiting call fails with libvirt's RPC error, the close callback fires, nothing hangs.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/ts/index.js';
import * as virt from '../../src/ts/libvirt.js';
import { remoteDefaults } from '../../src/ts/drivers/remote/index.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { encodePacket, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { startLibvirtd } from '../support/libvirtd.mjs';
import { FakeDaemon } from './fake-daemon.js';

const CLOSE_REASON = { ERROR: 0, EOF: 1, KEEPALIVE: 2 };

let fake: FakeDaemon | null = null;
const saved = { ...remoteDefaults };

beforeEach(() => {
  Object.assign(remoteDefaults, saved);
});

afterEach(async () => {
  for (const key of Object.keys(remoteDefaults)) delete (remoteDefaults as Record<string, unknown>)[key];
  Object.assign(remoteDefaults, saved);
  await fake?.stop();
  fake = null;
});

async function fakeDaemon(options: ConstructorParameters<typeof FakeDaemon>[0]): Promise<FakeDaemon> {
  fake = new FakeDaemon(options);
  await fake.listen();
  return fake;
}

/** Listens for the connection's loss; `reason` settles with the close callback's reason once it fires. */
async function closeReason(conn: Connection): Promise<{ reason: Promise<number> }> {
  let fired!: (reason: number) => void;
  const reason = new Promise<number>((resolve) => (fired = resolve));
  await conn.onClose(fired);
  return { reason };
}

function rpcError(err: unknown): { code: number; domain: number; message: string } {
  expect(err).toBeInstanceOf(VirError);
  const e = err as VirError;
  return { code: e.code, domain: e.domain, message: e.message };
}

describe('keepalive', () => {
  it('declares a silent daemon dead after the unanswered PINGs: calls fail, the close callback fires', async () => {
    const daemon = await fakeDaemon({ answerPings: false });
    Object.assign(remoteDefaults, { keepaliveIntervalMs: 150, keepaliveCount: 2 });
    const conn = await connect(daemon.uri);
    const { reason } = await closeReason(conn);
    const call = conn.lookupDomainByName('test').catch((e: unknown) => e);
    expect(rpcError(await call)).toEqual({
      code: ErrorNumber.VIR_ERR_RPC,
      domain: ErrorDomain.VIR_FROM_RPC,
      message: 'connection closed due to keepalive timeout',
    });
    expect(await reason).toBe(CLOSE_REASON.KEEPALIVE);
    expect(daemon.pingsReceived).toBe(2);
    expect(conn.alive).toBe(false);
    // Later calls fail at once, with the words libvirt uses for a closed client.
    expect(rpcError(await conn.lookupDomainByName('test').catch((e: unknown) => e)).message).toBe('client socket is closed');
    await conn.close();
  });

  it('keeps a connection whose daemon answers PINGs, however long a call takes', async () => {
    let pending: ((value: unknown) => void) | null = null;
    const daemon = await fakeDaemon({
      onCall: (call) => {
        if (call.name === 'REMOTE_PROC_CONNECT_GET_HOSTNAME') pending = () => call.reply({ hostname: 'slow-host' });
      },
    });
    Object.assign(remoteDefaults, { keepaliveIntervalMs: 20, keepaliveCount: 2 });
    const conn = await connect(daemon.uri);
    const hostname = conn.hostname();
    // Many keepalive intervals pass with the call outstanding; each PING is answered.
    while (daemon.pingsReceived < 6) await new Promise((r) => setTimeout(r, 20));
    expect(conn.alive).toBe(true);
    pending!(undefined);
    expect(await hostname).toBe('slow-host');
    await conn.close();
  });

  it('virConnectSetKeepAlive sets it in seconds; a local connection has none', async () => {
    const daemon = await fakeDaemon({ answerPings: false });
    const conn = await connect(daemon.uri);
    const { reason } = await closeReason(conn);
    expect(await conn.setKeepAlive(1, 1)).toBe(0);
    expect(await reason).toBe(CLOSE_REASON.KEEPALIVE);
    expect(daemon.pingsReceived).toBe(1);
    await conn.close();
    const local = await connect('test:///default');
    const err = (await local.setKeepAlive(5, 5).catch((e: unknown) => e)) as VirError;
    expect(err.message).toBe('this function is not supported by the connection driver: virConnectSetKeepAlive');
    await local.close();
  });

  it("answers the daemon's PINGs with PONGs", async () => {
    const daemon = await fakeDaemon({});
    const conn = await connect(daemon.uri);
    daemon.ping();
    daemon.ping();
    while (daemon.pongsReceived < 2) await new Promise((r) => setTimeout(r, 10));
    expect(daemon.pongsReceived).toBe(2);
    await conn.close();
  });
});

describe('a daemon that goes away or misbehaves', () => {
  it('hangs up mid-call: every outstanding call fails with an RPC error and the close callback says EOF', async () => {
    const daemon = await fakeDaemon({});
    const conn = await connect(daemon.uri);
    const { reason } = await closeReason(conn);
    const calls = [conn.hostname(), conn.nodeInfo(), conn.lookupDomainByName('test')].map((p) => p.catch((e: unknown) => e));
    const sent = ['REMOTE_PROC_CONNECT_GET_HOSTNAME', 'REMOTE_PROC_NODE_GET_INFO', 'REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME'];
    while (!sent.every((c) => daemon.calls.includes(c))) await new Promise((r) => setTimeout(r, 5));
    daemon.hangUp();
    for (const err of await Promise.all(calls)) {
      expect(rpcError(err)).toEqual({
        code: ErrorNumber.VIR_ERR_RPC,
        domain: ErrorDomain.VIR_FROM_RPC,
        message: 'End of file while reading data: Input/output error',
      });
    }
    expect(await reason).toBe(CLOSE_REASON.EOF);
    expect(virt.virConnectIsAlive(conn.handle)).toBe(0);
    await conn.close();
  });

  it('a reply that does not decode fails its call only; the connection goes on', async () => {
    const daemon = await fakeDaemon({
      onCall: (call) => {
        if (call.name === 'REMOTE_PROC_CONNECT_GET_HOSTNAME') {
          // A string whose length says 1,000 bytes, and 4 bytes of it.
          const reply = encodePacket({ ...call.header, type: VIR_NET_REPLY, status: VIR_NET_OK }, (w) => {
            w.uint(1000);
            w.uint(0x41414141);
          });
          call.socket.write(reply);
        } else if (call.name === 'REMOTE_PROC_NODE_GET_INFO') {
          call.reply({ model: [...Buffer.from('x86_64'), ...new Array(26).fill(0)], memory: 1024n, cpus: 2, mhz: 1000, nodes: 1, sockets: 1, cores: 2, threads: 1 });
        }
      },
    });
    const conn = await connect(daemon.uri);
    const err = rpcError(await conn.hostname().catch((e: unknown) => e));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_RPC);
    expect(err.message).toMatch(/XDR data ends/);
    expect((await conn.nodeInfo()).model).toBe('x86_64');
    expect(conn.alive).toBe(true);
    await conn.close();
  });

  it('a packet length beyond the limit ends the connection: calls fail, the close callback says ERROR', async () => {
    const daemon = await fakeDaemon({
      onCall: (call) => {
        const bad = Buffer.alloc(8);
        bad.writeUInt32BE(0xffffffff, 0);
        call.socket.write(bad);
      },
    });
    const conn = await connect(daemon.uri);
    const { reason } = await closeReason(conn);
    const err = rpcError(await conn.hostname().catch((e: unknown) => e));
    expect(err).toEqual({ code: ErrorNumber.VIR_ERR_RPC, domain: ErrorDomain.VIR_FROM_RPC, message: `packet length ${0xffffffff} exceeds maximum ${32 * 1024 * 1024}` });
    expect(await reason).toBe(CLOSE_REASON.ERROR);
    await conn.close();
  });

  it.each([
    [[2], 'polkit'],
    [[1], 'SASL'],
  ])('refuses a daemon that demands authentication %j clearly', async (types, name) => {
    const daemon = await fakeDaemon({ authTypes: types });
    const err = (await connect(daemon.uri).catch((e: unknown) => e)) as VirError;
    expect(err).toBeInstanceOf(VirError);
    expect(err.code).toBe(ErrorNumber.VIR_ERR_AUTH_FAILED);
    expect(err.message).toContain(`requires ${name} authentication, which tsvirt's remote driver does not support`);
    // Nothing beyond libvirt's first three calls (sent together) was asked of it, and the connection is gone.
    expect(daemon.calls).toEqual(['REMOTE_PROC_AUTH_LIST', 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', 'REMOTE_PROC_CONNECT_OPEN']);
  });

  it('nothing listening on the socket: libvirt’s error, also for the synchronous open', async () => {
    const missing = '/tmp/tsvirt-remote-nothing-here/sock';
    expect(virt.virConnectOpen(`test+unix:///default?socket=${missing}`)).toBeNull();
    expect(virt.virGetLastErrorMessage()).toBe(`Failed to connect socket to '${missing}': No such file or directory`);
    expect(virt.virGetLastErrorCode()).toBe(ErrorNumber.VIR_ERR_SYSTEM_ERROR);
  });
});

describe('a real libvirtd killed while a call is outstanding', () => {
  it('fails the running save job with an RPC error and fires the close callback', async () => {
    const daemon = await startLibvirtd();
    try {
      // libvirtd's test driver writes the save image into a FIFO nobody reads: the call stays outstanding.
      const fifo = join(daemon.filesDir, 'blocked.save');
      execFileSync('mkfifo', [fifo]);
      chmodSync(fifo, 0o666);
      await daemon.giveToDaemon(fifo);
      // The C-style API on a remote connection: every function's `.async` form.
      const conn = (await virt.virConnectOpen.async(daemon.uris.test))!;
      expect(conn).not.toBeNull();
      let fired!: (reason: number) => void;
      const reason = new Promise<number>((resolve) => (fired = resolve));
      expect(await virt.virConnectRegisterCloseCallback.async(conn, (_c, r) => fired(r))).toBe(0);
      const dom = (await virt.virDomainLookupByName.async(conn, 'test'))!;
      const saved = virt.virDomainSave(dom, fifo);
      // Whether or not libvirtd has started on the call when it dies, the call must fail the same way.
      await new Promise((r) => setTimeout(r, 200));
      process.kill(daemon.pid, 'SIGKILL');
      expect(await saved).toBe(-1);
      expect(virt.virGetLastErrorCode()).toBe(ErrorNumber.VIR_ERR_RPC);
      expect(virt.virGetLastErrorMessage()).toBe('End of file while reading data: Input/output error');
      expect(await reason).toBe(CLOSE_REASON.EOF);
      expect(virt.virConnectIsAlive(conn)).toBe(0);
      virt.virDomainFree(dom);
      virt.virConnectClose(conn);
    } finally {
      await daemon.stop();
    }
  });
});
