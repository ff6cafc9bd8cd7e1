import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, Workspace } from './harness.js';

// c/ring.c: calls from many threads through the ring the JavaScript thread serves (native/src/abi/abi_ring.c).

describe.skipIf(!hasCc)('the ring of calls from other threads', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('serves every call exactly once: 16 threads x 500 rounds of changes, reads and references', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('ring.c'), ['exact', '16', '500']);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('calls: 72000\nwrong: 0\nhandles left: 0\n');
    expect(result.status).toBe(0);
  }, 120_000);

  it('lets the process exit while threads are calling', async () => {
    for (let run = 0; run < 20; run++) {
      // 1 to 4 threads, so that the JavaScript thread also falls asleep and calls wake it as the process exits.
      const threads = String(1 + (run % 4));
      const result = await ws.runTsvirt(ws.buildForTsvirt('ring.c'), ['exit', threads, String(50 + run * 13)]);
      expect({ run, status: result.status, signal: result.signal, stderr: result.stderr }).toEqual({
        run,
        status: 0,
        signal: null,
        stderr: '',
      });
    }
  }, 120_000);
});
