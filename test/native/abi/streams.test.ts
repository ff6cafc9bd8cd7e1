import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace } from './harness.js';

// c/streams.c: streams from C (libvirt-stream.h, virStorageVolUpload, virStorageVolDownload). On the test
// driver, which has no volume transfers in libvirt either, the handle and argument checks and the refusals
// print byte for byte what the same program prints linked to libvirt. On a directory pool of
// tsvirt:///embed a volume is uploaded and downloaded back with Send/Recv, SendAll/RecvAll and their sparse
// forms (the program compares the bytes and exits 1 if they differ), and every misuse answers as listed
// below; two threads transfer at once, each blocking only itself.

/** The steps past the handle checks on a directory pool: what tsvirt answers (docs/c-abi.md, "Streams"). */
const TRANSFERS = [
  'upload-null-stream: -1 code=73 domain=38 invalid stream pointer in virStorageVolUpload',
  'upload-freed-vol: -1 code=47 domain=18 invalid storage volume pointer in virStorageVolUpload',
  'upload-bad-flags: -1 code=8 domain=18 unsupported flags (0x2) in function storageVolUpload',
  'probe-upload: 0',
  'probe-abort: 0',
  'probe-download: 0',
  'probe-download-abort: 0',
  'upload: 0',
  'send: 600000',
  'finish-upload: 0',
  'download: 0',
  'recv: 1048576',
  'recv-bytes: ok',
  'recv-tail-zero: ok',
  'recv-at-end: 0',
  'finish-download: 0',
  'upload-range: 0',
  'sendall: 0',
  'finish-sendall: 0',
  'download-range: 0',
  'recvall: 0',
  'recvall-bytes: ok',
  'finish-recvall: 0',
  'volume-bytes: ok',
  'download-past-end: 0',
  'recv-past-end: 0',
  'finish-past-end: 0',
  'upload-past-end: 0',
  'send-past-end: 4',
  'finish-upload-past-end: 0',
  'info: 0',
  'capacity: 2097156',
  'grown-tail: ok',
  'sparse-upload: 0',
  'sparse-sendall: 0',
  'sparse-finish-upload: 0',
  'sparse-download: 0',
  'sparse-recvall: 0',
  'sparse-finish-download: 0',
  'sparse-bytes: ok',
  'sparse-holes: ok',
  'sparse-download-steps: 0',
  'recvflags-until-hole: -3',
  'recvflags-data-first: ok',
  'recvhole: 0',
  'recvhole-moved: ok',
  'recvflags-bad-flags: -1 code=8 domain=38 unsupported flags (0x2) in function virStreamRecvFlags',
  'recvhole-bad-flags: -1 code=8 domain=38 unsupported flags (0x1) in function virStreamRecvHole',
  'sparse-abort: 0',
  'upload-to-finish: 0',
  'finish-at-once: 0',
  'send-after-finish: -1 code=55 domain=38 Requested operation is not valid: stream is not open',
  'finish-again: -1 code=55 domain=38 Requested operation is not valid: stream is not open',
  'abort-after-finish: 0',
  'upload-for-recv: 0',
  'recv-on-upload: -1 code=55 domain=38 Requested operation is not valid: stream is not open for receiving: it is an upload',
  'abort-after-error: 0',
  'download-for-send: 0',
  'send-on-download: -1 code=55 domain=38 Requested operation is not valid: stream is not open for sending: it is a download',
  'abort-download: 0',
  'upload-twice-first: 0',
  'upload-twice-second: -1 code=55 domain=38 Requested operation is not valid: stream is already in use',
  'abort-twice: 0',
  'upload-length-10: 0',
  'send-20-of-10: 10',
  'send-past-length: -1 code=38 domain=38 cannot write to stream: No space left on device',
  'finish-past-length: -1 code=55 domain=38 Requested operation is not valid: stream is not open',
  'upload-to-abort: 0',
  'send-to-abort: 7',
  'abort: 0',
  'send-after-abort: -1 code=55 domain=38 Requested operation is not valid: stream is not open',
  'upload-failing-source: 0',
  'sendall-failing-source: -1 code=38 domain=38 send handler failed: No space left on device',
  'finish-after-failed-sendall: -1 code=55 domain=38 Requested operation is not valid: stream is not open',
  'upload-then-free: 0',
  'send-then-free: 7',
  'free-open-upload: 0',
  'upload-after-free: 0',
  'abort-after-free: 0',
  'volume-unchanged: ok',
  'download-failing-sink: 0',
  'recvall-failing-sink: -1 code=38 domain=38 recv handler failed: Broken pipe',
  "upload-other-conn: -1 code=8 domain=18 stream in virStorageVolUpload must match connection of volume 'streams.img'",
  'threads: ok',
];

describe.skipIf(!hasCc)('streams from C', () => {
  const ws = new Workspace();
  const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-abi-streams-'));
  afterAll(() => {
    ws.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const onTestDriver = () => ws.runTsvirt(ws.buildForTsvirt('streams.c'), ['test:///default', scratch]);

  it.skipIf(!hasRealLibvirt)('check handles and arguments as libvirt does, on the test driver', async () => {
    const [tsvirt, libvirt] = [await onTestDriver(), await ws.runLibvirt(ws.buildForLibvirt('streams.c'), ['test:///default', scratch])];
    expect(libvirt.stdout).toContain('send-freed: -1 code=73 domain=38 invalid stream pointer in virStreamSend\n');
    expect(libvirt.stdout).toContain('probe-upload: -1 code=3 domain=18 this function is not supported by the connection driver: virStorageVolUpload\n');
    expect(tsvirt).toEqual(libvirt);
  });

  it('uploads and downloads a directory volume, and answers every misuse', async () => {
    const reference = await onTestDriver();
    expect(reference.status).toBe(0);
    // The checks before the driver are the same on every driver: the test driver's run, compared with libvirt above.
    const checks = reference.stdout.slice(0, reference.stdout.indexOf('upload-null-stream:'));
    expect(checks.split('\n')).toHaveLength(29);
    const result = await ws.runTsvirt(ws.buildForTsvirt('streams.c'), [`tsvirt:///embed?root=${join(scratch, 'root')}`, scratch]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(checks + TRANSFERS.join('\n') + '\n');
    expect(result.status).toBe(0);
  });
});
