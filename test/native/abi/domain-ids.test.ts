import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace, type Result } from './harness.js';

// c/domain-ids.c: the id of a domain handle kept across state changes, through the C ABI. libvirt sets the
// id of the handle a call is made on; tsvirt's handles follow the domain, so that handle (`a`) answers as in
// libvirt and every other one (`b`) answers the same (docs/compatibility.md).

describe.skipIf(!hasCc)('virDomainGetID on a kept handle', () => {
  const ws = new Workspace();
  const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-abi-ids-'));
  let tsvirt: Result;
  afterAll(() => {
    ws.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('follows save, restore, destroy, create, shutdown and a crash dump', async () => {
    tsvirt = await ws.runTsvirt(ws.buildForTsvirt('domain-ids.c'), [scratch]);
    expect(tsvirt.stderr).toBe('');
    expect(tsvirt.stdout).toBe(
      [
        'start      a=1 b=1',
        'save       a=-1 b=-1',
        'restore    a=2 b=2',
        'destroy    a=-1 b=-1',
        'create     a=3 b=3',
        'shutdown   a=-1 b=-1',
        'reboot     a=4 b=4',
        'crash      a=-1 b=-1',
        '',
      ].join('\n'),
    );
  });

  it.skipIf(!hasRealLibvirt)("answers as libvirt 9.0 on the handle the change was made on", async () => {
    const real = await ws.runLibvirt(ws.buildForLibvirt('domain-ids.c'), [scratch]);
    expect(real.status).toBe(0);
    const column = (out: string, which: 'a' | 'b') => [...out.matchAll(new RegExp(`^(\\S+) +.*\\b${which}=(-?\\d+)`, 'gm'))].map((m) => `${m[1]} ${m[2]}`);
    // Except after restore: libvirt's restore makes a new handle and leaves `a` as the save left it.
    const differs = (line: string) => line.startsWith('restore ');
    expect(column(tsvirt.stdout, 'a').filter((l) => !differs(l))).toEqual(column(real.stdout, 'a').filter((l) => !differs(l)));
    expect(column(real.stdout, 'a').find(differs)).toBe('restore -1');
    // libvirt's other handle keeps the id it was looked up with.
    expect(column(real.stdout, 'b')).toEqual(['start 1', 'save 1', 'restore 1', 'destroy 1', 'create 1', 'shutdown 1', 'reboot 1', 'crash 1']);
  });
});
