#!/usr/bin/env node
/**
 * tsvirtd as libvirt clients see it:
 *
 *   1. round trip of DOMAIN_GET_INFO from python3-libvirt (`dom.info()`), p50 and p99, through tsvirtd, and
 *      through a real libvirtd serving the test driver when its socket is given (--libvirtd-socket PATH)
 *   2. the daemon's resident memory with 1,000 idle connections
 *   3. with --clients N: N concurrent clients each doing --client-calls round trips (bench/daemon-clients.mjs),
 *      throughput and latency p50/p99, against both daemons
 *
 * Targets (issue #10): p50 at or below libvirtd's; 1,000 idle connections under 50 MiB; 100 clients x 1,000
 * calls at least libvirtd's throughput. Needs `npm run build` and Debian's /usr/bin/python3 with python3-libvirt.
 *
 *   node bench/daemon.mjs [--calls N] [--clients N [--client-calls N]] [--with-libvirtd | --libvirtd-socket PATH] [--json]
 *
 * --with-libvirtd starts a private real libvirtd for the comparison (test/support/libvirtd.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClients } from './daemon-clients.mjs';
import { pythonRoundTrip } from './lib/python-round-trip.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const calls = Number(option('--calls')) || 5000;
const libvirtd = args.includes('--with-libvirtd')
  ? await (await import('../test/support/libvirtd.mjs')).startLibvirtd()
  : undefined;
const libvirtdSocket = option('--libvirtd-socket') ?? libvirtd?.socket;
const asJson = args.includes('--json');
const clients = Number(option('--clients')) || 0;
const clientCalls = Number(option('--client-calls')) || 1000;

if (!existsSync(join(repo, 'dist/tsvirtd.js'))) {
  console.error('bench: dist/tsvirtd.js is missing; run `npm run build` first');
  process.exit(2);
}


const roundTrip = (socket) => pythonRoundTrip(`test+unix:///default?socket=${socket}`, calls);

const rssKiB = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-bench-'));
const socket = join(dir, 'sock');
const daemon = spawn(process.execPath, [join(repo, 'bin/tsvirtd.js'), '--listen', socket, '--no-readonly'], { stdio: ['ignore', 'ignore', 'pipe'] });
try {
  await new Promise((resolve, reject) => {
    daemon.stderr.on('data', (c) => String(c).includes('listening on') && resolve());
    daemon.once('exit', () => reject(new Error('tsvirtd exited')));
  });
  const results = { calls, tsvirtd: roundTrip(socket) };
  if (libvirtdSocket) results.libvirtd = roundTrip(libvirtdSocket);
  if (clients) {
    results.manyClients = { tsvirtd: await runClients(socket, { clients, calls: clientCalls }) };
    if (libvirtdSocket) results.manyClients.libvirtd = await runClients(libvirtdSocket, { clients, calls: clientCalls });
  }

  const before = rssKiB(daemon.pid);
  const idle = await Promise.all(Array.from({ length: 1000 }, () => new Promise((resolve, reject) => {
    const s = connect(socket);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  })));
  await new Promise((r) => setTimeout(r, 500));
  const after = rssKiB(daemon.pid);
  for (const s of idle) s.destroy();
  results.idleConnections = { count: idle.length, rssBeforeMiB: before / 1024, rssAfterMiB: after / 1024, addedMiB: (after - before) / 1024 };

  if (asJson) console.log(JSON.stringify(results, null, 2));
  else {
    const fmt = (x) => `p50 ${x.p50.toFixed(1)} us, p99 ${x.p99.toFixed(1)} us`;
    console.log(`python3-libvirt dom.info() x ${calls} through tsvirtd: ${fmt(results.tsvirtd)}`);
    if (results.libvirtd) console.log(`python3-libvirt dom.info() x ${calls} through libvirtd: ${fmt(results.libvirtd)}`);
    for (const [daemonName, r] of Object.entries(results.manyClients ?? {})) {
      console.log(`${r.clients} clients x ${r.callsPerClient} DOMAIN_GET_INFO through ${daemonName}: ` +
        `${Math.round(r.callsPerSecond)} calls/s, p50 ${r.p50.toFixed(1)} us, p99 ${r.p99.toFixed(1)} us`);
    }
    const m = results.idleConnections;
    console.log(`1,000 idle connections: daemon RSS ${m.rssBeforeMiB.toFixed(1)} -> ${m.rssAfterMiB.toFixed(1)} MiB (${m.addedMiB >= 0 ? '+' : ''}${m.addedMiB.toFixed(1)} MiB)`);
  }
} finally {
  daemon.kill('SIGTERM');
  await libvirtd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
