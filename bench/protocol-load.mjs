#!/usr/bin/env node
/**
 * What the generated remote protocol costs a process that loads it, for this checkout and optionally another
 * source tree beside it (`--baseline DIR`, e.g. `git archive <commit> | tar -x -C DIR`; only its src/ is read):
 *
 *   - bytes: src/ts/rpc/generated/remote-protocol.ts, and what the generated modules (with the schema runtime,
 *     when there is one) put into a CLI bundle built as tsup builds dist/tsvirsh.cjs (esbuild metafile,
 *     `bytesInOutput`);
 *   - time: a small CommonJS bundle that imports remote-protocol, then builds DOMAIN_GET_INFO's args and ret
 *     codecs and round-trips a value through them. Each run is a fresh `node` process; it reports the time from
 *     the bundle's first line to the end of the module's top level ("load"), the build and round trip
 *     ("get_info"), and the whole process's wall time. Rounds interleave the trees; medians;
 *   - codec speed once built: 100,000 DOMAIN_GET_INFO args + ret round trips and 10,000 of a 20-domain
 *     CONNECT_LIST_ALL_DOMAINS reply, in 5 more runs of the same bundle per tree (median).
 *
 *   node bench/protocol-load.mjs [--baseline DIR] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 20;
const trees = { this: repo };
if (option('--baseline')) trees.baseline = resolve(option('--baseline'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// As tsup.config.ts builds dist/tsvirsh.cjs (its dependencies stay outside the bundle, as tsup leaves them).
const cliOptions = {
  format: 'cjs', platform: 'node', target: 'node20', bundle: true, packages: 'external',
  minifyWhitespace: true, minifySyntax: true, define: { 'import.meta.url': '__tsvirshModuleUrl' },
  banner: { js: "const __tsvirshModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const probe = `
import { remoteProgram, remote_procedure } from './src/ts/rpc/generated/remote-protocol.js';
import { XdrReader, XdrWriter } from './src/ts/rpc/xdr.js';
const loaded = performance.now();
const p = remoteProgram.procedures.get(remote_procedure.REMOTE_PROC_DOMAIN_GET_INFO);
const w = new XdrWriter();
p.args.encode(w, { dom: { name: 'test', uuid: Buffer.alloc(16), id: 1 } });
p.args.decode(new XdrReader(w.bytes()));
const w2 = new XdrWriter();
p.ret.encode(w2, { state: 1, maxMem: 8n, memory: 4n, nrVirtCpu: 2, cpuTime: 1n });
p.ret.decode(new XdrReader(w2.bytes()));
const done = performance.now();
let loop = 0;
if (process.env.PROBE_LOOP) {
  const dom = { name: 'test', uuid: Buffer.alloc(16, 3), id: 1 };
  const info = { state: 1, maxMem: 8n, memory: 4n, nrVirtCpu: 2, cpuTime: 1n };
  const list = { domains: Array.from({ length: 20 }, () => dom), ret: 20 };
  const listRet = remoteProgram.procedures.get(remote_procedure.REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS).ret;
  const started = performance.now();
  for (let i = 0; i < 100000; i++) {
    const a = new XdrWriter();
    p.args.encode(a, { dom });
    p.args.decode(new XdrReader(a.bytes()));
    const r = new XdrWriter();
    p.ret.encode(r, info);
    p.ret.decode(new XdrReader(r.bytes()));
    if (i % 10 === 0) {
      const l = new XdrWriter();
      listRet.encode(l, list);
      listRet.decode(new XdrReader(l.bytes()));
    }
  }
  loop = performance.now() - started;
}
console.log(JSON.stringify({ load: loaded - globalThis.__probeStart, get_info: done - loaded, loop }));
`;

const dir = mkdtempSync(join(tmpdir(), 'tsvirt-protocol-load-'));
try {
  const bundles = {};
  for (const [name, root] of Object.entries(trees)) {
    const cli = await build({ ...cliOptions, entryPoints: [join(root, 'src/ts/cli/main.ts')], outfile: join(dir, `${name}-cli.cjs`), metafile: true });
    const [output] = Object.values(cli.metafile.outputs);
    let generated = 0;
    let remote = 0;
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (/src\/ts\/rpc\/(generated\/|xdr-schema)/.test(file)) generated += bytesInOutput;
      if (file.endsWith('generated/remote-protocol.ts')) remote = bytesInOutput;
    }
    console.log(`${name}: remote-protocol.ts ${statSync(join(root, 'src/ts/rpc/generated/remote-protocol.ts')).size} B source; ` +
      `CLI bundle ${output.bytes} B, of which remote-protocol.ts ${remote} B, generated modules + schema runtime ${generated} B`);
    bundles[name] = join(dir, `${name}-probe.cjs`);
    await build({
      ...cliOptions, stdin: { contents: probe, resolveDir: root, loader: 'ts' }, outfile: bundles[name],
      banner: { js: 'globalThis.__probeStart = performance.now();' }, define: {},
    });
  }
  const results = Object.fromEntries(Object.keys(trees).map((n) => [n, { load: [], get_info: [], wall: [], loop: [] }]));
  for (let round = 0; round < runs + 2; round++) {
    for (const [name, file] of Object.entries(bundles)) {
      const started = performance.now();
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
      const wall = performance.now() - started;
      if (r.status !== 0) throw new Error(`${name}: probe failed: ${r.stderr}`);
      if (round < 2) continue;
      const times = JSON.parse(r.stdout);
      results[name].load.push(times.load);
      results[name].get_info.push(times.get_info);
      results[name].wall.push(wall);
    }
  }
  for (let round = 0; round < 5; round++) {
    for (const [name, file] of Object.entries(bundles)) {
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, PROBE_LOOP: '1' } });
      if (r.status !== 0) throw new Error(`${name}: probe failed: ${r.stderr}`);
      results[name].loop.push(JSON.parse(r.stdout).loop);
    }
  }
  console.log(`${runs} interleaved rounds, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(9)} load ${median(r.load).toFixed(2)} ms | GET_INFO codecs ${median(r.get_info).toFixed(2)} ms | process ${median(r.wall).toFixed(1)} ms | round trips ${median(r.loop).toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
