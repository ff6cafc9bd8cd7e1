// Close callbacks and keepalive from C on a daemon's connection: the program registers a close callback,
// kills the daemon, and runs libvirt's default event loop until the callback fires. The same source is
// built against the real libvirt and for tsvirt-run; each build gets a daemon of its own to kill, and both
// must print the same, byte for byte.
import { afterEach, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { CLIENT_ENV, startLibvirtd, type Libvirtd } from '../support/libvirtd.mjs';

describe.skipIf(!hasCc || !hasRealLibvirt)('C close callbacks through libvirtd', () => {
  const ws = new Workspace();
  const daemons: Libvirtd[] = [];
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop();
  });

  /** Runs a build against a fresh daemon, which the program kills. */
  async function run(build: (args: string[]) => ReturnType<Workspace['runLibvirt']>) {
    const daemon = await startLibvirtd();
    daemons.push(daemon);
    return build([daemon.uris.test, String(daemon.pid)]);
  }

  it('prints what the same program linked with the real libvirt prints', async () => {
    const source = new URL('./c/close-callback.c', import.meta.url).pathname;
    const theirs = await run((args) => ws.runLibvirt(ws.buildForLibvirt(source), args, { ...CLIENT_ENV }));
    const mine = await run((args) => ws.runTsvirt(ws.buildForTsvirt(source), args, { ...CLIENT_ENV }));
    ws.dispose();
    expect(theirs.status).toBe(0);
    expect(theirs.stdout).toContain('close remote: calls=1 reason=1 same-conn=1 alive=0 freed=2 error=7 End of file');
    expect(theirs.stdout).toContain('close kept: calls=1 reason=1 same-conn=1 alive=0 freed=1 error=7 End of file');
    expect({ status: mine.status, stdout: mine.stdout.split('\n'), stderr: mine.stderr.split('\n') }).toEqual({
      status: theirs.status,
      stdout: theirs.stdout.split('\n'),
      stderr: theirs.stderr.split('\n'),
    });
  }, 120_000);
});
