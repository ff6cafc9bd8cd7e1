// The remote driver against a private real libvirtd serving test:///default: the idiomatic API and the
// C-style API give what python3-libvirt and virsh report for the same daemon, errors as libvirtd sent them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/ts/index.js';
import * as virt from '../../src/ts/libvirt.js';
import { VirError } from '../../src/ts/errors/index.js';
import { python, startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

let daemon: Libvirtd;
let uri: string;

beforeAll(async () => {
  daemon = await startLibvirtd();
  uri = daemon.uris.test;
});

afterAll(async () => {
  await daemon?.stop();
});

describe('remote driver against libvirtd (test:///default)', () => {
  it('lists, looks up and reads domains as python3-libvirt does', async () => {
    const conn = await connect(uri);
    try {
      const domains = await conn.listDomains();
      const mine = await Promise.all(
        domains.map(async (d) => [d.name, d.uuid, d.id, Object.values(await d.info()).map(String)] as const),
      );
      const theirs = JSON.parse(
        await python(
          `import sys, json, libvirt
c = libvirt.open(sys.argv[1])
print(json.dumps([[d.name(), d.UUIDString(), d.ID(), [str(v) for v in d.info()]] for d in c.listAllDomains()]))`,
          [uri],
        ),
      );
      expect(mine.map(([n, u, id]) => [n, u, id])).toEqual(theirs.map(([n, u, id]: unknown[]) => [n, u, id]));
      // cpuTime moves between the two readings: compare state, maxMem, memory, vcpus.
      expect(mine.map(([, , , info]) => [info[0], info[1], info[2], info[3]])).toEqual(
        theirs.map(([, , , info]: string[][]) => [info[0], info[1], info[2], info[3]]),
      );
      const [libVersion, version, type] = JSON.parse(
        await python(`import sys, json, libvirt\nc = libvirt.open(sys.argv[1])\nprint(json.dumps([c.getLibVersion(), c.getVersion(), c.getType()]))`, [uri]),
      );
      expect([await conn.libVersion(), await conn.version(), conn.type]).toEqual([libVersion, version, type]);
      expect(await (await conn.lookupDomain('test')).xml()).toBe((await virsh(uri, ['dumpxml', 'test'])).stdout.replace(/\n$/, ''));
    } finally {
      await conn.close();
    }
  });

  it('reports libvirtd’s own errors: code, domain and message', async () => {
    const conn = await connect(uri);
    try {
      const err = await conn.lookupDomainByName('nope').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VirError);
      const theirs = JSON.parse(
        await python(
          `import sys, json, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
try:
    c.lookupByName('nope')
except libvirt.libvirtError as e:
    print(json.dumps([e.get_error_code(), e.get_error_domain(), e.get_error_message(), e.get_error_level()]))`,
          [uri],
        ),
      );
      const e = err as VirError;
      expect([e.code, e.domain, e.message, e.level]).toEqual(theirs);
    } finally {
      await conn.close();
    }
  });

  it('runs many calls at once on one connection, each answered by its own reply', async () => {
    const conn = await connect(uri);
    try {
      const dom = await conn.lookupDomain('test');
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? dom.info().then((x) => x.maxMem) : dom.name)));
      expect(new Set(results.filter((r) => typeof r === 'number')).size).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('changes state through the daemon: suspend, resume, define, undefine', async () => {
    const conn = await connect(uri);
    try {
      const dom = await conn.lookupDomain('test');
      await dom.suspend();
      // libvirtd shares test:///default between its clients: virsh sees what this connection did.
      expect((await virsh(uri, ['domstate', 'test'])).stdout.trim()).toBe('paused');
      expect((await dom.state()).state).toBe(virt.virDomainState.VIR_DOMAIN_PAUSED);
      await dom.resume();
      expect((await dom.state()).state).toBe(virt.virDomainState.VIR_DOMAIN_RUNNING);
      expect((await virsh(uri, ['domstate', 'test'])).stdout.trim()).toBe('running');
    } finally {
      await conn.close();
    }
  });

  it('the C-style API: Promise-returning functions work, synchronous ones refuse clearly', async () => {
    const conn = virt.virConnectOpen(uri);
    expect(conn).toBeNull();
    expect(virt.virGetLastErrorMessage()).toMatch(/cannot complete synchronously/);
  });
});
