import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace, type Result } from './harness.js';

// c/errors.c exercises virterror.h with libvirt's API only: the same source, linked to libvirt, must print
// the same.

describe.skipIf(!hasCc)('errors, as virterror.h describes them', () => {
  const ws = new Workspace();
  let tsvirt: Result;
  afterAll(() => ws.dispose());

  it('keep the last error per thread and hand it to the callbacks', async () => {
    tsvirt = await ws.runTsvirt(ws.buildForTsvirt('errors.c'));
    expect(tsvirt.status).toBe(0);
    const out = tsvirt.stdout;
    expect(out).toContain('start: no error\nmessage no error code 0 domain 0\n');
    expect(out).toContain('last: code 42 domain 12 level 2 message Domain not found\n');
    expect(out).toContain('copy: 42\ncopied: code 42 domain 12 level 2 message Domain not found\ncopy reset: no error\n');
    expect(out).toContain('after success: no error\nconnection\'s after success: code 42');
    expect(out).toContain('connection handler (conn): code 42 message Domain not found\n');
    expect(out).toContain('global calls: 3, connection calls: 1\n');
    expect(out).toContain('other thread before: no error\n');
    expect(out).toContain('this thread: code 42 domain 12 level 2 message Domain not found\n');
    // The default error function, as libvirt prints.
    expect(tsvirt.stderr).toBe(
      [
        'libvirt: Test Driver error : Domain not found',
        'libvirt: Domain error : invalid domain pointer in virDomainFree',
        'libvirt: Test Driver error : Domain not found',
        'libvirt: XML Util error : line 3: bad element\n<x>\n^',
        'libvirt: XML Util error : bad element\n<x>\n^',
        'libvirt: Storage Driver warning : careful',
        'libvirt: Storage Driver  : careful',
        '',
      ].join('\n'),
    );
  });

  it.skipIf(!hasRealLibvirt)('print exactly what libvirt 9.0 prints', async () => {
    const real = await ws.runLibvirt(ws.buildForLibvirt('errors.c'));
    expect(tsvirt).toEqual(real);
  });
});
