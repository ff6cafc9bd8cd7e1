// The real virsh's vol-upload and vol-download through tsvirtd (tsvirt+unix:///session), side by side with
// the same commands against a private real libvirtd serving a dir pool of the same shape (qemu:///session):
// the same output and exit status, and byte-identical files.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibvirtd, virsh, type Libvirtd, type VirshResult } from '../support/libvirtd.mjs';
import { runInProcess } from '../cli/harness.js';
import { startDaemon, type TestDaemon } from './helpers.js';

const installed = existsSync('/usr/bin/virsh') && existsSync('/usr/sbin/libvirtd');
const MiB = 1024 * 1024;

interface Side {
  name: 'tsvirt' | 'libvirt';
  uri: string;
  pool: string;
  /** Where this side's downloads go. */
  out: string;
}

describe.skipIf(!installed)('virsh vol-upload and vol-download: tsvirtd and libvirtd alike', () => {
  let d: TestDaemon;
  let libvirtd: Libvirtd;
  let work: string;
  let sides: Side[];
  const saved = process.env.TSVIRT_STATE_DIR;
  const src = randomBytes(MiB);
  const big = randomBytes(3 * MiB);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tsvirt-streams-virsh-'));
    process.env.TSVIRT_STATE_DIR = join(work, 'state'); // read by the daemon's driver when virsh connects
    [d, libvirtd] = await Promise.all([startDaemon(), startLibvirtd()]);
    sides = [
      { name: 'tsvirt', uri: `tsvirt+unix:///session?socket=${d.socket}`, pool: join(work, 'pool'), out: join(work, 'out-tsvirt') },
      { name: 'libvirt', uri: libvirtd.uris.qemu, pool: join(libvirtd.filesDir, 'pool'), out: join(work, 'out-libvirt') },
    ];
    writeFileSync(join(work, 'src.bin'), src);
    writeFileSync(join(work, 'big.bin'), big);
    for (const side of sides) {
      const r = await virsh(side.uri, [`pool-define-as p1 dir --target ${side.pool}; pool-build p1; pool-start p1; vol-create-as p1 v1 3M`]);
      expect(r.status, r.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([d?.stop(), libvirtd?.stop()]);
    rmSync(work, { recursive: true, force: true });
    if (saved === undefined) delete process.env.TSVIRT_STATE_DIR;
    else process.env.TSVIRT_STATE_DIR = saved;
  });

  /** Runs the same virsh command on both sides (`OUT` is the side's download path) and expects the same result. */
  async function both(args: string[]): Promise<VirshResult[]> {
    const results: VirshResult[] = [];
    for (const side of sides) results.push(await virsh(side.uri, args.map((a) => a.replaceAll('OUT', side.out).replaceAll('WORK', work))));
    const shown = results.map((r, i) => ({
      status: r.status,
      stdout: r.stdout.replaceAll(sides[i].pool, 'POOL').replaceAll(sides[i].out, 'OUT'),
      stderr: r.stderr.replaceAll(sides[i].pool, 'POOL').replaceAll(sides[i].out, 'OUT'),
    }));
    expect(shown[0]).toEqual(shown[1]);
    return results;
  }

  const downloaded = (i: number) => readFileSync(sides[i].out);
  const sameDownloads = () => expect(downloaded(0).equals(downloaded(1))).toBe(true);

  it('uploads a file and downloads the volume: byte-identical to libvirtd', async () => {
    const [r] = await both(['vol-upload', 'v1', 'WORK/src.bin', '--pool', 'p1']);
    expect(r.status).toBe(0);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1']);
    sameDownloads();
    const expected = Buffer.concat([src, Buffer.alloc(3 * MiB - src.length)]);
    expect(downloaded(0).equals(expected)).toBe(true);
  });

  it('--offset past the end grows the volume; --offset and --length cut the download', async () => {
    await both(['vol-upload', 'v1', 'WORK/src.bin', '--pool', 'p1', '--offset', '5000000']);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1']);
    sameDownloads();
    expect(downloaded(0).length).toBe(5_000_000 + src.length);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1', '--offset', '10', '--length', '20']);
    sameDownloads();
    expect(downloaded(0).equals(src.subarray(10, 30))).toBe(true);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1', '--offset', '100000000']);
    expect(downloaded(0).length).toBe(0);
    await both(['vol-upload', 'v1', 'WORK/src.bin', 'p1', '0', '-1']); // positional offset, wrapping length
  });

  it('a sparse volume downloads as its bytes', async () => {
    const sparse = async (path: string) => {
      const fh = await open(path, 'w', 0o600);
      await fh.truncate(6 * MiB);
      await fh.write(src, 0, 300_000, MiB);
      await fh.write(src, 0, 1000, 4 * MiB + 17);
      await fh.close();
    };
    for (const side of sides) {
      const path = join(side.pool, 'sparse');
      await sparse(path);
      if (side.name === 'libvirt') await libvirtd.giveToDaemon(path);
      expect((await virsh(side.uri, ['pool-refresh', 'p1'])).status).toBe(0);
      expect(statSync(path).blocks * 512).toBeLessThan(2 * MiB);
    }
    await both(['vol-download', 'sparse', 'OUT', '--pool', 'p1']);
    sameDownloads();
    expect(downloaded(0).equals(readFileSync(join(sides[0].pool, 'sparse')))).toBe(true);
  });

  it('--sparse: holes travel as holes both ways, and the files are byte-identical to libvirtd\'s', async () => {
    const local = join(work, 'sparse.bin');
    const fh = await open(local, 'w', 0o600);
    await fh.truncate(8 * MiB);
    await fh.write(src, 0, 300_000, MiB);
    await fh.write(src, 0, 1000, 5 * MiB + 17);
    await fh.close();
    await both(['vol-create-as', 'p1', 'sp', '8M', '--allocation', '0']);
    await both(['vol-upload', 'sp', local, '--pool', 'p1', '--sparse']);
    await both(['vol-download', 'sp', 'OUT', '--pool', 'p1', '--sparse']);
    sameDownloads();
    expect(downloaded(0).equals(readFileSync(local))).toBe(true);
    // The volume and the downloaded file stay sparse (blocks of 64 KiB that read as zeros travel as holes).
    expect(statSync(join(sides[0].pool, 'sp')).blocks * 512).toBeLessThan(MiB);
    expect(statSync(sides[0].out).blocks * 512).toBeLessThan(MiB);
  });

  it('errors read as libvirtd words them', async () => {
    await both(['vol-upload', 'v1', '/nonexistent', '--pool', 'p1']);
    await both(['vol-upload', 'nosuch', 'WORK/src.bin', '--pool', 'p1']);
    await both(['vol-download', 'v1', '/nonexistent/x', '--pool', 'p1']);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1', '--offset', '-1']);
    rmSync(sides[0].out, { force: true });
    rmSync(sides[1].out, { force: true });
    const [ro] = await both(['-r', 'vol-download', 'v1', 'OUT', '--pool', 'p1']);
    expect(ro.stderr).toContain('read only access prevents virStorageVolDownload');
    expect(existsSync(sides[0].out) || existsSync(sides[1].out)).toBe(false); // virsh removes the file it created
    await both(['-r', 'vol-upload', 'v1', 'WORK/src.bin', '--pool', 'p1']);
  });

  it("past --length the upload fails in libvirtd's words, and tsvirt's volume stays as it was", async () => {
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1']);
    const before = downloaded(0);
    const [r] = await both(['vol-upload', 'v1', 'WORK/big.bin', '--pool', 'p1', '--length', '1000']);
    expect(r.stderr).toMatch(/^error: cannot send data to volume v1\nerror: cannot write to stream: No space left on device\n/);
    await both(['vol-download', 'v1', 'OUT', '--pool', 'p1']);
    // libvirtd writes into the volume in place, so it may keep part of a failed upload; tsvirt never does.
    expect(downloaded(0).equals(before)).toBe(true);
  });

  it('tsvirsh on a direct connection prints what virsh prints through tsvirtd', async () => {
    const commands = (out: string) =>
      [
        'vol-create-as p1 t1 2M',
        `vol-upload t1 ${work}/src.bin --pool p1`,
        `vol-download t1 ${out} --pool p1 --offset 3 --length 700000`,
        `vol-upload t1 ${work}/big.bin --pool p1 --length 1000`,
        `vol-upload t1 /nonexistent p1`,
        `vol-download nosuch ${out} --pool p1`,
        `vol-download t1 ${out} --pool p1 --length x`,
        `vol-upload t1 ${work}/sparse.bin --pool p1 --sparse`,
        `vol-download t1 ${out}.sparse --pool p1 --sparse`,
        'vol-delete t1 --pool p1',
      ].join('; ');
    const a = join(work, 'a.bin');
    const b = join(work, 'b.bin');
    const viaDaemon = await virsh(sides[0].uri, [commands(a)]);
    const direct = await runInProcess(['-c', 'tsvirt:///session', commands(b)]);
    const fix = (t: string, out: string) => t.replaceAll(out, 'OUT');
    expect(existsSync(join(work, 'sparse.bin'))).toBe(true); // written by the --sparse case above
    expect({ status: direct.status, stdout: fix(direct.stdout, b), stderr: fix(direct.stderr, b) }).toEqual({
      status: viaDaemon.status,
      stdout: fix(viaDaemon.stdout, a),
      stderr: fix(viaDaemon.stderr, a),
    });
    expect(readFileSync(a).equals(src.subarray(3, 700_003))).toBe(true);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(`${b}.sparse`).equals(readFileSync(join(work, 'sparse.bin')))).toBe(true);
    expect(readFileSync(`${b}.sparse`).equals(readFileSync(`${a}.sparse`))).toBe(true);
    expect(statSync(`${b}.sparse`).blocks * 512).toBeLessThan(MiB);
  });
});
