// C programs' domain events on a remote connection: one connection listens through libvirt's default event
// loop while another suspends and resumes the domain; tsvirt-run prints what the real libvirt prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { CLIENT_ENV, startLibvirtd, type Libvirtd } from '../support/libvirtd.mjs';

describe.skipIf(!hasCc || !hasRealLibvirt)('C domain events through libvirtd', () => {
  const ws = new Workspace();
  let daemon: Libvirtd;
  beforeAll(async () => {
    daemon = await startLibvirtd();
  }, 120_000);
  afterAll(async () => {
    ws.dispose();
    await daemon?.stop();
  });

  it('prints what the same program linked with the real libvirt prints', async () => {
    const source = new URL('./c/remote-events.c', import.meta.url).pathname;
    const args = [daemon.uris.test];
    const theirs = await ws.runLibvirt(ws.buildForLibvirt(source), args, { ...CLIENT_ENV });
    const mine = await ws.runTsvirt(ws.buildForTsvirt(source), args, { ...CLIENT_ENV });
    expect(theirs.status).toBe(0);
    expect(theirs.stdout).toContain('event all: test event=3 detail=0');
    expect({ status: mine.status, stdout: mine.stdout.split('\n'), stderr: mine.stderr }).toEqual({
      status: theirs.status,
      stdout: theirs.stdout.split('\n'),
      stderr: theirs.stderr,
    });
  }, 60_000);
});
