// tsvirt's directory storage (tsvirt:///session) through tsvirtd with the real virsh: pool and volume
// commands print what tsvirsh prints on a direct connection. (libvirt's client refuses a transport on
// `/embed` URIs, so `tsvirt+unix:///embed?...` cannot be used by real clients; `/session` can.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/harness.js';
import { run, startDaemon, type TestDaemon } from './helpers.js';

const virshInstalled = existsSync('/usr/bin/virsh');

describe.skipIf(!virshInstalled)('virsh storage commands through tsvirtd', () => {
  let d: TestDaemon;
  let root: string;
  const saved = process.env.TSVIRT_STATE_DIR;
  beforeAll(async () => {
    d = await startDaemon();
    root = mkdtempSync(join(tmpdir(), 'tsvirtd-storage-'));
  });
  afterAll(async () => {
    await d.stop();
    rmSync(root, { recursive: true, force: true });
    if (saved === undefined) delete process.env.TSVIRT_STATE_DIR;
    else process.env.TSVIRT_STATE_DIR = saved;
  });

  const commands = (dir: string) =>
    [
      `pool-define-as p1 dir --target ${dir}/p1`,
      'pool-build p1',
      'pool-start p1',
      'pool-list --all',
      'vol-create-as p1 v1.img 1M',
      'vol-clone v1.img v2.img --pool p1',
      'vol-list p1',
      'vol-info v1.img --pool p1',
      'vol-dumpxml v2.img --pool p1',
      'vol-delete v1.img --pool p1',
      'vol-info nosuch --pool p1',
      'vol-delete v2.img --pool p1',
      'pool-destroy p1',
      'pool-undefine p1',
      'pool-list --all',
    ].join('; ');

  it('pool and volume commands give the same output as tsvirsh on a direct connection', async () => {
    const viaDaemon = join(root, 'daemon');
    const direct = join(root, 'direct');
    process.env.TSVIRT_STATE_DIR = viaDaemon; // read by the daemon's driver when virsh opens the connection
    const got = await run('virsh', ['-c', `tsvirt+unix:///session?socket=${d.socket}`, commands(viaDaemon)]);
    process.env.TSVIRT_STATE_DIR = direct;
    const expected = await runInProcess(['-c', 'tsvirt:///session', commands(direct)]);
    const fix = (t: string, dir: string) => t.replaceAll(dir, 'ROOT');
    expect({ status: got.status, stdout: fix(got.stdout, viaDaemon), stderr: fix(got.stderr, viaDaemon) }).toEqual({
      status: expected.status,
      stdout: fix(expected.stdout, direct),
      stderr: fix(expected.stderr, direct),
    });
    expect(got.stdout).toContain('Vol v2.img cloned from v1.img');
    expect(got.stderr).toContain("error: failed to get vol 'nosuch'");
  });
});
