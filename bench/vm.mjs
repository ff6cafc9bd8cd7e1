// What real libvirtd + QEMU (TCG) cost on this machine, for docs/vm-testing.md: daemon start, guest boot and
// fill, save / restore / dumps with raw and gzip images, how fast domjobabort ends a save, what an idle guest
// burns, and python3-libvirt's round trip through the private daemon's socket (test driver).
//
//   node bench/vm.mjs [runs]        runs = "format:fillMiB,..." (default raw:32,gzip:32,gzip:128)
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest } from '../test/support/guest.mjs';
import { python, startLibvirtd, virsh } from '../test/support/libvirtd.mjs';

const runs = (process.argv[2] ?? 'raw:32,gzip:32,gzip:128').split(',').map((spec) => {
  const [format, fill] = spec.split(':');
  return { format, fillMiB: Number(fill) };
});
const ms = (x) => `${Math.round(x)} ms`;
const MiB = 1024 * 1024;

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const rssMiB = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const qemuPid = (daemon, name) =>
  Number(readFileSync(join(daemon.dir, 'runtime', 'libvirt', 'qemu', 'run', `${name}.pid`), 'utf8'));

async function must(promise) {
  const r = await promise;
  if (r.status !== 0) throw new Error(r.stderr);
  return r;
}

async function measure({ format, fillMiB }) {
  const t0 = performance.now();
  const daemon = await startLibvirtd({ imageFormat: format });
  const row = { format, fillMiB, daemonStart: performance.now() - t0 };
  try {
    const guest = await bootGuest(daemon, { fillMiB });
    row.boot = guest.bootMs;
    const pid = qemuPid(daemon, guest.name);
    row.qemuRssMiB = rssMiB(pid);
    row.bootCpu = cpuSeconds(pid);
    const idleFrom = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    row.idleCpuPercent = ((cpuSeconds(pid) - idleFrom) / 5) * 100;

    const file = (name) => join(daemon.filesDir, name);
    const save = await must(virsh(guest.uri, ['save', '--verbose', guest.name, file('g.save')]));
    row.save = save.ms;
    row.saveMiB = statSync(file('g.save')).size / MiB;
    row.progressLines = (save.stderr.match(/\r/g) ?? []).length;
    row.restore = (await must(virsh(guest.uri, ['restore', file('g.save')]))).ms;

    // How long a save still runs after domjobabort returns: started as soon as the job shows data.
    const aborted = virsh(guest.uri, ['save', guest.name, file('a.save')]);
    for (;;) {
      const info = await virsh(guest.uri, ['domjobinfo', guest.name]);
      if (/Data processed:\s+[1-9]/.test(info.stdout)) break;
    }
    const abortAt = performance.now();
    await must(virsh(guest.uri, ['domjobabort', guest.name]));
    const abortedResult = await aborted;
    row.abortToExit = performance.now() - abortAt;
    row.abortOk = abortedResult.status === 1 && /canceled by client/.test(abortedResult.stderr);

    row.memoryOnlyDump = (await must(virsh(guest.uri, ['dump', '--memory-only', guest.name, file('g.core')]))).ms;
    row.fullDump = (await must(virsh(guest.uri, ['dump', guest.name, file('g.dump')]))).ms;
    row.destroy = (await must(virsh(guest.uri, ['destroy', guest.name]))).ms;

    if (format === 'raw' && !measure.pythonDone) {
      measure.pythonDone = true;
      const out = await python(`import sys, time, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("test")
for _ in range(200): d.info()
t = []
for _ in range(2000):
    s = time.perf_counter_ns(); d.info(); t.append(time.perf_counter_ns() - s)
t.sort(); print(t[len(t) // 2] / 1000, t[int(len(t) * 0.99)] / 1000)`, [daemon.uris.test]);
      const [p50, p99] = out.trim().split(' ').map(Number);
      row.pythonInfo = `p50 ${p50.toFixed(0)} µs, p99 ${p99.toFixed(0)} µs`;
    }
  } finally {
    const stopAt = performance.now();
    await daemon.stop();
    row.stop = performance.now() - stopAt;
  }
  return row;
}

for (const run of runs) {
  const r = await measure(run);
  console.log(`\n${r.format}, guest 256 MiB with ${r.fillMiB} MiB filled`);
  console.log(`  daemon start ${ms(r.daemonStart)}, stop (reap) ${ms(r.stop)}`);
  console.log(`  boot + fill ${ms(r.boot)} (QEMU CPU ${r.bootCpu.toFixed(1)} s, RSS ${r.qemuRssMiB.toFixed(0)} MiB); idle guest ${r.idleCpuPercent.toFixed(1)} % of a core`);
  console.log(`  save ${ms(r.save)} (${r.saveMiB.toFixed(1)} MiB, ${r.progressLines} progress lines), restore ${ms(r.restore)}`);
  console.log(`  domjobabort -> save exits ${ms(r.abortToExit)} (${r.abortOk ? 'aborted' : 'NOT aborted'})`);
  console.log(`  dump --memory-only ${ms(r.memoryOnlyDump)}, full dump ${ms(r.fullDump)}, destroy ${ms(r.destroy)}`);
  if (r.pythonInfo) console.log(`  python3-libvirt dom.info() through the socket (test driver): ${r.pythonInfo}`);
}
