// A C program written against libvirt, run by tsvirt-run on tsvirt's remote driver, prints exactly what the
// same source prints linked against the real libvirt, both talking to the same private libvirtd. Its main runs
// on a thread of its own: each call blocks that thread while the driver completes on the event loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { CLIENT_ENV } from '../support/libvirtd.mjs';
import { startRemoteFixture, type RemoteFixture } from './helpers.js';

describe.skipIf(!hasCc || !hasRealLibvirt)('a C program through tsvirt-run against libvirtd', () => {
  const ws = new Workspace();
  let fixture: RemoteFixture;
  beforeAll(async () => {
    fixture = await startRemoteFixture();
  }, 120_000);
  afterAll(async () => {
    ws.dispose();
    await fixture?.stop();
  });

  it('prints what the same program linked with the real libvirt prints', async () => {
    const source = new URL('./c/remote-client.c', import.meta.url).pathname;
    const args = [fixture.freshUri, fixture.daemon.filesDir];
    const env = { ...CLIENT_ENV };
    const theirs = await ws.runLibvirt(ws.buildForLibvirt(source), args, env);
    const mine = await ws.runTsvirt(ws.buildForTsvirt(source), args, env);
    expect(theirs.status).toBe(0);
    expect(theirs.stdout).toContain('domains=1');
    expect(theirs.stdout).toContain('save=0');
    expect(mine).toMatchObject({ status: theirs.status, stdout: theirs.stdout, stderr: theirs.stderr });
  });
});
