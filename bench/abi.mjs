#!/usr/bin/env node
// C ABI latency (issues #3 and #8), from a C thread that is not Node's ("foreign"), side by side with the same
// program linked to the real libvirt (-lvirt, test:///default, in process):
//  - virJobGetInfo (target: median <= 200 ns);
//  - getters answered from published state, virDomainGetInfo and virDomainGetState (target: at or below
//    real libvirt's median);
//  - calls served by the drivers through the ring, virConnectNumOfDomains and virDomainSuspend/Resume
//    (target: median <= 10 us), with the event loop's delay p99 meanwhile;
//  - virDomainGetInfo on the JavaScript thread (recorded).
// Everything runs twice: as the machine is, then with a busy loop beside it (a CPU that never sleeps).
// Run: node bench/abi.mjs [--json]   (needs cc and a built library: npm exec node-gyp -- rebuild)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'bench/abi/bench.c');
const work = mkdtempSync(join(tmpdir(), 'tsvirt-bench-abi-'));
// Bundles live inside the package, where the library loader finds the native library from.
const cache = join(root, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const bundles = mkdtempSync(join(cache, 'tsvirt-bench-abi-'));
const results = [];

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Bundles TypeScript `contents` (imports relative to the repository) into an ES module for node. */
async function bundle(contents, name) {
  const outfile = join(bundles, `${name}.mjs`);
  await build({ stdin: { contents, resolveDir: root, loader: 'ts' }, outfile, bundle: true, platform: 'node',
    format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return outfile;
}

function record(where, output, target) {
  const [line, loop] = output.split('\n');
  const { what, median_ns, p90_ns, p99_ns, samples } = JSON.parse(line);
  const loopP99 = loop ? JSON.parse(loop).loop_p99_ns : undefined;
  results.push({ what: `${what}, ${where}`, median_ns, p90_ns, p99_ns, samples, target, loop_p99_ns: loopP99 });
}

/** Runs fn with a busy loop in another process beside it. */
async function besideBusyLoop(fn) {
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  try {
    return await fn();
  } finally {
    busy.kill();
  }
}

function percentiles(samples) {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.floor(samples.length * q)];
  return JSON.stringify({ samples: samples.length, median_ns: at(0.5), p90_ns: at(0.9), p99_ns: at(0.99) });
}

/** virDomainGetInfo called through the C ABI on the JavaScript thread, in this process. */
async function onJsThread(bridgeModule, n) {
  const { installBridge, nativeLibrary } = await import(pathToFileURL(bridgeModule).href);
  installBridge();
  const lib = nativeLibrary();
  const open = lib.func('void *virConnectOpen(const char *name)');
  const lookup = lib.func('void *virDomainLookupByName(void *conn, const char *name)');
  const getInfo = lib.func('int virDomainGetInfo(void *dom, _Out_ virDomainInfo *info)');
  const free = lib.func('int virDomainFree(void *dom)');
  const close = lib.func('int virConnectClose(void *conn)');
  const conn = open('test:///default');
  const dom = lookup(conn, 'test');
  const info = {};
  for (let i = 0; i < n / 10; i++) getInfo(dom, info);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    getInfo(dom, info);
    samples.push(Number(process.hrtime.bigint() - t0));
  }
  free(dom);
  close(conn);
  return JSON.stringify({ what: 'virDomainGetInfo', ...JSON.parse(percentiles(samples)) });
}

/** tsvirt-run, also printing the event loop's delay p99 on stdout's second line once the program ended. */
const RUNNER = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runProgram } from './src/ffi/program.ts';
const [program, ...args] = process.argv.slice(2);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const status = await runProgram(program, args);
delay.disable();
process.stdout.write(JSON.stringify({ loop_p99_ns: delay.percentile(99) }) + '\\n');
process.exit(status);
`;

async function pass(where, runner, tsvirtProgram, real, bridge) {
  const tsvirt = (mode, n) => run(process.execPath, [runner, tsvirtProgram, mode, String(n)]);
  const libvirt = (mode, n) => record(`in-process, real libvirt 9.0${where}`, run(real, [mode, String(n)]), 'reference');
  record(`foreign thread, tsvirt${where}`, tsvirt('job-info', 20000), '<= 200 ns');
  for (const mode of ['domain-info', 'domain-state']) {
    record(`foreign thread, tsvirt${where}`, tsvirt(mode, 20000), '<= libvirt');
    if (real) libvirt(mode, 20000);
  }
  for (const mode of ['num-domains', 'suspend-resume']) {
    record(`foreign thread, tsvirt${where}`, tsvirt(mode, 20000), '<= 10 us');
    if (real) libvirt(mode, 20000);
  }
  record(`JavaScript thread, tsvirt${where}`, await onJsThread(bridge, 50000), 'recorded');
}

try {
  const runner = await bundle(RUNNER, 'run');
  const tsvirtProgram = join(work, 'bench.so');
  run('cc', ['-O2', '-shared', '-fPIC', `-I${join(root, 'include')}`, '-DTSVIRT', source, '-o', tsvirtProgram]);
  const bridge = await bundle(
    "export { installBridge } from './src/ffi/bridge.ts'; export { nativeLibrary } from './src/ts/native/library.ts';",
    'bridge',
  );
  let real = null;
  if (existsSync('/usr/include/libvirt/libvirt.h')) {
    real = join(work, 'bench.real');
    run('cc', ['-O2', source, '-o', real, '-lvirt']);
  }
  await pass('', runner, tsvirtProgram, real, bridge);
  await besideBusyLoop(() => pass(', busy loop beside', runner, tsvirtProgram, real, bridge));
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundles, { recursive: true, force: true });
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const ns = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} us` : `${Math.round(v)} ns`);
  console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const r of results) {
    const loop = r.loop_p99_ns === undefined ? '' : `  loop p99 ${(r.loop_p99_ns / 1e6).toFixed(2)} ms`;
    console.log(
      `${r.what.padEnd(70)} median ${ns(r.median_ns).padStart(9)}  p90 ${ns(r.p90_ns).padStart(9)}  p99 ${ns(r.p99_ns).padStart(9)}  (${r.target})${loop}`,
    );
  }
}
