import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, Workspace } from './harness.js';

// c/fuzz-handles.c: thousands of seeded calls of entry points with bad handles (NULL, freed, double-freed,
// another kind, misaligned, free slab slots, wild and forged addresses). Each must fail exactly as with
// NULL, which is libvirt's answer (invalid-handles.test.ts), and nothing may crash or change.

describe.skipIf(!hasCc)('the C ABI under a handle fuzzer', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it.each([20261204, 8])('answers every bad handle with libvirt’s error (seed %i)', async (seed) => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('fuzz-handles.c'), [String(seed), '4000']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`fuzz-handles: seed ${seed}, 4000 calls, 0 mismatches\n`);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
  });
});
