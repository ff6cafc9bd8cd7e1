#!/usr/bin/env node
// Volume clone jobs through tsvirt's API (issue #5), on a tsvirt:///embed directory pool:
//   - clone of a 2 GiB dense file and of a 2 GiB sparse file with 200 MiB of data, each until durable,
//     side by side with `cp` + `sync FILE` in the same run (time, throughput, allocation, peak extra RSS);
//   - progress updates per second, and the ETA's error once a steady clone passes 20% (predicted time
//     remaining at 20%, 40%, 60% against the time it then actually took; a clone during which the device
//     changed its pace by more than 10% is shown but not judged: no estimate from a measured rate can
//     foresee that);
//   - event-loop delay (p99) while two clones run at once, next to the same process idle while two
//     `cp` + `sync` run in other processes (the floor this host sets); cancel latency of a running clone.
// Targets: dense >= 95% of cp+sync throughput; sparse allocation = source's and time <= 1.5x cp+sync;
// peak extra memory < 64 MiB; >= 4 progress updates/s; ETA error < 20%; loop p99 < 10 ms; cancel < 100 ms.
// bench/clone.mjs measures the native data path alone; both share bench/lib/files.mjs.
// Run: npm exec node-gyp -- rebuild && node bench/storage-jobs.mjs [work-dir]   (default: a temp dir under ./tmp)
// Needs 9 GiB free in the work dir; everything it writes is deleted at the end.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  GiB,
  MiB,
  allocated,
  bundleSources,
  fmt,
  median,
  peakExtraRss,
  root,
  run,
  timeCp,
  workDirFor,
  writeFileWithData,
} from './lib/files.mjs';

const ROUNDS = 2;
const ETA_ROUNDS = 5;
/** A clone is steady when no fifth of its data past 20% moved more than 10% off its mean rate past 20%. */
const STEADY = 0.1;






/**
 * One clone job through the API, watched: its time until it completed (the clone is durable then), the
 * progress updates it published, the time remaining it predicted at 20%, 40% and 60% of the data, and how
 * much the device's pace varied past 20% (the largest deviation of a fifth of the data's rate from the
 * mean rate past 20%): an estimate from the measured rate can only be as good as the pace is steady.
 */
async function timeCloneJob(api, pool, source, name) {
  const t0 = performance.now();
  const job = await api.virStorageVolCreateXMLFromJob(pool, `<volume><name>${name}</name><capacity>0</capacity></volume>`, source, 0, 0);
  const marks = [0.2, 0.4, 0.6];
  const predictions = [];
  const samples = [];
  let updates = 0;
  job.subscribe((j, event) => {
    if (event !== 'progress') return;
    updates++;
    const info = j.getInfo();
    if (info.dataTotal <= 0) return;
    samples.push({ when: performance.now(), done: info.dataProcessed / info.dataTotal });
    while (marks.length && samples.at(-1).done >= marks[0])
      predictions.push({ at: marks.shift(), when: performance.now(), remaining: info.timeRemaining });
  });
  const { extra } = await peakExtraRss(() => job.whenDone());
  const end = performance.now();
  if (job.error) throw job.error;
  job.unref();
  const seconds = (end - t0) / 1000;
  const eta = predictions.map((p) => {
    const actual = end - p.when;
    return { at: p.at, predicted: p.remaining, actual, error: Math.abs(p.remaining - actual) / actual };
  });
  // The pace of each fifth past 20%, measured between the progress samples that first reached each fifth
  // (the last one ends when the job does), against the mean pace past 20%.
  samples.push({ when: end, done: 1 });
  const bounds = [0.2, 0.4, 0.6, 0.8, 1].map((at) => samples.find((x) => x.done >= at));
  const pace = (a, b) => (b.done - a.done) / (b.when - a.when);
  const mean = pace(bounds[0], bounds[4]);
  const variation = Math.max(...bounds.slice(1).map((b, i) => Math.abs(pace(bounds[i], b) - mean) / mean));
  return { seconds, rss: extra, updatesPerSecond: updates / seconds, eta, variation };
}

/** Event-loop delay of this (idle) process while two `cp` + `sync` run in other processes: the host's floor. */
async function loopDelayUnderCp(src, dir) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await Promise.all([1, 2].map((i) => timeCp(src, join(dir, `baseline-${i}`))));
  histogram.disable();
  await Promise.all([1, 2].map((i) => rm(join(dir, `baseline-${i}`))));
  return histogram.percentile(99) / 1e6;
}

async function main() {
  const workDir = await workDirFor('bench-storage-jobs');
  try {
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
    const dense = join(poolDir, 'dense.img');
    const sparse = join(poolDir, 'sparse.img');
    await writeFileWithData(dense, 2 * GiB, [[0, 2 * GiB]]);
    // 200 MiB of data in 20 extents of 10 MiB, spread over 2 GiB.
    await writeFileWithData(sparse, 2 * GiB, Array.from({ length: 20 }, (_, i) => [i * 100 * MiB + 7 * MiB, 10 * MiB]));
    const sources = {
      dense: await api.virStorageVolLookupByName(pool, 'dense.img'),
      sparse: await api.virStorageVolLookupByName(pool, 'sparse.img'),
    };

    const rows = [];
    const etaRows = [];
    const updateRates = [];
    for (const [label, kind, src, dataBytes] of [
      ['dense 2 GiB', 'dense', dense, 2 * GiB],
      ['sparse 2 GiB, 200 MiB data', 'sparse', sparse, 200 * MiB],
    ]) {
      const results = { 'cp+sync': [], 'tsvirt job': [] };
      // Alternate the tools so that both meet the same page-cache state.
      for (let round = 0; round < ROUNDS; round++) {
        for (const tool of ['cp+sync', 'tsvirt job']) {
          const name = `copy-${kind}-${round}-${tool === 'cp+sync' ? 'cp' : 'job'}`;
          const dst = join(poolDir, name);
          if (tool === 'cp+sync') results[tool].push({ ...(await timeCp(src, dst)), rss: 0 });
          else {
            const r = await timeCloneJob(api, pool, sources[kind], name);
            results[tool].push({ ...r, alloc: await allocated(dst) });
            if (kind === 'dense') updateRates.push(r.updatesPerSecond);
          }
          await rm(dst);
        }
      }
      const srcAlloc = await allocated(src);
      for (const tool of ['cp+sync', 'tsvirt job']) {
        const seconds = median(results[tool].map((r) => r.seconds));
        rows.push({
          label,
          tool,
          seconds,
          mibps: dataBytes / MiB / seconds,
          allocMiB: median(results[tool].map((r) => r.alloc)) / MiB,
          srcAllocMiB: srcAlloc / MiB,
          rssMiB: Math.max(...results[tool].map((r) => r.rss)) / MiB,
        });
      }
    }

    // The ETA, over dense clones of their own.
    for (let round = 0; round < ETA_ROUNDS; round++) {
      const r = await timeCloneJob(api, pool, sources.dense, `eta-${round}`);
      etaRows.push(...r.eta.map((e) => ({ round, variation: r.variation, ...e })));
      await rm(join(poolDir, `eta-${round}`));
    }

    // Two clone jobs at once, with the event loop watched; and the same host with two cp + sync instead.
    const baselineP99 = await loopDelayUnderCp(dense, poolDir);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const t0 = performance.now();
    const { extra: bothRss } = await peakExtraRss(() =>
      Promise.all([
        timeCloneJob(api, pool, sources.dense, 'both-dense'),
        timeCloneJob(api, pool, sources.sparse, 'both-sparse'),
      ]),
    );
    const bothSeconds = (performance.now() - t0) / 1000;
    histogram.disable();
    await rm(join(poolDir, 'both-dense'));
    await rm(join(poolDir, 'both-sparse'));

    // Cancel a dense clone once it is about a third done.
    const job = await api.virStorageVolCreateXMLFromJob(pool, '<volume><name>cancelled</name><capacity>0</capacity></volume>', sources.dense, 0, 0);
    await new Promise((resolve) => {
      const stop = job.subscribe((j, event) => {
        if (event === 'end' || j.processed >= j.total / 3) {
          stop();
          resolve();
        }
      });
    });
    const c0 = performance.now();
    job.cancel();
    await job.whenDone();
    const cancelMs = performance.now() - c0;
    const cancelledState = job.state;
    job.unref();
    const leftovers = existsSync(join(poolDir, 'cancelled'));

    console.log(`storage jobs bench, ${ROUNDS} rounds (median time), work dir ${workDir}\n`);
    console.log('case                        tool        time s   MiB/s  alloc MiB  src alloc MiB  peak RSS MiB');
    for (const r of rows)
      console.log(
        `${r.label.padEnd(27)} ${r.tool.padEnd(10)} ${fmt(r.seconds).padStart(7)} ${fmt(r.mibps, 0).padStart(7)} ` +
          `${fmt(r.allocMiB, 1).padStart(10)} ${fmt(r.srcAllocMiB, 1).padStart(14)} ${fmt(r.rssMiB, 1).padStart(13)}`,
      );
    console.log('(peak RSS of cp+sync is not measured here; bench/clone.mjs has it)\n');
    console.log('ETA of dense clone jobs: predicted time remaining vs what it then took');
    for (const e of etaRows)
      console.log(
        `  round ${e.round} (pace varied ${fmt(e.variation * 100, 0)}%${e.variation <= STEADY ? ', steady' : ''}) at ${fmt(e.at * 100, 0)}%: ` +
          `predicted ${fmt(e.predicted / 1000)} s, actual ${fmt(e.actual / 1000)} s, error ${fmt(e.error * 100, 1)}%`,
      );
    const loopP99 = histogram.percentile(99) / 1e6;
    console.log(
      `\nprogress updates: ${updateRates.map((r) => fmt(r, 1)).join(', ')} per second (dense clone jobs)` +
        `\nboth clone jobs at once: ${fmt(bothSeconds)} s, event loop p99 ${fmt(loopP99)} ms, max ${fmt(histogram.max / 1e6)} ms, ` +
        `(this process idle while two cp + sync run: p99 ${fmt(baselineP99)} ms), ` +
        `peak extra RSS ${fmt(bothRss / MiB, 1)} MiB` +
        `\ncancel at a third of a dense clone: job ${cancelledState === 3 ? 'cancelled' : `state ${cancelledState}`} ` +
        `${fmt(cancelMs, 1)} ms after the request, ${leftovers ? 'a volume was left' : 'no volume left'}\n`,
    );

    const row = (label, tool) => rows.find((r) => r.label.startsWith(label) && r.tool === tool);
    const denseRatio = row('dense', 'tsvirt job').mibps / row('dense', 'cp+sync').mibps;
    const sparseRatio = row('sparse', 'tsvirt job').seconds / row('sparse', 'cp+sync').seconds;
    const peakRss = Math.max(bothRss, ...rows.filter((r) => r.tool === 'tsvirt job').map((r) => r.rssMiB * MiB));
    const steadyEta = etaRows.filter((e) => e.variation <= STEADY);
    const worstEta = steadyEta.length ? Math.max(...steadyEta.map((e) => e.error)) : Infinity;
    const checks = [
      [`dense throughput ${fmt(denseRatio * 100, 0)}% of cp+sync`, '>= 95%', denseRatio >= 0.95],
      [
        `sparse allocation ${fmt(row('sparse', 'tsvirt job').allocMiB, 1)} MiB, source ${fmt(row('sparse', 'tsvirt job').srcAllocMiB, 1)} MiB`,
        'equal',
        row('sparse', 'tsvirt job').allocMiB === row('sparse', 'tsvirt job').srcAllocMiB,
      ],
      [`sparse time ${fmt(sparseRatio)}x cp+sync`, '<= 1.5x', sparseRatio <= 1.5],
      [`peak extra RSS ${fmt(peakRss / MiB, 1)} MiB`, '< 64 MiB', peakRss < 64 * MiB],
      [`progress updates ${fmt(Math.min(...updateRates), 1)}/s (slowest)`, '>= 4/s', Math.min(...updateRates) >= 4],
      [
        steadyEta.length
          ? `ETA error ${fmt(worstEta * 100, 1)}% (worst past 20% of the ${steadyEta.length / 3} steady clones of ${ETA_ROUNDS})`
          : `ETA error not judged: the device's pace varied by more than ${STEADY * 100}% in all ${ETA_ROUNDS} clones`,
        '< 20%',
        worstEta < 0.2,
      ],
      [`event loop p99 ${fmt(loopP99)} ms with two clones`, '< 10 ms', loopP99 < 10],
      [`cancel ${fmt(cancelMs, 1)} ms, nothing left`, '< 100 ms', cancelMs < 100 && cancelledState === 3 && !leftovers],
    ];
    for (const [what, target, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${what} (target ${target})`);
    process.exitCode = checks.every((c) => c[2]) ? 0 : 1;
    api.virStoragePoolDestroy(pool);
    api.virConnectClose(conn);
  } finally {
    await rm(workDir, { recursive: true, force: true });
    if (existsSync(workDir)) console.error(`could not remove ${workDir}`);
  }
}

await main();
