import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cSources, hasCc, Workspace } from './harness.js';

// c/jobs.c drives the job API from C and prints "ok NAME" or "FAIL NAME: why" per check.

describe.skipIf(!hasCc)('the job API from C', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('starts, watches from another thread, waits, cancels, fails, frees while running and calls back', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('jobs.c'), [ws.dir]);
    const checks = [...readFileSync(join(cSources, 'jobs.c'), 'utf8').matchAll(/CHECK\("([\w-]+)"/g)].map((m) => m[1]!);
    expect(checks.length).toBeGreaterThan(40);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    for (const check of checks) expect(lines.filter((line) => line === `ok ${check}`), check).toHaveLength(1);
    expect(result.stdout).toMatch(/^failures: 0$/m);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
