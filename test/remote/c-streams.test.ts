// Streams from C over a daemon's socket: test/native/abi/c/streams.c uploads a volume and downloads it back
// (Send/Recv, SendAll/RecvAll, ranges, past the end, two threads at once) through tsvirt's remote driver.
//  - Against a private real libvirtd (qemu+unix:///session, a directory pool), in the program's "common"
//    mode, the same source linked with the real libvirt prints the same, byte for byte. The misuse steps
//    are left out there: libvirt's remote driver blocks for ever in a virStreamRecv on an upload stream, and
//    reports most misuse later and in other words (docs/c-abi.md, "Streams").
//  - Against tsvirtd serving tsvirt:///embed, every step, misuse included, answers as the same program does
//    on tsvirt:///embed in-process (test/native/abi/streams.test.ts), except an upload's length limit: over a
//    socket a send is queued, as with libvirt's remote driver, so the limit's error comes with a later call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/harness.js';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { CLIENT_ENV, startLibvirtd } from '../support/libvirtd.mjs';
import { startTsvirtd } from './tsvirtd-process.js';

const ws = new Workspace();
const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-c-streams-'));
afterAll(() => {
  ws.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!hasCc || !hasRealLibvirt)('C streams through libvirtd', () => {
  it('upload and download print what the same program linked with the real libvirt prints', async () => {
    const daemon = await startLibvirtd();
    try {
      const args = [daemon.uris.qemu, daemon.filesDir, 'common'];
      const theirs = await ws.runLibvirt(ws.buildForLibvirt('streams.c'), args, { ...CLIENT_ENV });
      const mine = await ws.runTsvirt(ws.buildForTsvirt('streams.c'), args, { ...CLIENT_ENV });
      expect(theirs.stderr).toBe('');
      expect(theirs.status).toBe(0);
      expect(theirs.stdout).toContain('recv-bytes: ok\n');
      expect(theirs.stdout).toContain('recvall-bytes: ok\n');
      expect(theirs.stdout).toContain('threads: ok\n');
      expect(mine).toEqual(theirs);
    } finally {
      await daemon.stop();
    }
  }, 120_000);
});

describe.skipIf(!hasCc)('C streams through tsvirtd', () => {
  it('answer as on tsvirt:///embed in-process, but for when a length limit is reported', async () => {
    ensureBuilt();
    const daemon = await startTsvirtd(join(scratch, 'sock'), join(scratch, 'state'));
    try {
      const local = await ws.runTsvirt(ws.buildForTsvirt('streams.c'), [`tsvirt:///embed?root=${join(scratch, 'local')}`, join(scratch, 'l')]);
      expect(local.status).toBe(0);
      const uri = `tsvirt+unix:///embed?root=${join(scratch, 'remote')}&socket=${join(scratch, 'sock')}`;
      const remote = await ws.runTsvirt(ws.buildForTsvirt('streams.c'), [uri, join(scratch, 'r')]);
      // The daemon's refusal of what passes the limit reaches the client while it sends or by its finish,
      // whichever comes first: both are the length limit's error, once.
      const enospc = '-1 code=38 domain=38 cannot write to stream: No space left on device';
      const atSend = `send-past-length: ${enospc}\nfinish-past-length: -1 code=55 domain=38 Requested operation is not valid: stream is not open\n`;
      const atFinish = `send-past-length: 1\nfinish-past-length: ${enospc}\n`;
      expect(local.stdout).toContain(`send-20-of-10: 10\n${atSend}`);
      expect([atSend, atFinish].some((lines) => remote.stdout.includes(`send-20-of-10: 20\n${lines}`))).toBe(true);
      const expected = local.stdout.replace('send-20-of-10: 10\n', 'send-20-of-10: 20\n');
      expect({ ...remote, stdout: remote.stdout.replace(atFinish, atSend) }).toEqual({ ...local, stdout: expected });
    } finally {
      await daemon.stop();
    }
  }, 120_000);
});
