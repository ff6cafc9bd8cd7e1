#!/usr/bin/env node
// Volume upload and download through tsvirtd's streams (issue #10), side by side with a private real
// libvirtd serving a dir pool on the same filesystem: the real virsh's `vol-upload` and `vol-download` of a
// file of random data, wall time of the whole virsh process (connection set-up included, about 30 ms),
// throughput in MiB/s, and the CPU time the daemon spent on it (less sensitive to a busy machine than the
// wall time), median of the rounds. Every transfer is checked byte for byte.
//
//   node bench/streams.mjs [--size MiB] [--rounds N (5)] [--json]      (needs `npm run build` and virsh, libvirtd)
//
// tsvirtd runs as its own process (bin/tsvirtd.js), libvirtd as test/support/libvirtd.mjs starts it; both
// folders are removed at the end.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO, startLibvirtd, virsh } from '../test/support/libvirtd.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MiB = 1024 * 1024;
const size = option('--size', 256) * MiB;
const rounds = option('--rounds', 5);
const json = args.includes('--json');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** CPU time (user + system) a process has used, in ms: /proc/PID/stat fields 14 and 15, in clock ticks of 10 ms. */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

if (!existsSync(join(REPO, 'dist', 'tsvirtd.js'))) {
  console.error('bench/streams.mjs: build first (npm run build:ts)');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'tsvirt-bench-streams-'));
const socket = join(work, 'sock');
const daemon = spawn(process.execPath, [join(REPO, 'bin', 'tsvirtd.js'), '--listen', socket], {
  env: { ...process.env, TSVIRT_STATE_DIR: join(work, 'state') },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const libvirtd = await startLibvirtd();

try {
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50);
  const source = join(work, 'source.bin');
  const data = randomFillSync(Buffer.allocUnsafe(size));
  writeFileSync(source, data);

  const sides = [
    { name: 'tsvirtd', pid: daemon.pid, uri: `tsvirt+unix:///session?socket=${socket}`, pool: join(work, 'pool') },
    { name: 'libvirtd', pid: libvirtd.pid, uri: libvirtd.uris.qemu, pool: join(libvirtd.filesDir, 'pool') },
  ];
  const results = {};
  for (const side of sides) {
    const setup = await virsh(side.uri, [`pool-define-as p dir --target ${side.pool}; pool-build p; pool-start p; vol-create-as p v ${size}`]);
    if (setup.status !== 0) throw new Error(`${side.name}: ${setup.stderr}`);
    // A first round that is not measured: libvirtd probes QEMU's capabilities in the background after its
    // first qemu:///session connection (seconds of CPU), and both daemons warm their caches.
    await virsh(side.uri, ['capabilities']);
    await virsh(side.uri, ['vol-upload', 'v', source, '--pool', 'p'], { timeoutMs: 600_000 });
    await virsh(side.uri, ['vol-download', 'v', join(work, 'warm.bin'), '--pool', 'p'], { timeoutMs: 600_000 });
    rmSync(join(work, 'warm.bin'));
    const upload = [];
    const download = [];
    const uploadCpu = [];
    const downloadCpu = [];
    for (let r = 0; r < rounds; r++) {
      let cpu = cpuMs(side.pid);
      const up = await virsh(side.uri, ['vol-upload', 'v', source, '--pool', 'p'], { timeoutMs: 600_000 });
      if (up.status !== 0) throw new Error(`${side.name} upload: ${up.stderr}`);
      upload.push(up.ms);
      uploadCpu.push(cpuMs(side.pid) - cpu);
      const out = join(work, `out-${side.name}.bin`);
      cpu = cpuMs(side.pid);
      const down = await virsh(side.uri, ['vol-download', 'v', out, '--pool', 'p'], { timeoutMs: 600_000 });
      if (down.status !== 0) throw new Error(`${side.name} download: ${down.stderr}`);
      download.push(down.ms);
      downloadCpu.push(cpuMs(side.pid) - cpu);
      if (!readFileSync(out).equals(data)) throw new Error(`${side.name}: the downloaded file differs from the uploaded one`);
      rmSync(out);
    }
    const rate = (ms) => size / MiB / (ms / 1000);
    results[side.name] = {
      uploadMs: median(upload),
      uploadMiBs: rate(median(upload)),
      downloadMs: median(download),
      downloadMiBs: rate(median(download)),
      uploadDaemonCpuMs: median(uploadCpu),
      downloadDaemonCpuMs: median(downloadCpu),
    };
  }
  if (json) console.log(JSON.stringify({ sizeMiB: size / MiB, rounds, results }, null, 2));
  else {
    console.log(`virsh vol-upload / vol-download of ${size / MiB} MiB, median of ${rounds} rounds (wall time of virsh)`);
    for (const [name, r] of Object.entries(results))
      console.log(
        `${name.padEnd(9)} upload ${r.uploadMs.toFixed(0).padStart(6)} ms ${r.uploadMiBs.toFixed(0).padStart(5)} MiB/s   ` +
          `download ${r.downloadMs.toFixed(0).padStart(6)} ms ${r.downloadMiBs.toFixed(0).padStart(5)} MiB/s   ` +
          `daemon CPU: upload ${r.uploadDaemonCpuMs} ms, download ${r.downloadDaemonCpuMs} ms`,
      );
  }
} finally {
  daemon.kill('SIGTERM');
  await new Promise((resolve) => daemon.once('exit', resolve));
  await libvirtd.stop();
  rmSync(work, { recursive: true, force: true });
}
