#!/usr/bin/env node
/**
 * How long a whole tsvirsh process takes, next to the real virsh and to a bare Node start:
 *
 *   1. `tsvirsh -c test:///default list`  vs  `virsh -c test:///default list`  vs  `node -e 0`
 *   2. one tsvirsh process running 100 `list` commands  vs  100 virsh processes
 *
 * Targets (issue #4): tsvirsh at most 1.3 x bare Node; the 100-command batch faster than 100 virsh runs.
 * Uses hyperfine when installed (apt-get install hyperfine), else times runs itself. Needs `npm run build`.
 *
 *   node bench/cli-startup.mjs [--runs N] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTRA_CA_CERTS_NOTE, startUpEnv } from './lib/start-up-env.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(repo, 'bin/tsvirsh.cjs');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 30;
const asJson = args.includes('--json');
const env = startUpEnv();

if (!existsSync(join(repo, 'dist/tsvirsh/tsvirsh.cjs'))) {
  console.error('bench: dist/tsvirsh/ is missing; run `npm run build` first');
  process.exit(2);
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const haveVirsh = has('virsh');
const haveHyperfine = has('hyperfine');
const node = process.execPath;
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const batch = Array(100).fill('list').join('; ');

const cases = [
  { name: 'node -e 0', cmd: `${q(node)} -e 0` },
  { name: 'tsvirsh list', cmd: `${q(node)} ${q(launcher)} -c test:///default list` },
  haveVirsh && { name: 'virsh list', cmd: 'virsh -c test:///default list' },
  { name: 'tsvirsh, 100 lists in one process', cmd: `${q(node)} ${q(launcher)} -c test:///default ${q(batch)}`, runs: Math.ceil(runs / 3) },
  haveVirsh && {
    name: '100 virsh processes',
    cmd: 'for i in $(seq 100); do virsh -c test:///default list; done',
    runs: Math.ceil(runs / 3),
  },
].filter(Boolean);

/** Mean and spread in milliseconds, from hyperfine or from timing the runs here. */
function measure(c) {
  const n = c.runs ?? runs;
  if (haveHyperfine) {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bench-'));
    const out = join(dir, 'r.json');
    // hyperfine runs each command through a shell and subtracts the shell's own start-up.
    execFileSync('hyperfine', ['--warmup', '3', '--runs', String(n), '--export-json', out, '--style', 'none', c.cmd], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    const r = JSON.parse(readFileSync(out, 'utf8')).results[0];
    rmSync(dir, { recursive: true, force: true });
    return { mean: r.mean * 1000, stddev: r.stddev * 1000, min: r.min * 1000, runs: n };
  }
  const times = [];
  for (let i = 0; i < n + 3; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync('sh', ['-c', `${c.cmd} >/dev/null 2>&1`], { env });
    if (i >= 3) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const stddev = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / times.length);
  return { mean, stddev, min: Math.min(...times), runs: n };
}

const results = cases.map((c) => ({ name: c.name, ...measure(c) }));
const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const ratio = byName['tsvirsh list'].mean / byName['node -e 0'].mean;
const checks = [
  { target: 'tsvirsh list <= 1.3 x node -e 0', value: `${ratio.toFixed(2)} x`, met: ratio <= 1.3 },
];
if (haveVirsh) {
  const speedup = byName['100 virsh processes'].mean / byName['tsvirsh, 100 lists in one process'].mean;
  checks.push({ target: '100 commands in one tsvirsh < 100 virsh processes', value: `${speedup.toFixed(1)} x faster`, met: speedup > 1 });
}

if (asJson) {
  console.log(JSON.stringify({ tool: haveHyperfine ? 'hyperfine' : 'hrtime', note: EXTRA_CA_CERTS_NOTE, results, checks }, null, 2));
} else {
  console.log(`timing with ${haveHyperfine ? 'hyperfine' : 'a loop of spawned shells'} (node ${process.version})\n`);
  if (EXTRA_CA_CERTS_NOTE) console.log(`(${EXTRA_CA_CERTS_NOTE})\n`);
  for (const r of results) console.log(`${r.name.padEnd(36)} ${r.mean.toFixed(1).padStart(8)} ms  ± ${r.stddev.toFixed(1)} (min ${r.min.toFixed(1)}, ${r.runs} runs)`);
  console.log('');
  for (const c of checks) console.log(`${c.met ? 'met ' : 'MISS'}  ${c.target}: ${c.value}`);
}
process.exitCode = checks.every((c) => c.met) ? 0 : 1;
