import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, Workspace } from './harness.js';

// c/job-ids.c: jobs found again by id from C (virJobGetID, virJobLookupByID, virConnectListAllJobs), from a
// second connection, after the job ended and was freed, and the errors of bad ids, other drivers and flags.

describe.skipIf(!hasCc)('jobs by id from C', () => {
  const ws = new Workspace();
  const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-abi-job-ids-'));
  afterAll(() => {
    ws.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('finds, lists and refuses as libvirt-job.h says', async () => {
    const result = await ws.runTsvirt(ws.buildForTsvirt('job-ids.c'), [scratch]);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines.filter((line) => !line.startsWith('ok '))).toEqual([]);
    expect(lines).toHaveLength(21);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
