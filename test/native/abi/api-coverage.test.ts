import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, repoRoot, Workspace } from './harness.js';

// c/api-coverage.c calls every exported function and variable and prints "ok NAME" per one that did what
// libvirt documents. The list to cover is the one gen-abi.mjs derives from the headers.

describe.skipIf(!hasCc)('every exported function', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('works from C, as the headers declare it', async () => {
    const exported = readFileSync(join(repoRoot, 'native/exports.generated.txt'), 'utf8').split('\n').filter(Boolean);
    expect(exported.length).toBeGreaterThan(170);
    const result = await ws.runTsvirt(ws.buildForTsvirt('api-coverage.c'), [ws.dir]);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    for (const name of [...exported, 'abi_debug_live_handles'])
      expect(lines.filter((line) => line === `ok ${name}`), name).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('ok '))).toHaveLength(exported.length + 1);
    // What virDefaultErrorFunc printed last.
    expect(result.stderr.endsWith('libvirt: Test Driver error : Domain not found\n')).toBe(true);
    expect(result.status).toBe(0);
  });
});
