import { afterEach, describe, expect, it } from 'vitest';
import { connect, ErrorNumber, VirError, type Connection, type DomainLifecycleEvent } from '../../src/ts/index.js';
import { virDomainEventType, virDomainEventSuspendedDetailType } from '../../src/ts/core/enums.generated.js';

/** conn.domainEvents(): lifecycle events as an async iterator, with AbortSignal, break and close. */

const opened: Connection[] = [];
async function open(uri = 'test:///default'): Promise<Connection> {
  const conn = await connect(uri);
  opened.push(conn);
  return conn;
}
afterEach(async () => {
  for (const conn of opened.splice(0)) await conn.close();
});

const summary = (e: DomainLifecycleEvent) => [e.domain.name, e.name, e.event, e.detail, e.domain.id];

describe('conn.domainEvents()', () => {
  it("sees another connection's suspend and resume, in order, from the moment it was created", async () => {
    const watcher = await open();
    const actor = await open();
    const events = watcher.domainEvents();
    const dom = await actor.lookupDomain('test');
    await dom.suspend();
    await dom.resume();
    const got = [];
    for await (const e of events) {
      got.push(summary(e));
      e.domain.free();
      if (got.length === 2) break;
    }
    expect(got).toEqual([
      ['test', 'suspended', virDomainEventType.VIR_DOMAIN_EVENT_SUSPENDED, virDomainEventSuspendedDetailType.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 1],
      ['test', 'resumed', virDomainEventType.VIR_DOMAIN_EVENT_RESUMED, 0, 1],
    ]);
    // `break` stopped listening: a later event is not queued anywhere.
    await dom.suspend();
    expect(await events.next()).toEqual({ value: undefined, done: true });
    await dom.resume();
    dom.free();
  });

  it('the signal ends a waiting iteration; an aborted signal starts nothing', async () => {
    const conn = await open();
    const controller = new AbortController();
    const events = conn.domainEvents({ signal: controller.signal });
    const next = events.next();
    controller.abort();
    expect(await next).toEqual({ value: undefined, done: true });
    const none = conn.domainEvents({ signal: AbortSignal.abort() });
    expect(await none.next()).toMatchObject({ done: true });
  });

  it('a domain filter, and events read after close() are those received before it', async () => {
    const conn = await open();
    await conn.defineDomain(`<domain type='test'><name>other</name><memory>8192</memory><os><type>hvm</type></os></domain>`);
    const test = await conn.lookupDomain('test');
    const events = conn.domainEvents({ domain: test });
    await (await conn.lookupDomain('other')).undefine();
    await test.suspend();
    await new Promise((resolve) => setImmediate(resolve));
    events.close();
    const { value } = await events.next();
    expect(value && summary(value)).toEqual(['test', 'suspended', 3, 0, 1]);
    value?.domain.free();
    expect((await events.next()).done).toBe(true);
    await test.resume();
    test.free();
  });

  it('closing the connection ends its iterators', async () => {
    const conn = await connect('test:///default');
    const next = conn.domainEvents().next();
    await conn.close();
    expect(await next).toEqual({ value: undefined, done: true });
  });

  it("a driver without events throws libvirt's error at once", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const conn = await open(`tsvirt:///embed?root=${mkdtempSync(join(tmpdir(), 'tsvirt-ev-'))}`);
    let error: unknown;
    try {
      conn.domainEvents();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VirError);
    expect((error as VirError).code).toBe(ErrorNumber.VIR_ERR_NO_SUPPORT);
  });
});
