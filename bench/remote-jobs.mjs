#!/usr/bin/env node
// Many remote jobs polled on ONE connection (issue 11: "100 jobs polled on one connection: event-loop p99
// < 5 ms"). A scripted daemon in a process of its own (bench/lib/remote-jobs-daemon.ts) holds each save for
// SAVE_MS and reports its progress through DOMAIN_GET_JOB_STATS; this process starts 100 save jobs on 100
// domains through tsvirt's idiomatic API, follows every job's progress with `for await`, and measures its own
// event-loop delay (monitorEventLoopDelay, 1 ms resolution) while they run. Two rows:
// - slots 100: all 100 calls outstanding at once, so 100 domains polled every 500 ms (a daemon whose
//   max_client_requests allowed it), the polls taking turns one at a time (jobWatchDefaults.concurrentPolls);
// - slots 3 (the default, for libvirtd's max_client_requests = 5): 3 calls out at a time, 97 jobs waiting.
// The sources are bundled with esbuild on each run (no build needed).
// Run: node bench/remote-jobs.mjs [SAVE_MS=10000] [JOBS=100]   (the 3-slot row's saves last SAVE_MS / 5)
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SAVE_MS = Number(process.argv[2] ?? 10_000);
const JOBS = Number(process.argv[3] ?? 100);
const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository: the native library is found from the package root above the running module.
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, 'tsvirt-bench-remote-jobs-'));

try {
  await build({
    entryPoints: { client: join(root, 'bench/lib/remote-jobs-client.ts'), daemon: join(root, 'bench/lib/remote-jobs-daemon.ts') },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  const tsvirt = await import(join(out, 'client.mjs'));
  // The 3-slot row runs 34 rounds of 3 calls: its saves are 5 times shorter to keep the run short.
  const rows = [await idle(SAVE_MS), await run(tsvirt, 100, SAVE_MS), await run(tsvirt, 3, SAVE_MS / 5)];
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`\n${JOBS} save jobs on one connection, polled every ${tsvirt.jobWatchDefaults.intervalMs} ms; load average ${load}; nice ${os.getPriority()}`);
  console.log('| call slots | save lasts | wall time | event-loop delay p50 / p99 / max | event-loop utilization | CPU of this process | polls sent | progress events seen | most calls out at once | starting the jobs held the loop |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.slots} | ${r.saveMs} ms | ${(r.wallMs / 1000).toFixed(1)} s | ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} / ${r.max.toFixed(2)} ms | ${(r.elu * 100).toFixed(1)} % | ${((r.cpuMs / r.wallMs) * 100).toFixed(1)} % of a core | ${r.polls} | ${r.events} | ${r.maxOutstanding} | ${r.burstMs.toFixed(1)} ms |`,
    );
} finally {
  rmSync(out, { recursive: true, force: true });
}

/** The same measure of this process doing nothing: what the machine's load alone costs the event loop. */
async function idle(ms) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  h.enable();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const wallMs = performance.now() - t0;
  h.disable();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  return { slots: 'idle (no jobs)', burstMs: 0, saveMs: '—', elu, wallMs, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, polls: 0, events: 0, maxOutstanding: 0 };
}

async function run(tsvirt, slots, saveMs) {
  const child = fork(join(out, 'daemon.mjs'), [String(saveMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (m) => new Promise((resolve) => child.once('message', resolve) && child.send(m));
  const { uri } = await new Promise((resolve) => child.once('message', resolve));
  tsvirt.callSlotDefaults.limit = slots;
  const conn = await tsvirt.connect(uri);
  const doms = await Promise.all(Array.from({ length: JOBS }, (_, i) => conn.lookupDomainByName(`d${i}`)));
  const h = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  h.enable();
  const t0 = performance.now();
  let events = 0;
  const jobs = doms.map((d, i) => d.save(`/bench/${i}.save`));
  // How long starting them all held the loop: until the next turn after the start.
  const burstMs = await new Promise((resolve) => setImmediate(() => resolve(performance.now() - t0)));
  await Promise.all(
    jobs.map(async (job) => {
      for await (const p of job) {
        events++;
        if (p.state !== 'running' && p.state !== 'completed') throw new Error(`job ended ${p.state}`);
      }
      await job;
    }),
  );
  const wallMs = performance.now() - t0;
  h.disable();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const { counts, maxOutstanding } = await ask('stats');
  await conn.close();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    slots,
    burstMs,
    saveMs,
    elu,
    wallMs,
    p50: h.percentile(50) / 1e6,
    p99: h.percentile(99) / 1e6,
    max: h.max / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    polls: counts.DOMAIN_GET_JOB_STATS ?? 0,
    events,
    maxOutstanding,
  };
}

