#!/usr/bin/env node
// Cancel latency, measured here and not asserted in tests (machines are noisy):
//   - the native copy task alone (src/ts/native/copy.ts): a dense clone cancelled once 64 MiB moved, and the same
//     with the source's reads throttled to 16 MB/s (cgroup v1 blkio, as root; skipped elsewhere);
//   - storage jobs through the API (clone, create, wipe) cancelled at random points: the time from the
//     request to the job's end, which since the jobs wait for their task includes the task's cleanup (and,
//     for a cancel that lands in the final fsync, the fsync), and the partial files present at that moment.
// Targets: cancel < 100 ms (median and p95); no partial file when a job is seen to end (always).
// Run: npm exec node-gyp -- rebuild && node bench/cancel.mjs [work-dir]   (default: a temp dir under ./tmp)
// Needs 1.5 GiB free in the work dir; everything it writes is deleted at the end.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB, bundleSources, fmt, median, workDirFor, writeFileWithData } from './lib/files.mjs';
import { withReadThrottle } from '../test/support/read-throttle.mjs';

const NATIVE_ROUNDS = 5;
const JOB_ROUNDS = 30;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const rows = [];

async function nativeCancel(copy, src, dst, after) {
  const task = copy.startClone({ source: src, target: dst });
  while (task.progress().processed < after) await sleep(1);
  const t0 = performance.now();
  task.cancel();
  await task.done.catch(() => {});
  return { ms: performance.now() - t0, left: existsSync(dst) };
}


async function jobCancels(api, pool, poolDir, kind, start) {
  const times = [];
  let partialsAtEnd = 0;
  let cancelled = 0;
  for (let i = 0; i < JOB_ROUNDS; i++) {
    const name = `${kind}-${i}`;
    const job = await start(name);
    let seenPartials = 0;
    job.subscribe((_job, event) => {
      if (event === 'end') seenPartials = readdirSync(poolDir).filter((n) => n.startsWith('.tsvirt-partial-')).length;
    });
    await sleep(Math.floor(Math.random() * 40));
    if (!job.running) {
      job.unref();
      if (kind !== 'wipe') await api.virStorageVolDelete(await api.virStorageVolLookupByName(pool, name), 0);
      continue;
    }
    const t0 = performance.now();
    job.cancel();
    await job.whenDone();
    times.push(performance.now() - t0);
    partialsAtEnd += seenPartials;
    if (job.state === 3) cancelled++;
    else if (kind !== 'wipe') await api.virStorageVolDelete(await api.virStorageVolLookupByName(pool, name), 0);
    job.unref();
  }
  return { times, partialsAtEnd, cancelled };
}

const workDir = await workDirFor('cancel');
try {
  const copy = await bundleSources(workDir, 'copy', "export * from './src/ts/native/copy.ts';");
  const src = join(workDir, 'dense.img');
  await writeFileWithData(src, 512 * MiB, [[0, 512 * MiB]]);

  const native = [];
  for (let i = 0; i < NATIVE_ROUNDS; i++) native.push(await nativeCancel(copy, src, join(workDir, `n${i}.clone`), 64 * MiB));
  const nativeMs = native.map((r) => r.ms);
  rows.push({
    what: `native clone task, cancel at 64 MiB (${NATIVE_ROUNDS} rounds)`,
    value: `median ${fmt(median(nativeMs), 1)} ms, max ${fmt(Math.max(...nativeMs), 1)} ms, files left ${native.filter((r) => r.left).length}`,
    target: '< 100 ms, none left',
  });

  const slow = join(workDir, 'slow.img');
  execFileSync('dd', ['if=/dev/urandom', `of=${slow}`, 'bs=1M', 'count=64', 'oflag=direct', 'status=none']);
  let slowResult;
  const throttled = await withReadThrottle(slow, 16_000_000, async () => {
    slowResult = await nativeCancel(copy, slow, join(workDir, 'slow.clone'), 2 * MiB);
  });
  rows.push({
    what: 'native clone task on a slow disk (reads 16 MB/s), cancel at 2 MiB',
    value: throttled ? `${fmt(slowResult.ms, 1)} ms, ${slowResult.left ? 'file left' : 'nothing left'}` : 'skipped (no blkio cgroup)',
    target: '< 100 ms',
  });

  const api = await bundleSources(
    workDir,
    'api',
    "export * from './src/ts/api/connect.ts'; export * from './src/ts/api/storage.ts';",
  );
  const conn = await api.virConnectOpen(`tsvirt:///embed?root=${join(workDir, 'state')}`);
  const poolDir = join(workDir, 'pool');
  const pool = await api.virStoragePoolCreateXML(
    conn,
    `<pool type='dir'><name>bench</name><target><path>${poolDir}</path></target></pool>`,
    1,
  );
  await writeFileWithData(join(poolDir, 'source'), 128 * MiB, [[0, 128 * MiB]]);
  await api.virStoragePoolRefresh(pool, 0);
  const source = await api.virStorageVolLookupByName(pool, 'source');
  const kinds = {
    clone: (name) => api.virStorageVolCreateXMLFromJob(pool, `<volume><name>${name}</name><capacity>0</capacity></volume>`, source, 0, 0),
    create: (name) => api.virStorageVolCreateXMLJob(pool, `<volume><name>${name}</name><capacity unit='MiB'>128</capacity></volume>`, 0, 0),
    wipe: () => api.virStorageVolWipeJob(source, 8, 0),
  };
  for (const [kind, start] of Object.entries(kinds)) {
    const r = await jobCancels(api, pool, poolDir, kind, start);
    rows.push({
      what: `${kind} job cancelled at random points (${r.times.length} of ${JOB_ROUNDS} still running)`,
      value:
        `median ${fmt(median(r.times), 1)} ms, p95 ${fmt(percentile(r.times, 0.95), 1)} ms, ` +
        `max ${fmt(Math.max(...r.times), 1)} ms; ${r.cancelled} cancelled; partial files at the end: ${r.partialsAtEnd}`,
      target: '< 100 ms; 0 partial files',
    });
  }
  api.virConnectClose(conn);
} finally {
  await rm(workDir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.table(rows);
