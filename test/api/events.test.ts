import { describe, expect, it } from 'vitest';
import * as api from '../../src/ts/api/domain.js';
import { virConnectDomainEventDeregisterAny, virConnectDomainEventRegisterAny } from '../../src/ts/api/events.js';
import { virDomainCoreDumpFlags } from '../../src/ts/core/enums.generated.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectError, now, open } from './helpers.js';

/** Lets queued event deliveries run: they happen on a later turn of the event loop, never inside the call. */
const delivered = () => new Promise((resolve) => setImmediate(resolve));

const XML = `<domain type='test'><name>ev</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory>8192</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;

type Seen = [who: string, name: string, id: number, event: number, detail: number];

function listen(conn: VirConnect, who: string, seen: Seen[], dom: VirDomain | null = null): number {
  return now(virConnectDomainEventRegisterAny(conn, dom, 0, (c, d, event, detail, opaque) => {
    expect(c).toBe(conn);
    seen.push([opaque as string, d.name, d.id, event, detail]);
  }, who));
}

const lookup = (conn: VirConnect, name = 'ev') => now(api.virDomainLookupByName(conn, name));

describe('domain lifecycle events of the test driver', () => {
  /**
   * libvirt 9.0's test driver, measured with python3-libvirt on test:///default (two connections, each with a
   * lifecycle callback, every operation made on the second): domain name, the id the event names it by,
   * virDomainEventType, detail. Reboot sends nothing.
   */
  const MEASURED: [step: string, id: number, event: number, detail: number][] = [
    ['define', -1, 0, 0],
    ['redefine', -1, 0, 1],
    ['start', 2, 2, 0],
    ['suspend', 2, 3, 0],
    ['resume', 2, 4, 0],
    ['redefine-running', 2, 0, 1],
    ['shutdown', -1, 5, 0],
    ['start2', 3, 2, 0],
    ['destroy', -1, 5, 1],
    ['start3', 4, 2, 0],
    ['save', -1, 5, 4],
    ['restore', 5, 2, 2],
    ['dump-crash', -1, 5, 2],
    ['start4', 6, 2, 0],
    ['undefine-running', 6, 1, 0],
    ['destroy-transient', -1, 5, 1],
    ['createXML', 7, 2, 0],
    ['save-transient', 7, 5, 4],
    ['restore-transient', 8, 2, 2],
    ['shutdown-transient', 8, 5, 0],
    ['define2', -1, 0, 0],
    ['undefine', -1, 1, 0],
  ];

  it('each operation announces what libvirt announces, to every connection sharing test:///default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvirt-events-'));
    const c1 = await open();
    const c2 = await open();
    const seen: Seen[] = [];
    expect([listen(c1, 'c1', seen), listen(c2, 'c2', seen)]).toEqual([0, 1]);
    const steps: Record<string, () => unknown> = {
      define: () => api.virDomainDefineXML(c2, XML),
      redefine: () => api.virDomainDefineXML(c2, XML),
      start: () => api.virDomainCreate(lookup(c2)),
      suspend: () => api.virDomainSuspend(lookup(c2)),
      resume: () => api.virDomainResume(lookup(c2)),
      reboot: () => api.virDomainReboot(lookup(c2), 0),
      'redefine-running': () => api.virDomainDefineXML(c2, XML),
      shutdown: () => api.virDomainShutdown(lookup(c2)),
      start2: () => api.virDomainCreate(lookup(c2)),
      destroy: () => api.virDomainDestroy(lookup(c2)),
      start3: () => api.virDomainCreate(lookup(c2)),
      save: () => api.virDomainSave(lookup(c2), join(dir, 'ev.save')),
      restore: () => api.virDomainRestore(c2, join(dir, 'ev.save')),
      'dump-crash': () => api.virDomainCoreDump(lookup(c2), join(dir, 'ev.dump'), virDomainCoreDumpFlags.VIR_DUMP_CRASH),
      start4: () => api.virDomainCreate(lookup(c2)),
      'undefine-running': () => api.virDomainUndefine(lookup(c2)),
      'destroy-transient': () => api.virDomainDestroy(lookup(c2)),
      createXML: () => api.virDomainCreateXML(c2, XML, 0),
      'save-transient': () => api.virDomainSave(lookup(c2), join(dir, 'ev2.save')),
      'restore-transient': () => api.virDomainRestore(c2, join(dir, 'ev2.save')),
      'shutdown-transient': () => api.virDomainShutdown(lookup(c2)),
      define2: () => api.virDomainDefineXML(c2, XML),
      undefine: () => api.virDomainUndefine(lookup(c2)),
    };
    const got: [string, number, number, number][] = [];
    for (const [step, run] of Object.entries(steps)) {
      await run();
      // Not inside the call: libvirt queues events for its event loop.
      const during = seen.length;
      await delivered();
      if (step === 'reboot') {
        expect(seen).toEqual([]);
        continue;
      }
      expect(during).toBe(0);
      expect(seen.map((s) => s[0])).toEqual(['c1', 'c2']);
      expect(seen[1].slice(1)).toEqual(seen[0].slice(1));
      expect(seen[0][1]).toBe('ev');
      got.push([step, seen[0][2], seen[0][3], seen[0][4]]);
      seen.length = 0;
    }
    expect(got).toEqual(MEASURED);
  });

  it('a deregistered callback hears nothing more; ids are never reused; a domain filter keeps to its domain', async () => {
    const c1 = await open();
    const c2 = await open();
    const seen: Seen[] = [];
    const first = listen(c1, 'all', seen);
    now(api.virDomainDefineXML(c2, XML));
    const onTest = listen(c1, 'test-only', seen, lookup(c1, 'test'));
    await delivered();
    expect(seen.map((s) => s[0])).toEqual(['all']);
    seen.length = 0;
    expect(now(virConnectDomainEventDeregisterAny(c1, first))).toBe(0);
    now(api.virDomainSuspend(lookup(c2, 'test')));
    now(api.virDomainUndefine(lookup(c2, 'ev')));
    await delivered();
    expect(seen).toEqual([['test-only', 'test', 1, 3, 0]]);
    expect(listen(c1, 'again', seen)).toBe(onTest + 1);
  });

  it('a callback may deregister another during delivery: that one gets nothing more', async () => {
    const c1 = await open();
    const seen: string[] = [];
    let second = -1;
    now(virConnectDomainEventRegisterAny(c1, null, 0, () => {
      seen.push('first');
      now(virConnectDomainEventDeregisterAny(c1, second));
    }));
    second = now(virConnectDomainEventRegisterAny(c1, null, 0, () => seen.push('second')));
    now(api.virDomainSuspend(lookup(c1, 'test')));
    await delivered();
    expect(seen).toEqual(['first']);
  });

  it('a closed connection takes its callbacks with it; freecb runs on deregistration', async () => {
    const c1 = await open();
    const c2 = await open();
    let calls = 0;
    const freed: unknown[] = [];
    const id = now(virConnectDomainEventRegisterAny(c1, null, 0, () => calls++, 'mine', (opaque) => freed.push(opaque)));
    now(virConnectDomainEventRegisterAny(c2, null, 0, () => calls++));
    c2.unref();
    now(api.virDomainSuspend(lookup(c1, 'test')));
    await delivered();
    expect(calls).toBe(1);
    now(virConnectDomainEventDeregisterAny(c1, id));
    expect(freed).toEqual(['mine']);
  });

  it('a callback that throws does not stop the others', async () => {
    const c1 = await open();
    const seen: string[] = [];
    now(virConnectDomainEventRegisterAny(c1, null, 0, () => {
      throw new Error('boom');
    }));
    now(virConnectDomainEventRegisterAny(c1, null, 0, () => seen.push('second')));
    const warned = new Promise((resolve) => process.once('warning', resolve));
    now(api.virDomainSuspend(lookup(c1, 'test')));
    await delivered();
    expect(seen).toEqual(['second']);
    expect(String(await warned)).toContain('boom');
  });
});

describe("event registration's argument checks, in libvirt 9.0's words and order (measured in C)", () => {
  const FROM_DOMAIN = ErrorDomain.VIR_FROM_DOMAIN;
  const cb = () => {};

  it('bad connection, foreign domain, NULL callback, event id out of range', async () => {
    const c1 = await open();
    const c2 = await open();
    const dom = lookup(c1, 'test');
    const register = 'virConnectDomainEventRegisterAny';
    await expectError(() => virConnectDomainEventRegisterAny(null as never, null, 0, cb), ErrorNumber.VIR_ERR_INVALID_CONN, FROM_DOMAIN, `invalid connection pointer in ${register}`);
    await expectError(() => virConnectDomainEventRegisterAny(c2, dom, 0, cb), ErrorNumber.VIR_ERR_INVALID_ARG, FROM_DOMAIN, "domain 'test' must match connection");
    await expectError(() => virConnectDomainEventRegisterAny(c1, null, -1, null as never), ErrorNumber.VIR_ERR_INVALID_ARG, FROM_DOMAIN, `cb in ${register} must not be NULL`);
    await expectError(() => virConnectDomainEventRegisterAny(c1, null, -1, cb), ErrorNumber.VIR_ERR_INVALID_ARG, FROM_DOMAIN, `eventID in ${register} must be zero or greater`);
    await expectError(() => virConnectDomainEventRegisterAny(c1, null, 27, cb), ErrorNumber.VIR_ERR_INVALID_ARG, FROM_DOMAIN, 'eventID must be less than 27');
    // Every valid id is accepted, as by libvirt's test driver; only lifecycle callbacks are ever called.
    expect(now(virConnectDomainEventRegisterAny(c1, null, 26, cb))).toBe(0);
  });

  it('deregistration: a negative id, an unknown id, an id of another connection', async () => {
    const c1 = await open();
    const c2 = await open();
    const id = now(virConnectDomainEventRegisterAny(c1, null, 0, cb));
    const deregister = 'virConnectDomainEventDeregisterAny';
    await expectError(() => virConnectDomainEventDeregisterAny(null as never, 0), ErrorNumber.VIR_ERR_INVALID_CONN, FROM_DOMAIN, `invalid connection pointer in ${deregister}`);
    await expectError(() => virConnectDomainEventDeregisterAny(c1, -1), ErrorNumber.VIR_ERR_INVALID_ARG, FROM_DOMAIN, `callbackID in ${deregister} must be zero or greater`);
    await expectError(() => virConnectDomainEventDeregisterAny(c2, id), ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `invalid argument: could not find event callback ${id} for deletion`);
    expect(now(virConnectDomainEventDeregisterAny(c1, id))).toBe(0);
    await expectError(() => virConnectDomainEventDeregisterAny(c1, id), ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `invalid argument: could not find event callback ${id} for deletion`);
  });

  it('a read-only connection may listen', async () => {
    const ro = await open('test:///default', true);
    expect(now(virConnectDomainEventRegisterAny(ro, null, 0, cb))).toBe(0);
  });

  it('a driver without events answers VIR_ERR_NO_SUPPORT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvirt-events-'));
    const conn = await open(`tsvirt:///embed?root=${dir}`);
    await expectError(() => virConnectDomainEventRegisterAny(conn, null, 0, cb), ErrorNumber.VIR_ERR_NO_SUPPORT, FROM_DOMAIN, 'this function is not supported by the connection driver: virConnectDomainEventRegisterAny');
  });
});

describe('the C-style face (tsvirt/libvirt)', () => {
  it('-1 and the last error on failure; the callback gets conn, dom, event, detail, opaque', async () => {
    const virt = await import('../../src/ts/libvirt.js');
    virt.virSetErrorFunc(null, () => {});
    try {
      const conn = virt.virConnectOpen('test:///default')!;
      expect(virt.virConnectDomainEventRegisterAny(conn, null, 99, () => {}, null, null)).toBe(-1);
      expect(virt.virGetLastErrorMessage()).toBe('eventID must be less than 27');
      const seen: unknown[] = [];
      const id = virt.virConnectDomainEventRegisterAny(conn, null, virt.virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (c, dom, event, detail, opaque) => {
        seen.push([c === conn, virt.virDomainGetName(dom), virt.virDomainGetID(dom), event, detail, opaque]);
      }, 'opaque', null);
      expect(id).toBe(0);
      const dom = virt.virDomainLookupByName(conn, 'test')!;
      expect(virt.virDomainSuspend(dom)).toBe(0);
      expect(virt.virDomainResume(dom)).toBe(0);
      await delivered();
      expect(seen).toEqual([
        [true, 'test', 1, virt.virDomainEventType.VIR_DOMAIN_EVENT_SUSPENDED, virt.virDomainEventSuspendedDetailType.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 'opaque'],
        [true, 'test', 1, virt.virDomainEventType.VIR_DOMAIN_EVENT_RESUMED, virt.virDomainEventResumedDetailType.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 'opaque'],
      ]);
      expect(virt.virConnectDomainEventDeregisterAny(conn, id)).toBe(0);
      expect(virt.virConnectDomainEventDeregisterAny(conn, id)).toBe(-1);
      virt.virDomainFree(dom);
      expect(virt.virConnectClose(conn)).toBe(0);
    } finally {
      virt.virSetErrorFunc(null, null);
    }
  });
});
