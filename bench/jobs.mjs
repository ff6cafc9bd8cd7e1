#!/usr/bin/env node --expose-gc
// Job engine benchmarks (issue #2), through the public C-style API on the test driver:
//   virJobGetInfo calls per second, create-and-finish jobs per second, heap per idle job with 10,000
//   running, and event-loop delay (p99) while 100 simulated saves run.
// Run: npm run build && node --expose-gc bench/jobs.mjs
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as virt from '../dist/libvirt.js';

virt.virSetErrorFunc(null, () => {});
const domainXml = (name, mib = 64) =>
  `<domain type='test'><name>${name}</name><memory unit='MiB'>${mib}</memory><os><type>hvm</type></os></domain>`;
const results = [];
const record = (what, value, unit, target) => results.push({ what, value, unit, target });

async function getInfoRate() {
  const conn = virt.virConnectOpen('test:///default?rate=1');
  const dom = virt.virDomainLookupByName(conn, 'test');
  const job = virt.virDomainSaveJob(dom, join(tmpdir(), 'tsvirt-bench-never.save'), 0);
  const n = 5_000_000;
  let sink = 0;
  for (let i = 0; i < 100_000; i++) sink += virt.virJobGetInfo(job).timeElapsed; // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += virt.virJobGetInfo(job).dataProcessed;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  record('virJobGetInfo calls per second (JS thread)', Math.round(n / seconds), 'calls/s', '>= 2,000,000');
  virt.virJobCancel(job);
  await virt.virJobWait(job);
  virt.virJobFree(job);
  virt.virDomainFree(dom);
  virt.virConnectClose(conn);
  return sink;
}

async function createFinishRate() {
  const conn = virt.virConnectOpen('test:///default?rate=0');
  const n = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const job = virt.virDomainCreateXMLJob(conn, domainXml(`bench${i}`), 0);
    await virt.virJobWait(job);
    const dom = virt.virJobGetDomain(job);
    virt.virJobFree(job);
    virt.virDomainDestroy(dom);
    virt.virDomainFree(dom);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  record('create-and-finish jobs per second (createXML + wait + destroy)', Math.round(n / seconds), 'jobs/s', 'recorded');
  virt.virConnectClose(conn);
}

/**
 * Heap of the jobs alone: the domains exist first, then 10,000 save jobs start and sit idle. A domain
 * remembers its last job (here the finished create job) until a new one replaces it, so starting the save
 * jobs frees the create jobs: measured as it always was, their memory is subtracted from the save jobs'.
 * With `holdSetup` the bench keeps the create jobs itself, so nothing is freed in between: the full cost.
 */
async function idleJobMemory(holdSetup) {
  const n = 10_000;
  const setup = virt.virConnectOpen('test:///default?rate=0');
  const doms = [];
  const createJobs = [];
  for (let i = 0; i < n; i++) {
    const job = virt.virDomainCreateXMLJob(setup, domainXml(`idle${i}`), 0);
    await virt.virJobWait(job);
    doms.push(virt.virJobGetDomain(job));
    if (holdSetup) createJobs.push(job);
    else virt.virJobFree(job);
  }
  const conn = virt.virConnectOpen('test:///default?rate=1');
  const handles = doms.map((dom) => virt.virDomainLookupByName(conn, virt.virDomainGetName(dom)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  global.gc();
  const before = process.memoryUsage().heapUsed;
  const jobs = handles.map((dom, i) => virt.virDomainSaveJob(dom, join(tmpdir(), `tsvirt-bench-idle-${i}.save`), 0));
  await new Promise((resolve) => setTimeout(resolve, 300)); // every job has ticked and reported progress
  global.gc();
  const after = process.memoryUsage().heapUsed;
  if (holdSetup)
    record('the same, with the finished create jobs held (nothing freed meanwhile)', Math.round((after - before) / n), 'bytes', 'recorded');
  else record('heap per running idle job (10,000 save jobs)', Math.round((after - before) / n), 'bytes', '<= 1024');
  for (const job of jobs) virt.virJobCancel(job);
  await Promise.all(jobs.map((job) => virt.virJobWait(job)));
  for (const job of [...jobs, ...createJobs]) virt.virJobFree(job);
  for (const dom of [...doms, ...handles]) virt.virDomainFree(dom);
  virt.virConnectClose(conn);
  virt.virConnectClose(setup);
}

async function loopDelayDuringSaves() {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-bench-'));
  const conn = virt.virConnectOpen('test:///default?rate=0');
  const doms = [];
  for (let i = 0; i < 100; i++) doms.push(await virt.virDomainCreateXML(conn, domainXml(`save${i}`, 256), 0));
  virt.virConnectClose(conn);
  // 256 MiB each at 128 MiB/s: two seconds of 100 concurrent saves.
  const slow = virt.virConnectOpen('test:///default?rate=128M');
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const jobs = doms.map((dom, i) => {
    const moved = virt.virDomainLookupByName(slow, virt.virDomainGetName(dom));
    const job = virt.virDomainSaveJob(moved, join(dir, `${i}.save`), 0);
    virt.virDomainFree(moved);
    return job;
  });
  let polls = 0;
  const poller = setInterval(() => {
    for (const job of jobs) virt.virJobGetInfo(job);
    polls++;
  }, 10);
  await Promise.all(jobs.map((job) => virt.virJobWait(job)));
  clearInterval(poller);
  histogram.disable();
  const failed = jobs.filter((job) => virt.virJobGetError(job)).length;
  record(
    `event-loop delay p99 while 100 saves run (${failed} failed, ${polls} polls of all jobs)`,
    (histogram.percentile(99) / 1e6).toFixed(2),
    'ms',
    '< 5',
  );
  for (const job of jobs) virt.virJobFree(job);
  for (const dom of doms) virt.virDomainFree(dom);
  virt.virConnectClose(slow);
  rmSync(dir, { recursive: true, force: true });
}

const only = process.argv[2];
if (!only || only === "info") await getInfoRate();
if (!only || only === "create") await createFinishRate();
if (!only || only === "memory") {
  await idleJobMemory(false);
  await idleJobMemory(true);
}
if (!only || only === "loop") await loopDelayDuringSaves();
console.log(`node ${process.version}, ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.table(results);
