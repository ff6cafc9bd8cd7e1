import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, Workspace } from './harness.js';

// c/threads.c: threads making mixed calls at once, then counting wrong answers and leaked handles.

describe.skipIf(!hasCc)('many threads at once', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('8 threads x 10,000 mixed calls: no crash, no deadlock, no wrong answer, no handle left', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('threads.c'), ['8', '10000']);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('calls: 80000\nwrong: 0\njob: 3\nhandles left: 0\n');
    expect(result.stderr).toMatch(/^8 threads x 10000 calls in [\d.]+ s/);
    expect(result.status).toBe(0);
  }, 120_000);

  it('more threads than koffi relays at once (256) wait their turn instead of crashing node', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('threads.c'), ['300', '30']);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('calls: 9000\nwrong: 0\njob: 3\nhandles left: 0\n');
    expect(result.status).toBe(0);
  }, 120_000);
});
