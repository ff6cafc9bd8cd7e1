// Domain lifecycle events from a real libvirtd reach tsvirt's listeners (the idiomatic async iterator and the
// C-style virConnectDomainEventRegisterAny) as python3-libvirt receives them, whoever caused them.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/harness.js';
import { connect } from '../../src/ts/index.js';
import * as virt from '../../src/ts/libvirt.js';
import { python, REPO, startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

let daemon: Libvirtd;

beforeAll(async () => {
  // The last test runs a program on dist/: built first (tsup can take a minute on a busy machine).
  ensureBuilt();
  daemon = await startLibvirtd();
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
});

/** What python3-libvirt's lifecycle callback receives while virsh runs `commands` on the same daemon. */
async function pythonEvents(uri: string, commands: string, count: number): Promise<[string, number, number][]> {
  const out = await python(
    `import sys, json, threading, subprocess, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
seen = []
def cb(conn, dom, event, detail, opaque):
    seen.append([dom.name(), event, detail])
c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
subprocess.run(['virsh', '-c', sys.argv[1], sys.argv[2]], check=True, capture_output=True)
while len(seen) < int(sys.argv[3]):
    libvirt.virEventRunDefaultImpl()
print(json.dumps(seen))`,
    [uri, commands, count],
  );
  return JSON.parse(out);
}

describe('domain events through libvirtd', () => {
  it('delivers what python3-libvirt receives for the same operations, to the iterator and to C-style callbacks', async () => {
    const uri = daemon.uris.test;
    const theirs = await pythonEvents(uri, 'suspend test; resume test', 2);

    const conn = await connect(uri);
    const events = conn.domainEvents();
    await events.ready;
    const cstyle: [string, number, number][] = [];
    const id = await virt.virConnectDomainEventRegisterAny.async(conn.handle, null, virt.virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (_c, dom, event, detail) => {
      cstyle.push([virt.virDomainGetName(dom)!, event, detail]);
    });
    // This connection's second lifecycle callback (the iterator has the first): libvirt numbers them per connection.
    expect(id).toBe(1);
    expect((await virsh(uri, ['suspend test; resume test'])).status).toBe(0);
    const mine: [string, number, number][] = [];
    for await (const e of events) {
      mine.push([e.domain.name, e.event, e.detail]);
      if (mine.length === theirs.length) break;
    }
    expect(mine).toEqual(theirs);
    expect(theirs.map(([, event]) => event)).toEqual([virt.virDomainEventType.VIR_DOMAIN_EVENT_SUSPENDED, virt.virDomainEventType.VIR_DOMAIN_EVENT_RESUMED]);
    while (cstyle.length < theirs.length) await new Promise((r) => setTimeout(r, 10));
    expect(cstyle).toEqual(theirs);
    expect(await virt.virConnectDomainEventDeregisterAny.async(conn.handle, id as number)).toBe(0);
    // Deregistering again: libvirt's remote driver's error, from this side (the daemon never knew this id).
    expect(await virt.virConnectDomainEventDeregisterAny.async(conn.handle, id as number)).toBe(-1);
    expect(virt.virGetLastErrorMessage()).toBe(`invalid argument: event callback id ${id} not registered`);
    await conn.close();
  });

  it('a callback for one domain hears only that domain', async () => {
    const uri = daemon.uris.test;
    const conn = await connect(uri);
    const other = await connect(uri);
    const test = await conn.lookupDomain('test');
    const onlyTest = conn.domainEvents({ domain: test });
    const all = conn.domainEvents();
    await Promise.all([onlyTest.ready, all.ready]);
    const dom = await other.lookupDomain('test');
    await dom.suspend();
    await dom.resume();
    const xml = (await dom.xml()).replace(/<name>test<\/name>/, '<name>evt-other</name>').replace(/<uuid>[^<]*<\/uuid>/, '');
    const defined = await other.defineDomain(xml);
    await defined.undefine();
    const names = async (events: AsyncIterable<{ domain: { name: string }; name: string }>, n: number) => {
      const seen: string[] = [];
      for await (const e of events) if (seen.push(`${e.domain.name}:${e.name}`) === n) break;
      return seen;
    };
    expect(await names(all, 4)).toEqual(['test:suspended', 'test:resumed', 'evt-other:defined', 'evt-other:undefined']);
    expect(await names(onlyTest, 2)).toEqual(['test:suspended', 'test:resumed']);
    await other.close();
    await conn.close();
  });

  it('a program waiting only for events stays alive until they come', async () => {
    const script = `
      import { connect } from ${JSON.stringify(join(REPO, 'dist/index.js'))};
      const conn = await connect(process.argv[1]);
      const events = conn.domainEvents();
      await events.ready;
      console.log('ready');
      for await (const e of events) {
        console.log(e.domain.name + ':' + e.name);
        break;
      }
      await conn.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, daemon.uris.test], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('ready')) resolve();
      }),
    );
    // Nothing but the daemon's socket keeps the child's event loop busy now.
    await new Promise((r) => setTimeout(r, 300));
    expect((await virsh(daemon.uris.test, ['suspend test; resume test'])).status).toBe(0);
    expect(await exited).toBe(0);
    expect(out).toBe('ready\ntest:suspended\n');
  });
});
