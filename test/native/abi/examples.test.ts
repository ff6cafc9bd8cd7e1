import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, repoRoot, Workspace } from './harness.js';

// libvirt's own example programs, unchanged, run through tsvirt-run and linked to the real libvirt: same
// stdout, same stderr, same exit status. scripts/fetch-libvirt-examples.sh unpacks them from Debian's
// libvirt-doc package into a scratch folder (they are never committed); without apt or network, skip.

const ws = new Workspace();

function fetchExamples(): string | null {
  const result = spawnSync('sh', [join(repoRoot, 'scripts/fetch-libvirt-examples.sh'), join(ws.dir, 'examples')], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

const examples = hasCc && hasRealLibvirt ? fetchExamples() : null;
afterAll(() => ws.dispose());

const CASES: [program: string, args: string[]][] = [
  ['misc/hellolibvirt.c', ['test:///default']],
  // No local driver for this URI: the remote driver's error, printed by the default error function.
  ['misc/hellolibvirt.c', ['bogus:///nowhere']],
  ['domain/info1.c', ['test:///default', 'test']],
  ['domain/info1.c', ['test:///default', 'nosuch']],
  ['domain/info1.c', []],
  ['domain/suspend.c', ['-c', 'test:///default']],
  ['domain/suspend.c', ['-d', '-c', 'test:///default', '-s', '0', 'test']],
  ['domain/suspend.c', ['-c', 'test:///default', 'nosuch']],
  ['domain/suspend.c', ['-c', 'test:///default', '-s', 'x', 'test']],
  // Prints its usage and calls exit() from main's thread.
  ['domain/suspend.c', ['-h']],
];

describe.skipIf(!examples)("libvirt's example programs", () => {
  it.each(CASES)('%s %j behaves as with libvirt', async (program, args) => {
    const source = join(examples!, program);
    const ours = ws.buildForTsvirt(source);
    const theirs = ws.buildForLibvirt(source);
    const [tsvirt, libvirt] = [await ws.runTsvirt(ours, args), await ws.runLibvirt(theirs, args)];
    // A program printing its own path prints a different folder.
    const normalize = (text: string, path: string) => text.split(dirname(path)).join('BIN');
    expect({ ...tsvirt, stdout: normalize(tsvirt.stdout, ours), stderr: normalize(tsvirt.stderr, ours) }).toEqual({
      ...libvirt,
      stdout: normalize(libvirt.stdout, theirs),
      stderr: normalize(libvirt.stderr, theirs),
    });
    expect(libvirt.stdout.length + libvirt.stderr.length).toBeGreaterThan(0);
  });
});
