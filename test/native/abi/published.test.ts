import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, describe, expect, it } from 'vitest';
import { installBridge } from '../../../src/ffi/bridge.js';
import { nativeLibrary, nativeLibraryPath } from '../../../src/ts/native/library.js';
import * as connect from '../../../src/ts/api/connect.js';
import * as api from '../../../src/ts/api/domain.js';
import * as networks from '../../../src/ts/api/network.js';
import * as storage from '../../../src/ts/api/storage.js';
import type { VirConnect, VirDomain } from '../../../src/ts/core/handles.js';
import type { ConnectionDrivers, HypervisorDriver } from '../../../src/ts/drivers/driver.js';
import { openDrivers, registerConnectDriver } from '../../../src/ts/drivers/registry.js';
import { hasCc, Workspace } from './harness.js';

// Getters of domain handles answer on any thread from what the bridge published (native/src/abi/abi_object.c),
// without the JavaScript thread: c/readers.c reads on threads of its own, in this process, while this
// thread changes the domains through the TypeScript API.

const URI = 'test:///default?rate=0';
const xml = (name: string, memory: number, vcpus: number, uuid?: string) =>
  `<domain type="test"><name>${name}</name>${uuid ? `<uuid>${uuid}</uuid>` : ''}<memory>${memory}</memory>` +
  `<vcpu>${vcpus}</vcpu><os><type>hvm</type></os></domain>`;
const open = () => connect.virConnectOpen(URI) as VirConnect;

describe.skipIf(!hasCc)('published getters', () => {
  const ws = new Workspace();
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-published-'));
  afterAll(() => {
    ws.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  installBridge();
  const lib = nativeLibrary();
  const c = {
    open: lib.func('void *virConnectOpen(const char *name)'),
    close: lib.func('int virConnectClose(void *conn)'),
    lookup: lib.func('void *virDomainLookupByName(void *conn, const char *name)'),
    free: lib.func('int virDomainFree(void *dom)'),
    networkLookup: lib.func('void *virNetworkLookupByName(void *conn, const char *name)'),
    networkFree: lib.func('int virNetworkFree(void *net)'),
    poolLookup: lib.func('void *virStoragePoolLookupByName(void *conn, const char *name)'),
    poolFree: lib.func('int virStoragePoolFree(void *pool)'),
    getInfo: lib.func('int virDomainGetInfo(void *dom, _Out_ virDomainInfo *info)'),
    getID: lib.func('unsigned int virDomainGetID(void *dom)'),
    errorMessage: lib.func('const char *virGetLastErrorMessage(void)'),
    setErrorFunc: lib.func('void virSetErrorFunc(void *data, void *handler)'),
  };
  const ErrorCallback = koffi.proto('void abi_published_error_callback(void *data, void *error)');
  c.setErrorFunc(null, koffi.register(() => {}, koffi.pointer(ErrorCallback)));

  const Reading = koffi.struct('published_reading', {
    info_rc: 'int',
    info_state: 'int',
    max_mem: 'uint64_t',
    memory: 'uint64_t',
    vcpus: 'int',
    cpu_time: 'uint64_t',
    state_rc: 'int',
    state: 'int',
    reason: 'int',
    id: 'int',
    active: 'int',
    persistent: 'int',
    uuid_rc: 'int',
    uuid: koffi.array('char', 37),
    name: koffi.array('char', 64),
    error_code: 'int',
    error_domain: 'int',
    error_message: koffi.array('char', 256),
    capacity: 'uint64_t',
    allocation: 'uint64_t',
    available: 'uint64_t',
  });
  const readers = koffi.load(ws.buildForTsvirt('readers.c', ['-D_GNU_SOURCE']));
  const r = {
    init: readers.func('int readers_init(const char *library)'),
    start: readers.func('void *reader_start(void *dom)'),
    startNetwork: readers.func('void *network_reader_start(void *net)'),
    startPool: readers.func('void *pool_reader_start(void *pool)'),
    wait: readers.func('int reader_wait(void *reader, int timeout_ms, _Out_ published_reading *out)'),
    stressStart: readers.func(
      'int stress_start(void *dom, int threads, const int *pairs, int npairs, const int64_t *shapes, int nshapes)',
    ),
    stressStop: readers.func('void stress_stop(_Out_ int64_t *counts, _Out_ char *note, int size)'),
  };
  expect(r.init(nativeLibraryPath())).toBe(0);

  const ETIMEDOUT = 110;
  type Reading = Record<string, any>;

  /** Every getter read once on a thread of its own while this thread is blocked: answered without it. */
  function readBlocked(dom: unknown, reader = r.start(dom)): Reading {
    const out: Reading = {};
    const status = r.wait(reader, 10_000, out);
    // A timeout means a getter waited for this thread: it did not answer from published state.
    expect(status, 'the getters needed the JavaScript thread').toBe(0);
    return out;
  }

  /** The same, for getters that may need this thread: it keeps serving while the reader works. */
  async function readServed(dom: unknown, reader = r.start(dom)): Promise<Reading> {
    const out: Reading = {};
    while (r.wait(reader, 1, out) === ETIMEDOUT) await new Promise((resolve) => setImmediate(resolve));
    return out;
  }

  /** What the TypeScript API answers for the domain, as a foreign reader should see it. */
  function expected(dom: VirDomain) {
    const info = api.virDomainGetInfo(dom) as Awaited<ReturnType<typeof api.virDomainGetInfo>>;
    const state = api.virDomainGetState(dom, 0) as { state: number; reason: number };
    return {
      info_rc: 0,
      info_state: info.state,
      max_mem: info.maxMem,
      memory: info.memory,
      vcpus: info.nrVirtCpu,
      state_rc: 0,
      state: state.state,
      reason: state.reason,
      active: api.virDomainIsActive(dom) ? 1 : 0,
      persistent: api.virDomainIsPersistent(dom) ? 1 : 0,
      uuid_rc: 0,
      uuid: dom.uuid,
      name: dom.name,
    };
  }

  it('follow every state change, as the JavaScript thread sees it', async () => {
    const conn = open();
    const cconn = c.open(URI);
    const dom = (await api.virDomainDefineXML(conn, xml('pub-steps', 65536, 2)))!;
    const cdom = c.lookup(cconn, 'pub-steps');
    const image = join(dir, 'pub-steps.save');
    const steps: [string, () => unknown][] = [
      ['define', () => {}],
      ['start', () => api.virDomainCreate(dom)],
      ['suspend', () => api.virDomainSuspend(dom)],
      ['resume', () => api.virDomainResume(dom)],
      ['save', () => api.virDomainSave(dom, image)],
      ['restore', () => api.virDomainRestore(conn, image)],
      ['destroy', () => api.virDomainDestroy(dom)],
      ['redefine', () => api.virDomainDefineXML(conn, xml('pub-steps', 131072, 3, dom.uuid))],
      ['start again', () => api.virDomainCreate(dom)],
      ['undefine while running', () => api.virDomainUndefine(dom)],
    ];
    for (const [step, change] of steps) {
      await change();
      const seen = readBlocked(cdom);
      expect({ step, ...seen }, step).toMatchObject({ step, ...expected(dom) });
      // The test driver's CPU time is the wall clock, in milliseconds, on both paths.
      expect(Math.abs(Number(seen.cpu_time) - Date.now() * 1e6), step).toBeLessThan(5_000 * 1e6);
      // The C getter on the JavaScript thread reads what the reader read.
      const info: Record<string, unknown> = {};
      expect(c.getInfo(cdom, info)).toBe(0);
      expect({ state: info.state, maxMem: Number(info.maxMem), nrVirtCpu: info.nrVirtCpu }).toEqual({
        state: seen.info_state,
        maxMem: Number(seen.max_mem),
        nrVirtCpu: seen.vcpus,
      });
      expect(seen.id).toBe(c.getID(cdom) | 0);
    }
    c.free(cdom);
    c.close(cconn);
    dom.unref();
    connect.virConnectClose(conn);
  }, 60_000);

  it('a vanished domain gives libvirt error on any thread, as before; defined again, it is published again', async () => {
    const conn = open();
    const cconn = c.open(URI);
    const dom = (await api.virDomainDefineXML(conn, xml('pub-gone', 65536, 1)))!;
    const cdom = c.lookup(cconn, 'pub-gone');
    await api.virDomainUndefine(dom);

    const seen = await readServed(cdom);
    expect(c.getInfo(cdom, {})).toBe(-1);
    const onJsThread = c.errorMessage();
    expect(onJsThread).toMatch(/^Domain not found: no domain with matching uuid '[0-9a-f-]{36}' \(pub-gone\)$/);
    expect(seen).toMatchObject({
      info_rc: -1,
      state_rc: -1,
      active: -1,
      error_code: 42, // VIR_ERR_NO_DOMAIN
      error_domain: 12, // VIR_FROM_TEST
      error_message: onJsThread,
      uuid_rc: 0, // the handle's own
      uuid: dom.uuid,
      name: 'pub-gone',
    });

    await api.virDomainDefineXML(conn, xml('pub-gone', 65536, 1, dom.uuid));
    expect(readBlocked(cdom)).toMatchObject({ info_rc: 0, state: 5, persistent: 1 });
    c.free(cdom);
    c.close(cconn);
    dom.unref();
    connect.virConnectClose(conn);
  }, 60_000);

  it('8 threads reading while this thread changes the domain never see a torn state', async () => {
    const conn = open();
    const cconn = c.open(URI);
    const shapes = [
      [65536, 65536, 1],
      [131072, 131072, 4],
    ];
    const dom = (await api.virDomainDefineXML(conn, xml('pub-stress', shapes[0]![0]!, shapes[0]![2]!)))!;
    const cdom = c.lookup(cconn, 'pub-stress');
    // (state, reason) pairs this cycle goes through: any other pair is a torn read.
    const pairs = [5, 0, 1, 1, 3, 1, 1, 5, 5, 2];
    expect(r.stressStart(cdom, 8, Int32Array.from(pairs), pairs.length / 2, BigInt64Array.from(shapes.flat().map(BigInt)), 2)).toBe(0);
    for (let cycle = 0; cycle < 300; cycle++) {
      await api.virDomainCreate(dom);
      await api.virDomainSuspend(dom);
      await api.virDomainResume(dom);
      await api.virDomainDestroy(dom);
      const [memory, , vcpus] = shapes[(cycle + 1) % 2]!;
      await api.virDomainDefineXML(conn, xml('pub-stress', memory!, vcpus!, dom.uuid));
    }
    const counts = new BigInt64Array(3);
    const note = Buffer.alloc(256);
    r.stressStop(counts, note, note.length);
    expect({ torn: counts[1], failed: counts[2], note: note.toString('utf8', 0, note.indexOf(0)) }).toEqual({
      torn: 0n,
      failed: 0n,
      note: '',
    });
    expect(counts[0]).toBeGreaterThan(0n);
    await api.virDomainUndefine(dom);
    c.free(cdom);
    c.close(cconn);
    dom.unref();
    connect.virConnectClose(conn);
  }, 120_000);

  it("networks' active and persistent flags follow their changes on any thread", async () => {
    const conn = open();
    const cconn = c.open(URI);
    const netXml = '<network><name>pub-net</name><bridge name="pubbr0"/></network>';
    const net = (await networks.virNetworkDefineXML(conn, netXml))!;
    const cnet = c.networkLookup(cconn, 'pub-net');
    const read = () => readBlocked(null, r.startNetwork(cnet));
    expect(read()).toMatchObject({ active: 0, persistent: 1, uuid_rc: 0, uuid: net.uuid });
    await networks.virNetworkCreate(net);
    expect(read()).toMatchObject({ active: 1, persistent: 1 });
    expect(() => networks.virNetworkUndefine(net)).toThrow(/still running/);
    await networks.virNetworkDestroy(net);
    expect(read()).toMatchObject({ active: 0, persistent: 1 });
    await networks.virNetworkUndefine(net);
    const gone = await readServed(null, r.startNetwork(cnet));
    expect(gone).toMatchObject({ active: -1, error_code: 43 /* VIR_ERR_NO_NETWORK */, uuid_rc: 0 });
    c.networkFree(cnet);
    c.close(cconn);
    net.unref();
    connect.virConnectClose(conn);
  }, 60_000);

  it("pools' state and info follow their changes and their volumes' on any thread", async () => {
    const conn = open();
    const cconn = c.open(URI);
    const pool = (await storage.virStoragePoolDefineXML(
      conn,
      `<pool type="dir"><name>pub-pool</name><target><path>${join(dir, 'pool')}</path></target></pool>`,
      0,
    ))!;
    const cpool = c.poolLookup(cconn, 'pub-pool');
    const read = () => readBlocked(null, r.startPool(cpool));
    const expectedPool = () => {
      const info = storage.virStoragePoolGetInfo(pool) as { state: number; capacity: number; allocation: number; available: number };
      return {
        info_rc: 0,
        info_state: info.state,
        capacity: info.capacity,
        allocation: info.allocation,
        available: info.available,
        active: storage.virStoragePoolIsActive(pool) ? 1 : 0,
        persistent: storage.virStoragePoolIsPersistent(pool) ? 1 : 0,
        uuid_rc: 0,
        uuid: pool.uuid,
      };
    };
    const numbers = (reading: Reading) => ({ ...reading, capacity: Number(reading.capacity), allocation: Number(reading.allocation), available: Number(reading.available) });
    expect(numbers(read())).toMatchObject(expectedPool());
    await storage.virStoragePoolCreate(pool, 0);
    expect(numbers(read())).toMatchObject({ ...expectedPool(), active: 1 });
    const vol = (await storage.virStorageVolCreateXML(
      pool,
      '<volume><name>v1</name><capacity>1048576</capacity><allocation>1048576</allocation></volume>',
      0,
    ))!;
    expect(numbers(read())).toMatchObject({ ...expectedPool(), allocation: 1048576 });
    await storage.virStorageVolResize(vol, 4194304, 1 /* VIR_STORAGE_VOL_RESIZE_ALLOCATE */);
    expect(numbers(read())).toMatchObject({ ...expectedPool(), allocation: 4194304 });
    await storage.virStorageVolDelete(vol, 0);
    expect(numbers(read())).toMatchObject({ ...expectedPool(), allocation: 0 });
    await storage.virStoragePoolDestroy(pool);
    expect(numbers(read())).toMatchObject({ ...expectedPool(), active: 0 });
    await storage.virStoragePoolUndefine(pool);
    const gone = await readServed(null, r.startPool(cpool));
    expect(gone).toMatchObject({ info_rc: -1, active: -1, error_code: 49 /* VIR_ERR_NO_STORAGE_POOL */, uuid: pool.uuid });
    vol.unref();
    c.poolFree(cpool);
    c.close(cconn);
    pool.unref();
    connect.virConnectClose(conn);
  }, 60_000);

  it('a driver that does not announce its changes (a remote one) is asked through the bridge', async () => {
    // The test driver without its change feed, answering virDomainGetInfo later, as a remote driver would.
    registerConnectDriver({
      name: 'remote-like',
      accepts: (uri) => uri.protocol === 'remote-like:',
      open(): ConnectionDrivers {
        const inner = openDrivers(URI, 0) as ConnectionDrivers;
        const hypervisor = new Proxy(inner.hypervisor, {
          get(target, key) {
            if (key === 'domainChanges') return undefined;
            const value = Reflect.get(target, key) as unknown;
            if (key === 'domainGetInfo') return (dom: VirDomain) => Promise.resolve(target.domainGetInfo!(dom));
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }) as HypervisorDriver;
        return { ...inner, hypervisor, close: () => inner.close() };
      },
    });
    const conn = open();
    const dom = (await api.virDomainDefineXML(conn, xml('pub-remote', 65536, 2)))!;
    const remote = c.open('remote-like:///');
    const cdom = c.lookup(remote, 'pub-remote');
    expect(cdom).not.toBeNull();
    await api.virDomainCreate(dom);
    const seen = await readServed(cdom);
    expect(seen).toMatchObject({ ...expected(dom), uuid: dom.uuid });
    await api.virDomainDestroy(dom);
    expect(await readServed(cdom)).toMatchObject({ info_rc: 0, state: 5, reason: 2, active: 0 });
    await api.virDomainUndefine(dom);
    c.free(cdom);
    c.close(remote);
    dom.unref();
    connect.virConnectClose(conn);
  }, 60_000);
});
