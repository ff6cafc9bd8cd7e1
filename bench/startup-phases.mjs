#!/usr/bin/env node
/**
 * Where a short tsvirsh command's start-up goes, through a socket and locally, for this checkout and
 * optionally another build beside it (`--baseline DIR`, a checkout or a copy holding bin/ and dist/ of the
 * build to compare with; node_modules is found from there as usual):
 *
 *   - wall time of whole processes, interleaved round by round (`node -e 0`, then each build's
 *     `tsvirsh -c test+unix:///default?socket=S list` and `tsvirsh -c test:///default list`), medians;
 *   - the same commands through bench/lib/tsvirsh-phases.cjs, which times the build's own launcher's steps
 *     inside the process (Node's own bootstrap before the launcher, then reading code caches, reading and
 *     compiling the shell's code, running it) and counts the page faults after the bootstrap, medians per step.
 *
 * Each build's code caches (dist/tsvirsh/*.cache, or an older build's dist/tsvirsh.cjs.cache) are removed first
 * and written by one remote and one local `list`, as a user's first commands would. Needs `npm run build:ts` and
 * libvirtd (test/support/libvirtd.mjs).
 *
 *   node bench/startup-phases.mjs [--baseline DIR] [--runs N] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTRA_CA_CERTS_NOTE, startUpEnv } from './lib/start-up-env.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 20;
const builds = { this: repo };
if (option('--baseline')) builds.baseline = resolve(option('--baseline'));

const { startLibvirtd, CLIENT_ENV } = await import(join(repo, 'test/support/libvirtd.mjs'));
const phases = join(repo, 'bench/lib/tsvirsh-phases.cjs');
const env = startUpEnv(CLIENT_ENV);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function removeCodeCaches(root) {
  rmSync(join(root, 'dist/tsvirsh.cjs.cache'), { force: true });
  const chunks = join(root, 'dist/tsvirsh');
  if (existsSync(chunks)) for (const f of readdirSync(chunks)) if (f.endsWith('.cache')) rmSync(join(chunks, f));
}

const daemon = await startLibvirtd();
try {
  const uri = daemon.uris.test;
  const node = process.execPath;
  const commands = [['node -e 0', [node, ['-e', '0']], null]];
  for (const [name, root] of Object.entries(builds)) {
    removeCodeCaches(root);
    for (const target of [uri, 'test:///default']) {
      const first = spawnSync(node, [join(root, 'bin/tsvirsh.cjs'), '-c', target, 'list'], { env });
      if (first.status !== 0) throw new Error(`${name}: tsvirsh -c ${target} list failed: ${first.stderr}`);
    }
    for (const [what, target] of [['socket', uri], ['local', 'test:///default']]) {
      commands.push([`${name} ${what}`, [node, [join(root, 'bin/tsvirsh.cjs'), '-c', target, 'list']], null]);
      commands.push([`${name} ${what} phases`, [node, [phases, '-c', target, 'list']], root]);
    }
  }
  const wall = new Map(commands.map(([label]) => [label, []]));
  const steps = new Map();
  for (let round = 0; round < runs + 3; round++) {
    for (const [label, [file, argv], root] of commands) {
      const started = performance.now();
      const r = spawnSync(file, argv, { encoding: 'utf8', env: root ? { ...env, TSVIRSH_ROOT: root } : env });
      const took = performance.now() - started;
      if (r.status !== 0) throw new Error(`${label} exited with ${r.status}: ${r.stderr}`);
      if (round < 3) continue;
      wall.get(label).push(took);
      const line = /^PHASES (.*)$/m.exec(r.stderr);
      if (!line) continue;
      const byStep = steps.get(label) ?? new Map();
      steps.set(label, byStep);
      let ours = 0;
      for (const [, step, ms] of line[1].matchAll(/(\w+)[ =]([\d.]+)/g)) {
        byStep.set(step, [...(byStep.get(step) ?? []), Number(ms)]);
        if (step !== 'start' && step !== 'files' && step !== 'faults') ours += Number(ms);
      }
      byStep.set('afterBootstrap', [...(byStep.get('afterBootstrap') ?? []), ours]);
    }
  }
  const bare = median(wall.get('node -e 0'));
  const result = {
    runs,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    note: EXTRA_CA_CERTS_NOTE,
    wall: Object.fromEntries([...wall].filter(([, xs]) => xs.length).map(([label, xs]) => [label, { median: median(xs), ratio: median(xs) / bare }])),
    phases: Object.fromEntries([...steps].map(([label, byStep]) => [label, Object.fromEntries([...byStep].map(([s, xs]) => [s, median(xs)]))])),
  };
  if (args.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${runs} interleaved rounds, load average ${result.loadAverage}`);
    if (EXTRA_CA_CERTS_NOTE) console.log(`  (${EXTRA_CA_CERTS_NOTE})`);
    for (const [label, { median: m, ratio }] of Object.entries(result.wall)) {
      if (!label.endsWith('phases')) console.log(`  ${label.padEnd(18)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)} x`);
    }
    for (const [label, byStep] of Object.entries(result.phases)) {
      console.log(`  ${label.padEnd(24)} ${Object.entries(byStep).map(([s, m]) => `${s} ${m.toFixed(1)}`).join(' | ')}`);
    }
  }
} finally {
  await daemon.stop();
}
