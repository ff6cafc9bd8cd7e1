import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, Workspace } from './harness.js';

// c/kept-names.c: the strings a handle keeps (virDomainGetName and friends) belong to the object the handle
// names when they are stored, never to whatever reuses its slot later.

describe.skipIf(!hasCc)('kept strings of a reused handle slot', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('are never the previous object’s', async () => {
    const result = await Workspace.merged(ws.buildWithNativeSources('kept-names.c'), []);
    expect(result.stdout).not.toContain('FAILED');
    expect(result.stdout).toContain('new domain\'s name: new\n');
    expect(result.status).toBe(0);
  });
});
