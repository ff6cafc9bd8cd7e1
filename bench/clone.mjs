#!/usr/bin/env node
// Volume clone data path (src/ts/native/copy.ts, native/src/copy/*.c) against `cp` + `sync FILE`, in one run:
//   - a 2 GiB dense file and a 2 GiB sparse file holding 200 MiB of data: time until durable, throughput,
//     allocation of the copy, peak extra memory;
//   - both clones at once: event-loop delay (p99, max) on the JS thread meanwhile.
// Targets: dense >= 95% of cp+sync throughput; sparse allocation = source's and time <= 1.5x cp+sync;
// peak extra memory < 64 MiB; loop p99 < 10 ms.
// Run: npm exec node-gyp -- rebuild && node bench/clone.mjs [work-dir]   (default: a temp dir under ./tmp)
// Needs 8 GiB free in the work dir; everything it writes is deleted at the end.
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
  run,
  timeCp,
  workDirFor,
  writeFileWithData,
} from './lib/files.mjs';

const ROUNDS = 2;






async function timeClone(copy, src, dst) {
  const t0 = performance.now();
  const { extra } = await peakExtraRss(() => copy.startClone({ source: src, target: dst }).done);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rss: extra, alloc: await allocated(dst) };
}


async function main() {
  const workDir = await workDirFor('bench-clone');
  try {
    const copy = await bundleSources(workDir, 'copy', "export * from './src/ts/native/copy.ts';");
    const dense = join(workDir, 'dense.img');
    const sparse = join(workDir, 'sparse.img');
    await writeFileWithData(dense, 2 * GiB, [[0, 2 * GiB]]);
    // 200 MiB of data in 20 extents of 10 MiB, spread over 2 GiB.
    await writeFileWithData(
      sparse,
      2 * GiB,
      Array.from({ length: 20 }, (_, i) => [i * 100 * MiB + 7 * MiB, 10 * MiB]),
    );

    const rows = [];
    for (const [label, src, dataBytes] of [
      ['dense 2 GiB', dense, 2 * GiB],
      ['sparse 2 GiB, 200 MiB data', sparse, 200 * MiB],
    ]) {
      const results = { 'cp+sync': [], tsvirt: [] };
      // Alternate the tools so that both meet the same page-cache state.
      for (let round = 0; round < ROUNDS; round++) {
        for (const tool of ['cp+sync', 'tsvirt']) {
          const dst = join(workDir, `copy-${round}-${tool}`);
          results[tool].push(tool === 'tsvirt' ? await timeClone(copy, src, dst) : await timeCp(src, dst));
          // A fast copy is worth nothing if it is wrong: compare the first clone of each file (cmp exits 1).
          if (round === 0 && tool === 'tsvirt') await run('cmp', ['--silent', src, dst]);
          await rm(dst);
        }
      }
      const srcAlloc = await allocated(src);
      for (const tool of ['cp+sync', 'tsvirt']) {
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

    // Both clones at once, with the event loop watched.
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const t0 = performance.now();
    const { extra } = await peakExtraRss(() =>
      Promise.all([
        copy.startClone({ source: dense, target: join(workDir, 'both-dense') }).done,
        copy.startClone({ source: sparse, target: join(workDir, 'both-sparse') }).done,
      ]),
    );
    const bothSeconds = (performance.now() - t0) / 1000;
    histogram.disable();

    console.log(`clone bench, ${ROUNDS} rounds (median time), work dir ${workDir}\n`);
    console.log('case                        tool      time s   MiB/s  alloc MiB  src alloc MiB  peak RSS MiB');
    for (const r of rows)
      console.log(
        `${r.label.padEnd(27)} ${r.tool.padEnd(8)} ${fmt(r.seconds).padStart(7)} ${fmt(r.mibps, 0).padStart(7)} ` +
          `${fmt(r.allocMiB, 1).padStart(10)} ${fmt(r.srcAllocMiB, 1).padStart(14)} ${fmt(r.rssMiB, 1).padStart(13)}`,
      );
    const loopP99 = histogram.percentile(99) / 1e6;
    console.log(
      `\nboth clones at once: ${fmt(bothSeconds)} s, event loop p99 ${fmt(loopP99)} ms, max ` +
        `${fmt(histogram.max / 1e6)} ms, peak extra RSS ${fmt(extra / MiB, 1)} MiB`,
    );
    console.log('(peak RSS: cp = its whole process; tsvirt = growth of this process during the clone)\n');

    const row = (label, tool) => rows.find((r) => r.label.startsWith(label) && r.tool === tool);
    const denseRatio = row('dense', 'tsvirt').mibps / row('dense', 'cp+sync').mibps;
    const sparseRatio = row('sparse', 'tsvirt').seconds / row('sparse', 'cp+sync').seconds;
    const checks = [
      [`dense throughput ${fmt(denseRatio * 100, 0)}% of cp+sync`, '>= 95%', denseRatio >= 0.95],
      [
        `sparse allocation ${fmt(row('sparse', 'tsvirt').allocMiB, 1)} MiB, source ${fmt(row('sparse', 'tsvirt').srcAllocMiB, 1)} MiB`,
        'equal',
        row('sparse', 'tsvirt').allocMiB === row('sparse', 'tsvirt').srcAllocMiB,
      ],
      [`sparse time ${fmt(sparseRatio)}x cp+sync`, '<= 1.5x', sparseRatio <= 1.5],
      [
        `peak extra RSS ${fmt(Math.max(extra, ...rows.filter((r) => r.tool === 'tsvirt').map((r) => r.rssMiB * MiB)) / MiB, 1)} MiB`,
        '< 64 MiB',
        Math.max(extra, ...rows.filter((r) => r.tool === 'tsvirt').map((r) => r.rssMiB * MiB)) < 64 * MiB,
      ],
      [`event loop p99 ${fmt(loopP99)} ms`, '< 10 ms', loopP99 < 10],
    ];
    for (const [what, target, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${what} (target ${target})`);
    process.exitCode = checks.every((c) => c[2]) ? 0 : 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
    if (existsSync(workDir)) console.error(`could not remove ${workDir}`);
  }
}

await main();
