#!/usr/bin/env node
// C ABI latency (issue #3): virJobGetInfo from a foreign thread (target: median <= 200 ns), virDomainGetInfo
// from a foreign thread (target: median <= 30 us) and from the JavaScript thread, and the same
// virDomainGetInfo program linked to the real libvirt (-lvirt) on test:///default.
// Run: node bench/abi.mjs [--json]   (needs cc and a built library: npm exec node-gyp -- rebuild)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

function record(where, line, target) {
  const { what, median_ns, p90_ns, p99_ns, samples } = JSON.parse(line);
  results.push({ what: `${what}, ${where}`, median_ns, p90_ns, p99_ns, samples, target });
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

try {
  const runner = await bundle("import './src/ts/run/main.ts';", 'run');
  const tsvirtProgram = join(work, 'bench.so');
  run('cc', ['-O2', '-shared', '-fPIC', `-I${join(root, 'include')}`, '-DTSVIRT', source, '-o', tsvirtProgram]);
  record('foreign thread, tsvirt', run(process.execPath, [runner, tsvirtProgram, 'job-info', '20000']), '<= 200 ns');
  record('foreign thread, tsvirt', run(process.execPath, [runner, tsvirtProgram, 'domain-info', '20000']), '<= 30 us');

  const bridge = await bundle(
    "export { installBridge } from './src/ffi/bridge.ts'; export { nativeLibrary } from './src/ffi/native.ts';",
    'bridge',
  );
  record('JavaScript thread, tsvirt', await onJsThread(bridge, 50000), 'recorded');

  if (existsSync('/usr/include/libvirt/libvirt.h')) {
    const real = join(work, 'bench.real');
    run('cc', ['-O2', source, '-o', real, '-lvirt']);
    record('in-process, real libvirt 9.0', run(real, ['domain-info', '20000']), 'reference');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundles, { recursive: true, force: true });
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const ns = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} us` : `${Math.round(v)} ns`);
  for (const r of results)
    console.log(`${r.what.padEnd(52)} median ${ns(r.median_ns).padStart(9)}  p90 ${ns(r.p90_ns).padStart(9)}  p99 ${ns(r.p99_ns).padStart(9)}  (${r.target})`);
}
