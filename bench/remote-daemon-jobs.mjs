#!/usr/bin/env node
/**
 * Jobs of tsvirt's remote driver on a tsvirtd process (dist/tsvirtd.js on a private socket):
 *
 *   1. what the job-program probe costs at open: median and p99 of connect() to tsvirtd, and of the probe's
 *      own call (CONNECT_LIST_ALL_JOBS counting only) made again on an open connection
 *   2. a save job through the program: client calls per job (start, SUBSCRIBE, GET_INFO; no polling) and how
 *      many progress snapshots the mirror received, for saves of 256 MiB at the test driver's 512 MiB/s
 *   3. end-to-end latency of a cancel: Job.cancel() until the mirror's job has ended CANCELLED
 *
 * Needs `npm run build:ts`.   node bench/remote-daemon-jobs.mjs [--opens N] [--saves N] [--json]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const opens = Number(option('--opens')) || 100;
const saves = Number(option('--saves')) || 5;
const asJson = args.includes('--json');

if (!existsSync(join(repo, 'dist/index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build:ts` first');
  process.exit(2);
}
const { connect } = await import(join(repo, 'dist/index.js'));

const dir = mkdtempSync(join(tmpdir(), 'wirejobs-bench-'));
const socket = join(dir, 'sock');
const daemon = spawn(process.execPath, [join(repo, 'bin/tsvirtd.js'), '--listen', socket, '--no-readonly', '--state-dir', join(dir, 'state')], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let log = '';
daemon.stderr.on('data', (c) => (log += c));
for (let i = 0; i < 200 && !log.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 25));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => Math.round(x * 1000) / 1000;
const results = {};
try {
  const uri = (rate) => `test+unix:///default?rate=${rate}&socket=${socket}`;

  // 1. open and probe
  const openTimes = [];
  for (let i = 0; i < opens; i++) {
    const t0 = performance.now();
    const c = await connect(uri('512M'));
    openTimes.push(performance.now() - t0);
    await c.close();
  }
  const conn = await connect(uri('512M'));
  const probeTimes = [];
  const jobs = conn.handle.drivers.jobs; // the connection's DaemonJobs (src/ts/drivers/remote/daemon-jobs.ts)
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await jobs.call('CONNECT_LIST_ALL_JOBS', { need_results: 0, flags: 0 });
    probeTimes.push(performance.now() - t0);
  }
  results.open = { n: opens, p50: ms(pct(openTimes, 50)), p99: ms(pct(openTimes, 99)) };
  results.probe = { n: 1000, p50: ms(pct(probeTimes, 50)), p99: ms(pct(probeTimes, 99)) };

  // 2. save jobs: calls and pushed snapshots
  const client = jobs.rc.client;
  const realCall = client.call.bind(client);
  let calls = 0;
  client.call = (...a) => {
    calls++;
    return realCall(...a);
  };
  const xml = "<domain type='test'><name>bench-save</name><memory>262144</memory><os><type>hvm</type></os></domain>";
  const perJob = [];
  for (let i = 0; i < saves; i++) {
    await (await connect(uri('64G'))).createDomain(xml);
    const dom = await conn.lookupDomainByName('bench-save');
    const before = calls;
    const job = dom.save(join(dir, `save-${i}.img`));
    let snapshots = 0;
    for await (const p of job) if (p.state === 'running') snapshots++;
    await job;
    perJob.push({ calls: calls - before, snapshots });
    rmSync(join(dir, `save-${i}.img`), { force: true });
  }
  results.save = perJob;

  // 3. cancel latency
  const slow = await connect(uri('8M'));
  const cancelTimes = [];
  for (let i = 0; i < saves; i++) {
    await (await connect(uri('64G'))).createDomain(xml.replace('bench-save', `bench-cancel-${i}`));
    const dom = await slow.lookupDomainByName(`bench-cancel-${i}`);
    const job = dom.save(join(dir, `cancel-${i}.img`));
    for await (const p of job) if (p.processed > 0) break;
    const t0 = performance.now();
    job.cancel();
    await job.then(
      () => {},
      () => {},
    );
    cancelTimes.push(performance.now() - t0);
    await dom.destroy();
  }
  results.cancel = { n: saves, p50: ms(pct(cancelTimes, 50)), max: ms(Math.max(...cancelTimes)) };
  await slow.close();
  await conn.close();
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

if (asJson) console.log(JSON.stringify(results));
else {
  console.log(`open (connect() to tsvirtd, probe included): p50 ${results.open.p50} ms, p99 ${results.open.p99} ms (${results.open.n})`);
  console.log(`probe call alone (CONNECT_LIST_ALL_JOBS, count only): p50 ${results.probe.p50} ms, p99 ${results.probe.p99} ms`);
  for (const [i, s] of results.save.entries()) console.log(`save ${i}: ${s.calls} client calls, ${s.snapshots} running snapshots pushed`);
  console.log(`cancel -> mirror CANCELLED: p50 ${results.cancel.p50} ms, max ${results.cancel.max} ms (${results.cancel.n})`);
}
