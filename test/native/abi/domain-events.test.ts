import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace } from './harness.js';

// c/domain-events.c: domain lifecycle events through virConnectDomainEventRegisterAny and the default event
// loop (libvirt-event.h), run from the main thread and from a second thread; timeouts and handles added,
// updated and removed; the errors of a missing loop, bad ids, duplicate and unknown callbacks; a callback
// that deregisters itself; a connection closed with a callback registered. The same program linked to the
// real libvirt prints the same, byte for byte; so does c/custom-event-loop.c, whose own event loop
// (virEventRegisterImpl) carries the events.

describe.skipIf(!hasCc)('domain events from C', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it.skipIf(!hasRealLibvirt)('prints what the same program prints with libvirt', async () => {
    const [tsvirt, libvirt] = [
      await ws.runTsvirt(ws.buildForTsvirt('domain-events.c'), ['test:///default']),
      await ws.runLibvirt(ws.buildForLibvirt('domain-events.c'), ['test:///default']),
    ];
    expect(libvirt.stdout).toContain('event all: test');
    expect(libvirt.stdout).toContain('ff pipe');
    expect(tsvirt).toEqual(libvirt);
  });

  it.skipIf(!hasRealLibvirt)("delivers through an event loop of the program's own, as with libvirt", async () => {
    const [tsvirt, libvirt] = [
      await ws.runTsvirt(ws.buildForTsvirt('custom-event-loop.c'), ['test:///default']),
      await ws.runLibvirt(ws.buildForLibvirt('custom-event-loop.c'), ['test:///default']),
    ];
    expect(libvirt.stdout).toContain('event own loop: test event=4');
    expect(tsvirt).toEqual(libvirt);
  });

  it('refuses a domain handle that was freed, which is not NULL (every domain)', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('domain-events.c'), ['test:///default', 'freed-domain']);
    expect(result.stdout).toBe(
      [
        'register for a freed domain: -1',
        '  error: code=7 domain=6 message=invalid domain pointer in virConnectDomainEventRegisterAny',
        'close: 0',
        '',
      ].join('\n'),
    );
    expect(result.status).toBe(0);
  });

  it('delivers every event once, in order, with two threads running the loop and callbacks coming and going', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('event-threads.c'), ['test:///default', '200', '200']);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines.filter((line) => !line.startsWith('ok '))).toEqual([]);
    expect(lines).toHaveLength(5);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('delivers every event on the thread that runs the loop', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('domain-events.c'), ['test:///default']);
    const events = result.stdout.split('\n').filter((line) => line.startsWith('event '));
    expect(events).toHaveLength(24);
    expect(events.filter((line) => line.includes('thread=')).every((line) => line.endsWith('thread=loop'))).toBe(true);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
