import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllocate, startClone, startWipe, WipeAlgorithm, type NativeTask } from '../../src/ts/native/copy.js';
import { bridgeFunction, nativeLibraryPath } from '../../src/ts/native/library.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { dataExtents } from '../extents.js';
import { withReadThrottle } from '../support/read-throttle.mjs';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let seq = 0;
const path = (name: string) => join(dir, `${++seq}-${name}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsvirt-copy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await fh.close().catch(() => {});
  }
  return hash.digest('hex');
}

async function allocated(file: string): Promise<number> {
  return (await stat(file)).blocks * 512;
}

/** A file of `size` bytes with random data in `extents` ([offset, length]) and holes elsewhere. */
async function makeFile(file: string, size: number, extents: Array<[number, number]> = [[0, size]]): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.truncate(size);
    for (const [offset, length] of extents)
      for (let done = 0; done < length; done += 4 * MiB) {
        const n = Math.min(4 * MiB, length - done);
        await fh.write(randomBytes(n), 0, n, offset + done);
      }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** How `done` settled: undefined when it resolved. */
async function outcome(task: NativeTask): Promise<VirError | undefined> {
  try {
    await task.done;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(VirError);
    return err as VirError;
  }
}

async function failure(task: NativeTask): Promise<VirError> {
  const err = await outcome(task);
  expect(err, 'the task should have failed').toBeDefined();
  return err!;
}

function expectSystemError(err: VirError, message: string, errno: number): void {
  expect(err.message).toBe(message);
  expect(err.code).toBe(ErrorNumber.VIR_ERR_SYSTEM_ERROR);
  expect(err.domain).toBe(ErrorDomain.VIR_FROM_STORAGE);
  expect(err.int1).toBe(errno);
}

function expectAborted(err: VirError | undefined, job: string): void {
  expect(err?.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
  expect(err?.message).toBe(`operation aborted: job '${job}' canceled by client`);
}

function syncThrow(fn: () => unknown): VirError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VirError);
    return err as VirError;
  }
  throw new Error('expected a synchronous VirError');
}

/** Samples progress every ms until the task ends: processed must never go down nor pass total. */
async function watchProgress(task: NativeTask): Promise<number> {
  let last = 0;
  let samples = 0;
  let settled = false;
  const end = task.done.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    const { processed, total } = task.progress();
    expect(processed).toBeGreaterThanOrEqual(last);
    expect(processed).toBeLessThanOrEqual(total);
    last = processed;
    samples++;
    await sleep(1);
  }
  await end;
  return samples;
}

/** Mounts a tmpfs of `size` for fn; skips (returns false) where mounting is not allowed. */
async function withTmpfs(size: string, fn: (mnt: string) => Promise<void>): Promise<boolean> {
  const mnt = path('tmpfs');
  await mkdir(mnt);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tsvirt-test', mnt]);
  } catch {
    await rmdir(mnt);
    return false;
  }
  try {
    await fn(mnt);
  } finally {
    await run('umount', [mnt]);
    await rmdir(mnt);
  }
  return true;
}

/** Mounts a fresh XFS with reflink support for fn; false where mkfs.xfs or loop mounts are missing. */
async function withXfs(fn: (mnt: string) => Promise<void>): Promise<boolean> {
  const image = path('xfs.img');
  const mnt = path('xfs');
  await mkdir(mnt);
  try {
    await writeFile(image, '');
    await run('truncate', ['-s', '320M', image]);
    await run('mkfs.xfs', ['-q', '-m', 'reflink=1', image]);
    await run('mount', ['-o', 'loop', image, mnt]);
  } catch {
    await rmdir(mnt);
    await rm(image, { force: true });
    return false;
  }
  try {
    await fn(mnt);
  } finally {
    await run('umount', [mnt]);
    await rmdir(mnt);
    await rm(image);
  }
  return true;
}

describe('startClone', () => {
  it('copies a dense file byte for byte and reports its progress', async () => {
    const src = path('dense.img');
    const dst = path('dense.clone');
    await makeFile(src, 24 * MiB + 12345);
    const task = startClone({ source: src, target: dst });
    expect(await watchProgress(task)).toBeGreaterThan(0);
    await task.done;
    expect(await sha256(dst)).toBe(await sha256(src));
    expect((await stat(dst)).size).toBe(24 * MiB + 12345);
    expect((await stat(dst)).mode & 0o7777).toBe(0o600);
    expect(task.progress()).toEqual({ processed: 24 * MiB + 12345, total: 24 * MiB + 12345 });
  });

  for (const offload of [true, false]) {
    it(`keeps holes as holes (offload ${offload})`, async () => {
      const src = path('sparse.img');
      const dst = path('sparse.clone');
      await makeFile(src, 96 * MiB, [
        [0, 1 * MiB],
        [10 * MiB, 3 * MiB + 4096],
        [64 * MiB, 8 * MiB],
        [96 * MiB - 4096, 4096],
      ]);
      const task = startClone({ source: src, target: dst, offload });
      await task.done;
      expect(await sha256(dst)).toBe(await sha256(src));
      // The same data extents (not the same st_blocks, which count the filesystem's metadata too).
      expect(dataExtents(dst)).toEqual(dataExtents(src));
      expect(dataExtents(src)).toEqual([
        [0, 1 * MiB],
        [10 * MiB, 13 * MiB + 4096],
        [64 * MiB, 72 * MiB],
        [96 * MiB - 4096, 96 * MiB],
      ]);
      expect(task.progress()).toEqual({ processed: 12 * MiB + 8192, total: 12 * MiB + 8192 });
    });
  }

  it('grows the target to a larger capacity, the growth being a hole', async () => {
    const src = path('small.img');
    const dst = path('grown.clone');
    await makeFile(src, 5 * MiB);
    await startClone({ source: src, target: dst, capacity: 40 * MiB }).done;
    expect((await stat(dst)).size).toBe(40 * MiB);
    expect(dataExtents(dst)).toEqual(dataExtents(src));
    const content = await readFile(dst);
    expect(content.subarray(0, 5 * MiB).equals(await readFile(src))).toBe(true);
    expect(content.subarray(5 * MiB).every((b) => b === 0)).toBe(true);
  });

  it('never shrinks the target below the source', async () => {
    const src = path('keep.img');
    const dst = path('keep.clone');
    await makeFile(src, 3 * MiB);
    await startClone({ source: src, target: dst, capacity: MiB }).done;
    expect((await stat(dst)).size).toBe(3 * MiB);
    expect(await sha256(dst)).toBe(await sha256(src));
  });

  it('applies the mode exactly, whatever the umask', async () => {
    const src = path('mode.img');
    const dst = path('mode.clone');
    await makeFile(src, 4096);
    const umask = process.umask(0o077);
    try {
      await startClone({ source: src, target: dst, mode: 0o664 }).done;
    } finally {
      process.umask(umask);
    }
    expect((await stat(dst)).mode & 0o7777).toBe(0o664);
  });

  it('clones an empty file', async () => {
    const src = path('empty.img');
    const dst = path('empty.clone');
    await writeFile(src, '');
    const task = startClone({ source: src, target: dst });
    await task.done;
    expect((await stat(dst)).size).toBe(0);
    expect(task.progress()).toEqual({ processed: 0, total: 0 });
  });

  it('never overwrites an existing target', async () => {
    const src = path('src.img');
    const dst = path('existing');
    await makeFile(src, MiB);
    await writeFile(dst, 'keep me');
    const err = await failure(startClone({ source: src, target: dst }));
    expectSystemError(err, `Failed to create file '${dst}': File exists`, 17);
    expect(await readFile(dst, 'utf8')).toBe('keep me');
  });

  it('fails clearly on a missing source and creates nothing', async () => {
    const src = path('missing.img');
    const dst = path('missing.clone');
    const err = await failure(startClone({ source: src, target: dst }));
    expectSystemError(err, `could not open input path '${src}': No such file or directory`, 2);
    expect(existsSync(dst)).toBe(false);
  });

  it('refuses a source that is not a file', async () => {
    const dst = path('dir.clone');
    const err = await failure(startClone({ source: dir, target: dst }));
    expectSystemError(err, `cannot clone '${dir}': not a regular file or block device`, 22);
    expect(existsSync(dst)).toBe(false);
  });

  it('fails in a missing directory', async () => {
    const src = path('src.img');
    await makeFile(src, 4096);
    const dst = join(dir, 'no-such-dir', 'x.clone');
    const err = await failure(startClone({ source: src, target: dst }));
    expectSystemError(err, `Failed to create file '${dst}': No such file or directory`, 2);
  });

  it("reflink 'always' fails where the filesystem cannot share extents, 'auto' copies", async () => {
    const src = path('reflink.img');
    await makeFile(src, 2 * MiB);
    const always = path('always.clone');
    const err = await failure(startClone({ source: src, target: always, reflink: 'always' }));
    // ext4 and tmpfs have no FICLONE (EOPNOTSUPP); this test needs such a temporary directory.
    expectSystemError(err, `failed to clone files from '${src}': Operation not supported`, 95);
    expect(existsSync(always)).toBe(false);
    const auto = path('auto.clone');
    await startClone({ source: src, target: auto, reflink: 'auto' }).done;
    expect(await sha256(auto)).toBe(await sha256(src));
  });

  it('reflink shares the extents where the filesystem can (XFS)', async (ctx) => {
    const mounted = await withXfs(async (mnt) => {
      const src = join(mnt, 'a.img');
      await makeFile(src, 8 * MiB);
      const dst = join(mnt, 'b.img');
      const task = startClone({ source: src, target: dst, capacity: 32 * MiB, reflink: 'always' });
      await task.done;
      expect(task.progress()).toEqual({ processed: 8 * MiB, total: 8 * MiB });
      expect((await stat(dst)).size).toBe(32 * MiB);
      expect((await readFile(dst)).subarray(0, 8 * MiB).equals(await readFile(src))).toBe(true);
      expect((await run('filefrag', ['-v', dst])).stdout).toContain('shared');
      // Across filesystems nothing can be shared: 'auto' copies, 'always' fails.
      const across = path('across.clone');
      await startClone({ source: src, target: across, reflink: 'auto' }).done;
      expect(await sha256(across)).toBe(await sha256(src));
      const err = await failure(startClone({ source: src, target: path('across2.clone'), reflink: 'always' }));
      expectSystemError(err, `failed to clone files from '${src}': Invalid cross-device link`, 18);
    });
    if (!mounted) ctx.skip('no mkfs.xfs or loop mount here');
  });

  it('reports ENOSPC on a full filesystem and leaves no partial file', async (ctx) => {
    const mounted = await withTmpfs('4m', async (mnt) => {
      // Across filesystems (read/write path)...
      const src = path('big.img');
      await makeFile(src, 8 * MiB);
      const dst = join(mnt, 'big.clone');
      const err = await failure(startClone({ source: src, target: dst }));
      expectSystemError(err, `failed writing to file '${dst}': No space left on device`, 28);
      expect(await readdir(mnt)).toEqual([]);
      // ...and within one (copy_file_range path).
      const local = join(mnt, 'local.img');
      await makeFile(local, 3 * MiB);
      const dst2 = join(mnt, 'local.clone');
      const err2 = await failure(startClone({ source: local, target: dst2 }));
      expectSystemError(err2, `failed writing to file '${dst2}': No space left on device`, 28);
      expect(await readdir(mnt)).toEqual(['local.img']);
    });
    if (!mounted) ctx.skip('cannot mount a tmpfs here');
  });

  it('cancelled at random points, leaves either a complete clone or no file at all', async () => {
    let cancelled = 0;
    let completed = 0;
    for (let i = 0; i < 40; i++) {
      const src = path(`r${i}.img`);
      const dst = path(`r${i}.clone`);
      await makeFile(src, (1 + (i % 8)) * MiB + i * 4096, [[0, (1 + (i % 8)) * MiB]]);
      const task = startClone({ source: src, target: dst, offload: i % 2 === 0 });
      const delay = i % 4 === 0 ? 0 : Math.random() * 12;
      if (delay === 0) task.cancel();
      else setTimeout(() => task.cancel(), delay);
      const err = await outcome(task);
      if (err) {
        expectAborted(err, 'volume clone');
        expect(existsSync(dst)).toBe(false);
        cancelled++;
      } else {
        expect(await sha256(dst)).toBe(await sha256(src));
        completed++;
      }
      await rm(src);
      await rm(dst, { force: true });
    }
    expect(cancelled).toBeGreaterThanOrEqual(10);
    expect(cancelled + completed).toBe(40);
  });

  // How fast a cancel takes effect is bench/cancel.mjs's figure; here, that it does and leaves nothing.
  it('stops a large clone cancelled in the middle, and removes its file', async () => {
    const src = path('large.img');
    const dst = path('large.clone');
    await makeFile(src, 256 * MiB);
    const task = startClone({ source: src, target: dst });
    while (task.progress().processed < 16 * MiB) await sleep(2);
    task.cancel();
    expectAborted(await outcome(task), 'volume clone');
    expect(existsSync(dst)).toBe(false);
    expect(task.progress().processed).toBeLessThan(256 * MiB);
    await rm(src);
  }, 60_000);

  it('stops a clone cancelled on a slow disk (reads throttled to 16 MB/s)', async (ctx) => {
    const src = path('slow.img');
    const dst = path('slow.clone');
    // Written with O_DIRECT so that nothing of it is in the page cache: every read goes to the disk.
    await run('dd', ['if=/dev/urandom', `of=${src}`, 'bs=1M', 'count=64', 'oflag=direct', 'status=none']);
    const throttled = await withReadThrottle(src, 16_000_000, async () => {
      const task = startClone({ source: src, target: dst });
      while (task.progress().processed < 2 * MiB) await sleep(2);
      task.cancel();
      expectAborted(await outcome(task), 'volume clone');
      expect(existsSync(dst)).toBe(false);
    });
    if (!throttled) ctx.skip('no blkio cgroup to throttle with');
  }, 60_000);

  it('cancels through an AbortSignal, and never starts with an aborted one', async () => {
    const src = path('signal.img');
    await makeFile(src, 256 * MiB);
    const ac = new AbortController();
    const dst = path('signal.clone');
    const task = startClone({ source: src, target: dst, signal: ac.signal });
    while (task.progress().processed === 0) await sleep(1);
    ac.abort();
    expectAborted(await outcome(task), 'volume clone');
    expect(existsSync(dst)).toBe(false);

    const never = path('never.clone');
    const late = startClone({ source: src, target: never, signal: ac.signal });
    expectAborted(await outcome(late), 'volume clone');
    expect(late.progress()).toEqual({ processed: 0, total: 0 });
    late.cancel();
    expect(existsSync(never)).toBe(false);
  }, 30_000);

  it('cancel after the end changes nothing', async () => {
    const src = path('after.img');
    const dst = path('after.clone');
    await makeFile(src, MiB);
    const task = startClone({ source: src, target: dst });
    await task.done;
    task.cancel();
    task.cancel();
    expect(task.progress()).toEqual({ processed: MiB, total: MiB });
    expect(await sha256(dst)).toBe(await sha256(src));
  });

  it('leaves the event loop free while two large clones run (its delay is bench/clone.mjs\'s figure)', async () => {
    const a = path('loop-a.img');
    const b = path('loop-b.img');
    await makeFile(a, 256 * MiB);
    await makeFile(b, 256 * MiB, [[0, 32 * MiB], [128 * MiB, 32 * MiB]]);
    // A JS thread that waited for the copies would run no timer until both ended.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const clones = [startClone({ source: a, target: path('loop-a.clone') }), startClone({ source: b, target: path('loop-b.clone') })];
    let ticksWhileRunning = 0;
    clones[0]!.done.finally(() => (ticksWhileRunning = ticks)).catch(() => {});
    await Promise.all(clones.map((c) => c.done));
    clearInterval(timer);
    expect(ticksWhileRunning).toBeGreaterThan(0);
  }, 60_000);

  it('rejects invalid options synchronously', () => {
    expect(syncThrow(() => startClone({ source: '', target: path('x') })).message).toBe(
      "invalid argument: source must be a non-empty path without NUL characters, received ''",
    );
    expect(syncThrow(() => startClone({ source: 'a', target: 'b\0c' })).code).toBe(ErrorNumber.VIR_ERR_INVALID_ARG);
    expect(syncThrow(() => startClone({ source: 'a', target: 'b', capacity: -1 })).message).toBe(
      'invalid argument: capacity must be a non-negative integer number of bytes, received -1',
    );
    expect(syncThrow(() => startClone({ source: 'a', target: 'b', capacity: 1.5 })).code).toBe(
      ErrorNumber.VIR_ERR_INVALID_ARG,
    );
    expect(
      syncThrow(() => startClone({ source: 'a', target: 'b', reflink: 'sometimes' as 'auto' })).message,
    ).toBe("invalid argument: reflink must be 'never', 'auto' or 'always', received 'sometimes'");
    expect(syncThrow(() => startClone({ source: 'a', target: 'b', mode: 0o10000 })).code).toBe(
      ErrorNumber.VIR_ERR_INVALID_ARG,
    );
  });
});

describe('startAllocate', () => {
  it('allocates the whole capacity', async () => {
    const dst = path('full.img');
    const task = startAllocate({ target: dst, capacity: 48 * MiB, allocation: 48 * MiB });
    await task.done;
    expect((await stat(dst)).size).toBe(48 * MiB);
    expect(await allocated(dst)).toBeGreaterThanOrEqual(48 * MiB);
    expect(await allocated(dst)).toBeLessThan(48 * MiB + MiB);
    expect(task.progress()).toEqual({ processed: 48 * MiB, total: 48 * MiB });
    expect((await readFile(dst)).every((b) => b === 0)).toBe(true);
  });

  for (const offload of [true, false]) {
    it(`allocates part of the capacity (offload ${offload})`, async () => {
      const dst = path('part.img');
      await startAllocate({ target: dst, capacity: 64 * MiB, allocation: 20 * MiB + 4096, offload }).done;
      expect((await stat(dst)).size).toBe(64 * MiB);
      expect(await allocated(dst)).toBeGreaterThanOrEqual(20 * MiB + 4096);
      expect(await allocated(dst)).toBeLessThan(21 * MiB);
      expect((await readFile(dst)).every((b) => b === 0)).toBe(true);
    });
  }

  it('leaves the file sparse when nothing is to be allocated', async () => {
    const dst = path('sparse.img');
    const task = startAllocate({ target: dst, capacity: 10 * 1024 * MiB, allocation: 0, mode: 0o640 });
    await task.done;
    const st = await stat(dst);
    expect(st.size).toBe(10 * 1024 * MiB);
    expect(st.blocks).toBe(0);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(task.progress()).toEqual({ processed: 0, total: 0 });
  });

  it('reports ENOSPC and leaves no partial file', async (ctx) => {
    const mounted = await withTmpfs('4m', async (mnt) => {
      const dst = join(mnt, 'big.img');
      const err = await failure(startAllocate({ target: dst, capacity: 8 * MiB, allocation: 8 * MiB }));
      expectSystemError(err, `cannot allocate 8388608 bytes in file '${dst}': No space left on device`, 28);
      expect(await readdir(mnt)).toEqual([]);
      const err2 = await failure(startAllocate({ target: dst, capacity: 8 * MiB, allocation: 8 * MiB, offload: false }));
      expectSystemError(err2, `cannot fill file '${dst}': No space left on device`, 28);
      expect(await readdir(mnt)).toEqual([]);
    });
    if (!mounted) ctx.skip('cannot mount a tmpfs here');
  });

  it('never overwrites an existing file', async () => {
    const dst = path('taken.img');
    await writeFile(dst, 'keep me');
    const err = await failure(startAllocate({ target: dst, capacity: MiB, allocation: MiB }));
    expectSystemError(err, `Failed to create file '${dst}': File exists`, 17);
    expect(await readFile(dst, 'utf8')).toBe('keep me');
  });

  it('cancelled, removes its file', async () => {
    const dst = path('cancel.img');
    const task = startAllocate({ target: dst, capacity: 256 * MiB, allocation: 256 * MiB, offload: false });
    while (task.progress().processed === 0) await sleep(1);
    task.cancel();
    expectAborted(await outcome(task), 'volume allocation');
    expect(existsSync(dst)).toBe(false);
  }, 30_000);

  it('rejects an allocation larger than the capacity', () => {
    const err = syncThrow(() => startAllocate({ target: path('x'), capacity: MiB, allocation: 2 * MiB }));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_INVALID_ARG);
    expect(err.message).toBe('invalid argument: allocation 2097152 exceeds capacity 1048576');
  });
});

describe('startWipe', () => {
  async function wiped(algorithm: number, size = 3 * MiB + 100): Promise<{ file: string; content: Buffer; task: NativeTask }> {
    const file = path(`wipe-${algorithm}.img`);
    await makeFile(file, size);
    const task = startWipe({ target: file, algorithm });
    await task.done;
    expect((await stat(file)).size).toBe(size);
    return { file, content: await readFile(file), task };
  }

  it('ZERO overwrites every byte with zeros', async () => {
    const { content, task } = await wiped(WipeAlgorithm.ZERO);
    expect(content.every((b) => b === 0)).toBe(true);
    expect(task.progress()).toEqual({ processed: 3 * MiB + 100, total: 3 * MiB + 100 });
  });

  it('RANDOM replaces the content with other data', async () => {
    const file = path('random.img');
    await makeFile(file, 2 * MiB);
    const before = await readFile(file);
    await startWipe({ target: file, algorithm: WipeAlgorithm.RANDOM }).done;
    const after = await readFile(file);
    expect(after.length).toBe(before.length);
    let same = 0;
    for (let i = 0; i < after.length; i++) if (after[i] === before[i]) same++;
    // Two random streams agree on about 1 byte in 256.
    expect(same).toBeLessThan(after.length / 128);
    expect(after.every((b) => b === 0)).toBe(false);
  });

  it.each([
    ['NNSA', WipeAlgorithm.NNSA, 0x00, 4],
    ['DOD', WipeAlgorithm.DOD, 0xff, 4],
    ['BSI', WipeAlgorithm.BSI, 0x7f, 9],
  ])('%s ends with its last pattern and counts every pass', async (_name, algorithm, last, passes) => {
    const { content, task } = await wiped(algorithm, MiB + 3);
    expect(content.every((b) => b === last)).toBe(true);
    expect(task.progress()).toEqual({ processed: passes * (MiB + 3), total: passes * (MiB + 3) });
  });

  it.each([
    ['GUTMANN', WipeAlgorithm.GUTMANN, 35],
    ['SCHNEIER', WipeAlgorithm.SCHNEIER, 7],
    ['PFITZNER7', WipeAlgorithm.PFITZNER7, 7],
    ['PFITZNER33', WipeAlgorithm.PFITZNER33, 33],
  ])('%s runs all its passes and ends with random data', async (_name, algorithm, passes) => {
    const { content, task } = await wiped(algorithm, 256 * 1024);
    expect(task.progress().total).toBe(passes * 256 * 1024);
    expect(task.progress().processed).toBe(passes * 256 * 1024);
    expect(content.every((b) => b === 0)).toBe(false);
  });

  it('writes the fixed patterns of GUTMANN in phase with the file offset', async () => {
    // Gutmann's passes 5 to 31 (index 4 to 30), each a repeating pattern of 1 or 3 bytes.
    const fixed: number[][] = [
      [0x55], [0xaa], [0x92, 0x49, 0x24], [0x49, 0x24, 0x92], [0x24, 0x92, 0x49],
      ...Array.from({ length: 16 }, (_, i) => [i * 0x11]),
      [0x92, 0x49, 0x24], [0x49, 0x24, 0x92], [0x24, 0x92, 0x49],
      [0x6d, 0xb6, 0xdb], [0xb6, 0xdb, 0x6d], [0xdb, 0x6d, 0xb6],
    ];
    const size = 16 * MiB + 1;
    const file = path('gutmann.img');
    await makeFile(file, size);
    const task = startWipe({ target: file, algorithm: WipeAlgorithm.GUTMANN });
    // Stop it in the middle of the third-byte patterns: what is on disk then shows each pass's phase.
    while (task.progress().processed < 6.5 * size) await new Promise((r) => setImmediate(r));
    task.cancel();
    expectAborted(await outcome(task), 'volume wipe');
    const { processed } = task.progress();
    const pass = Math.floor(processed / size);
    const split = processed % size;
    expect(pass).toBeGreaterThanOrEqual(5);
    expect(pass).toBeLessThanOrEqual(30);
    const content = await readFile(file);
    const wrong = (from: number, to: number, pattern: number[]) => {
      for (let i = from; i < to; i++) if (content[i] !== pattern[i % pattern.length]) return i;
      return -1;
    };
    expect(wrong(0, split, fixed[pass - 4]!)).toBe(-1);
    expect(wrong(split, size, fixed[pass - 5]!)).toBe(-1);
  }, 30_000);

  it('keeps the holes of a sparse file and wipes its data', async () => {
    const file = path('sparse-wipe.img');
    await makeFile(file, 32 * MiB, [
      [MiB, MiB],
      [20 * MiB, 2 * MiB],
    ]);
    const task = startWipe({ target: file, algorithm: WipeAlgorithm.ZERO });
    await task.done;
    expect(dataExtents(file)).toEqual([
      [MiB, 2 * MiB],
      [20 * MiB, 22 * MiB],
    ]);
    expect((await readFile(file)).every((b) => b === 0)).toBe(true);
    expect(task.progress().total).toBe(3 * MiB);
  });

  it('wipes only the requested range', async () => {
    const file = path('range.img');
    await makeFile(file, 4 * MiB);
    const before = await readFile(file);
    await startWipe({ target: file, algorithm: WipeAlgorithm.ZERO, offset: MiB + 7, length: MiB }).done;
    const after = await readFile(file);
    expect(after.subarray(0, MiB + 7).equals(before.subarray(0, MiB + 7))).toBe(true);
    expect(after.subarray(MiB + 7, 2 * MiB + 7).every((b) => b === 0)).toBe(true);
    expect(after.subarray(2 * MiB + 7).equals(before.subarray(2 * MiB + 7))).toBe(true);
  });

  it('wipes a block device', async (ctx) => {
    const backing = path('loop.img');
    await makeFile(backing, 8 * MiB);
    let device: string;
    try {
      device = (await run('losetup', ['--find', '--show', backing])).stdout.trim();
    } catch {
      return ctx.skip('no loop device available');
    }
    try {
      const task = startWipe({ target: device, algorithm: WipeAlgorithm.DOD });
      await task.done;
      expect(task.progress().total).toBe(4 * 8 * MiB);
    } finally {
      await run('losetup', ['--detach', device]);
    }
    expect((await readFile(backing)).every((b) => b === 0xff)).toBe(true);
  });

  it('cancelled, reports the abort', async () => {
    const file = path('cancel-wipe.img');
    await makeFile(file, 64 * MiB);
    const task = startWipe({ target: file, algorithm: WipeAlgorithm.PFITZNER33 });
    while (task.progress().processed === 0) await sleep(1);
    task.cancel();
    expectAborted(await outcome(task), 'volume wipe');
    expect((await stat(file)).size).toBe(64 * MiB);
  }, 30_000);

  it('fails clearly on a missing volume', async () => {
    const file = path('nowhere.img');
    const err = await failure(startWipe({ target: file, algorithm: WipeAlgorithm.ZERO }));
    expectSystemError(err, `Failed to open storage volume with path '${file}': No such file or directory`, 2);
  });

  it('fails clearly on something that is not a volume', async () => {
    const err = await failure(startWipe({ target: dir, algorithm: WipeAlgorithm.ZERO }));
    expectSystemError(err, `Failed to open storage volume with path '${dir}': Is a directory`, 21);
  });

  it('refuses TRIM and unknown algorithms as libvirt does', () => {
    const trim = syncThrow(() => startWipe({ target: path('x'), algorithm: WipeAlgorithm.TRIM }));
    expect(trim.code).toBe(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED);
    expect(trim.message).toBe("argument unsupported: 'trim' algorithm not supported");
    const unknown = syncThrow(() => startWipe({ target: path('x'), algorithm: 42 }));
    expect(unknown.code).toBe(ErrorNumber.VIR_ERR_INVALID_ARG);
    expect(unknown.message).toBe('invalid argument: wiping algorithm 42 not supported');
  });
});

/** The C API itself, below the TypeScript checks: its own argument checks and free of a running task. */
describe('C API', () => {
  const c = () => ({
    clone: bridgeFunction('void *tsvirt_copy_clone_start(const char *, const char *, uint64_t, uint32_t, unsigned int)'),
    allocate: bridgeFunction('void *tsvirt_copy_allocate_start(const char *, uint64_t, uint64_t, uint32_t, unsigned int)'),
    wipe: bridgeFunction('void *tsvirt_copy_wipe_start(const char *, int, uint64_t, uint64_t, unsigned int)'),
    progress: bridgeFunction('void *tsvirt_copy_task_progress(void *)'),
    message: bridgeFunction('const char *tsvirt_copy_task_message(void *)'),
    free: bridgeFunction('void tsvirt_copy_task_free(void *)'),
  });

  function status(api: ReturnType<typeof c>, task: bigint): { state: number; error: number; message: string } {
    const view = new Int32Array(koffi.view(api.progress(task), 24), 16, 2);
    return { state: view[0]!, error: view[1]!, message: api.message(task) as string };
  }

  it('fails invalid requests at once, without a thread', () => {
    const api = c();
    const cases: Array<[bigint, string, number]> = [
      [api.allocate(path('x'), 10, 20, 0o600, 0), 'allocation exceeds capacity', 22],
      [api.allocate(path('x'), 10, 0, 0o600, 8), 'unsupported allocation flags', 22],
      [api.clone(null, path('x'), 0, 0o600, 0), 'invalid source path', 22],
      [api.clone('a', '', 0, 0o600, 0), 'invalid target path', 22],
      [api.clone('a', 'b', 0, 0o600, 3), 'conflicting reflink flags', 22],
      [api.clone('a', 'b', 0, 0o20000, 0), 'invalid file mode', 22],
      [api.wipe('a', 42, 0, 0, 0), 'wiping algorithm 42 not supported', 22],
      [api.wipe('a', -1, 0, 0, 0), 'wiping algorithm -1 not supported', 22],
      [api.wipe('a', WipeAlgorithm.TRIM, 0, 0, 0), "'trim' algorithm not supported", 95],
      [api.wipe('a', 0, 0, 0, 1), 'unsupported wipe flags', 22],
    ];
    for (const [task, message, error] of cases) {
      expect(status(api, task)).toEqual({ state: 2, error, message });
      api.free(task);
    }
  });

  it('frees a running task safely: the worker stops and cleans up', async () => {
    const api = c();
    const src = path('free.img');
    await makeFile(src, 256 * MiB);
    const dst = path('free.clone');
    const task = api.clone(src, dst, 0, 0o600, 0);
    const counters = new BigUint64Array(koffi.view(api.progress(task), 24), 0, 2);
    while (counters[0] === 0n) await sleep(1);
    api.free(task);
    const t0 = performance.now();
    while (existsSync(dst) && performance.now() - t0 < 1000) await sleep(1);
    expect(existsSync(dst)).toBe(false);
  }, 30_000);
});

describe('process exit', () => {
  // A child process starts a clone, then ends: mid-copy, or right after a cancel while the worker still
  // closes the removed partial file. The worker must never run into an unloaded library.
  const child = `
    import koffi from 'koffi';
    const lib = koffi.load(process.env.LIB);
    // As bridgeFunction() binds (src/ts/native/library.ts), which this plain JavaScript cannot import.
    const symbol = lib.func('void *tsvirt_private_symbol(const char *name)');
    const bind = (name, prototype) => koffi.decode(symbol(name), koffi.proto(prototype));
    const start = bind('tsvirt_copy_clone_start', 'void *(const char *, const char *, uint64_t, uint32_t, unsigned int)');
    const progress = bind('tsvirt_copy_task_progress', 'void *(void *)');
    const cancel = bind('tsvirt_copy_task_cancel', 'void (void *)');
    const task = start(process.env.SRC, process.env.DST, 0, 0o600, 0);
    const view = koffi.view(progress(task), 24);
    const processed = new BigUint64Array(view, 0, 1);
    const state = new Int32Array(view, 16, 1);
    while (processed[0] < 32n << 20n) await new Promise((r) => setImmediate(r));
    if (process.env.MODE === 'cancel') {
      cancel(task);
      while (Atomics.load(state, 0) === 0) await new Promise((r) => setImmediate(r));
    }
    // Nothing keeps the event loop alive now: Node exits and tears its environment down.
  `;

  it.each(['running', 'cancel'])('is safe with a task %s', async (mode) => {
    const src = path('exit.img');
    await makeFile(src, 512 * MiB);
    for (let i = 0; i < 4; i++) {
      const dst = path('exit.clone');
      const env = { ...process.env, LIB: nativeLibraryPath(), SRC: src, DST: dst, MODE: mode };
      // Rejects on a non-zero exit or a signal (SIGSEGV).
      await run(process.execPath, ['--input-type=module', '-e', child], { env, cwd: process.cwd() });
      await rm(dst, { force: true });
    }
    await rm(src);
  }, 120_000);
});

