// tsvirtd at the packet level: session procedures, libvirtd's error rules, concurrency, keepalive, sockets.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { keepaliveProgram, remoteProgram } from '../../src/ts/rpc/programs.js';
import { encodePacket, VIR_NET_CALL, VIR_NET_MESSAGE, VIR_NET_OK } from '../../src/ts/rpc/packet.js';
import { RawClient } from './raw-client.js';
import { startDaemon, type TestDaemon } from './helpers.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ limits: { keepaliveIntervalMs: 200, keepaliveCount: 2 } });
});
afterAll(() => d.stop());

const open = async () => RawClient.open(d.socket);

describe('sockets', () => {
  it('read-write and read-only sockets are created with mode 0600', () => {
    expect(statSync(d.socket).mode & 0o777).toBe(0o600);
    expect(statSync(d.readOnlySocket).mode & 0o777).toBe(0o600);
    expect(statSync(d.socket).isSocket()).toBe(true);
  });

  it('a client of the read-only socket gets a read-only connection', async () => {
    const c = await RawClient.open(d.readOnlySocket);
    await c.openConnection();
    const dom = await c.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'test' });
    expect(dom.ok).toBe(true);
    const r = await c.call('REMOTE_PROC_DOMAIN_SUSPEND', { dom: dom.value.dom });
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_OPERATION_DENIED, message: 'operation forbidden: read only access prevents virDomainSuspend' });
    c.close();
  });
});

describe('session procedures and error rules', () => {
  it('AUTH_LIST answers REMOTE_AUTH_NONE; keepalive and callback features are supported before CONNECT_OPEN', async () => {
    const c = await open();
    expect((await c.call('REMOTE_PROC_AUTH_LIST')).value).toEqual({ types: [0] });
    for (const feature of [10, 14, 15]) {
      expect((await c.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature })).value).toEqual({ supported: 1 });
    }
    c.close();
  });

  it('calls before CONNECT_OPEN are refused as libvirtd refuses them', async () => {
    const c = await open();
    const r = await c.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
    expect(r.ok).toBe(false);
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INTERNAL_ERROR, domain: ErrorDomain.VIR_FROM_RPC, message: 'internal error: hypervisor connection not open' });
    const s = await c.call('REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME', { name: 'default-pool' });
    expect(s.value.message).toBe('internal error: connection not open');
    c.close();
  });

  it('a second CONNECT_OPEN is refused', async () => {
    const c = await open();
    await c.openConnection();
    const r = await c.call('REMOTE_PROC_CONNECT_OPEN', { name: 'test:///default', flags: 0 });
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_INTERNAL_ERROR, message: 'internal error: connection already open' });
    c.close();
  });

  it('an unknown procedure is VIR_ERR_RPC "unknown procedure: N", and the client stays usable', async () => {
    const c = await open();
    const serial = 7;
    c.write(encodePacket({ prog: remoteProgram.program, vers: 1, proc: 9999, type: VIR_NET_CALL, serial, status: VIR_NET_OK }));
    const r = await c.reply(serial);
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, domain: ErrorDomain.VIR_FROM_RPC, message: 'unknown procedure: 9999' });
    expect(r.header).toMatchObject({ proc: 9999, serial, status: 1, type: 1 });
    expect((await c.call('REMOTE_PROC_AUTH_LIST')).ok).toBe(true);
    c.close();
  });

  it('an unknown program or version gets "Cannot find program"', async () => {
    const c = await open();
    c.write(encodePacket({ prog: 0x12345678, vers: 1, proc: 1, type: VIR_NET_CALL, serial: 3, status: VIR_NET_OK }));
    expect((await c.reply(3)).value.message).toBe(`Cannot find program ${0x12345678} version 1`);
    c.write(encodePacket({ prog: remoteProgram.program, vers: 2, proc: 66, type: VIR_NET_CALL, serial: 4, status: VIR_NET_OK }));
    expect((await c.reply(4)).value.message).toBe(`Cannot find program ${remoteProgram.program} version 2`);
    c.close();
  });

  it('arguments that do not decode get an RPC error reply, not a dropped client', async () => {
    const c = await open();
    // CONNECT_OPEN with a string length far beyond the payload
    const bad = encodePacket({ prog: remoteProgram.program, vers: 1, proc: 1, type: VIR_NET_CALL, serial: 5, status: VIR_NET_OK }, (w) => {
      w.uint(1);
      w.uint(1000);
    });
    c.write(bad);
    const r = await c.reply(5);
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_RPC, domain: ErrorDomain.VIR_FROM_RPC });
    expect(r.value.message).toMatch(/XDR data ends/);
    expect((await c.call('REMOTE_PROC_AUTH_LIST')).ok).toBe(true);
    c.close();
  });

  it('a procedure tsvirt has no entry point for answers VIR_ERR_NO_SUPPORT naming the function', async () => {
    const c = await open();
    await c.openConnection();
    const dom = (await c.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'test' })).value.dom;
    const r = await c.call('REMOTE_PROC_DOMAIN_GET_MESSAGES', { dom, flags: 0 });
    expect(r.value).toMatchObject({ code: ErrorNumber.VIR_ERR_NO_SUPPORT, message: 'this function is not supported by the connection driver: virDomainGetMessages' });
    c.close();
  });

  it('CONNECT_CLOSE is answered, then the daemon closes the socket', async () => {
    const c = await open();
    await c.openConnection();
    expect((await c.call('REMOTE_PROC_CONNECT_CLOSE')).ok).toBe(true);
    await c.waitFor(() => c.closed);
  });
});

describe('domain lifecycle', () => {
  it('DOMAIN_CREATE_WITH_FLAGS replies with the started domain and its new id', async () => {
    const c = await open();
    await c.openConnection();
    const xml = "<domain type='test'><name>cwf</name><memory>1024</memory><os><type>hvm</type></os></domain>";
    const { dom } = (await c.call('REMOTE_PROC_DOMAIN_DEFINE_XML', { xml })).value;
    expect(dom.id).toBe(-1);
    const started = await c.call('REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS', { dom, flags: 0 });
    expect(started.value.dom).toMatchObject({ name: 'cwf', uuid: dom.uuid });
    expect(started.value.dom.id).toBeGreaterThan(0);
    c.close();
  });
});

describe('lists', () => {
  it('CONNECT_LIST_ALL_* returns the objects and their count, or only the count when need_results is 0', async () => {
    const c = await open();
    await c.openConnection();
    const all = await c.call('REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS', { need_results: 1, flags: 0 });
    expect(all.value.nets.map((n: any) => n.name)).toEqual(['default']);
    expect(all.value.ret).toBe(1);
    const count = await c.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 0, flags: 0 });
    expect(count.value).toEqual({ domains: [], ret: 1 });
    c.close();
  });
});

describe('concurrency', () => {
  it('calls of one connection run concurrently and replies carry their serials', async () => {
    const c = await open();
    await c.openConnection();
    const serials = Array.from({ length: 50 }, () => c.send('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'test' }));
    const replies = await Promise.all(serials.map((s) => c.reply(s)));
    expect(replies.every((r) => r.ok && r.value.dom.name === 'test')).toBe(true);
    c.close();
  });
});

describe('keepalive', () => {
  it('a PING is answered with a PONG', async () => {
    const c = await open();
    c.write(encodePacket({ prog: keepaliveProgram.program, vers: 1, proc: 1, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK }));
    const pong = await c.waitFor(() => c.received.find((p) => p.header.prog === keepaliveProgram.program && p.header.proc === 2));
    expect(pong.header).toMatchObject({ type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK });
    expect(pong.payload.length).toBe(0);
    c.close();
  });

  it('once keepalive is asked for, a silent client is pinged, then dropped after the count', async () => {
    const c = await open();
    await c.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature: 10 });
    await c.waitFor(() => c.received.some((p) => p.header.prog === keepaliveProgram.program && p.header.proc === 1));
    await c.waitFor(() => c.closed, 5000);
    expect(c.received.filter((p) => p.header.prog === keepaliveProgram.program).length).toBe(2);
  });
});
