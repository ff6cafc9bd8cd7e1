#!/usr/bin/env node
// Domain event latency from C (bench/events/bench.c): from just before virDomainSuspend()/Resume() on the
// main thread to the lifecycle callback on a thread blocked in virEventRunDefaultImpl(), through tsvirt-run
// and, side by side, the same program linked to the real libvirt (test:///default, in process).
// Run: node bench/events.mjs [ROUNDS]   (needs cc and a built library)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'bench/events/bench.c');
const rounds = process.argv[2] ?? '2000';
const work = mkdtempSync(join(tmpdir(), 'tsvirt-bench-events-'));
const cache = join(root, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const bundles = mkdtempSync(join(cache, 'tsvirt-bench-events-'));

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

try {
  const runner = join(bundles, 'run.mjs');
  await build({ entryPoints: [join(root, 'src/ts/run/main.ts')], outfile: runner, bundle: true, platform: 'node',
    format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  const ours = join(work, 'bench.so');
  spawnSync('cc', ['-O2', '-pthread', '-shared', '-fPIC', `-I${join(root, 'include')}`, source, '-o', ours], { stdio: 'inherit' });
  const rows = [['tsvirt (tsvirt-run)', run(process.execPath, [runner, ours, rounds])]];
  if (existsSync('/usr/include/libvirt/libvirt.h')) {
    const theirs = join(work, 'bench.real');
    spawnSync('cc', ['-O2', '-pthread', source, '-o', theirs, '-lvirt'], { stdio: 'inherit' });
    rows.push(['real libvirt 9.0', run(theirs, [rounds])]);
  }
  const us = (ns) => (ns / 1000).toFixed(1);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| what | median | p90 | p99 | samples |\n|---|---|---|---|---|');
  for (const [what, r] of rows) console.log(`| ${what} | ${us(r.median_ns)} µs | ${us(r.p90_ns)} µs | ${us(r.p99_ns)} µs | ${r.samples} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundles, { recursive: true, force: true });
}
