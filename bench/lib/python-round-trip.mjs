// The baseline client of the round-trip benches: Debian's python3-libvirt timing `dom.info()`
// (REMOTE_PROC_DOMAIN_GET_INFO) on one connection, after a warm-up; p50 and p99 in microseconds.
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import sys, time, libvirt
c = libvirt.open(sys.argv[1])
d = c.lookupByName('test')
n = int(sys.argv[2])
for _ in range(min(n, 500)): d.info()
ts = []
for _ in range(n):
    t = time.perf_counter_ns(); d.info(); ts.append(time.perf_counter_ns() - t)
ts.sort()
print(ts[len(ts) // 2] / 1000, ts[len(ts) * 99 // 100] / 1000)
`;

export function pythonRoundTrip(uri, calls, env = process.env) {
  const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT, uri, String(calls)], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  const [p50, p99] = r.stdout.trim().split(' ').map(Number);
  return { p50, p99 };
}
