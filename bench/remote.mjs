#!/usr/bin/env node
/**
 * tsvirt's remote driver against a private real libvirtd (test/support/libvirtd.mjs) serving the test driver:
 *
 *   1. DOMAIN_GET_INFO round trip: tsvirt's idiomatic API (`dom.info()`) vs python3-libvirt (`dom.info()`),
 *      each on one connection to the same libvirtd, sequential calls, p50 and p99; two runs of each in turn,
 *      the run with the lower p50 of each kept (a fresh daemon and a busy machine slow whichever runs then)
 *   2. the same with 100 calls in flight on one tsvirt connection (throughput; libvirt's C client would need
 *      100 threads for that); then 1 and 2 through libvirtd's TCP and TLS listeners (a throwaway PKI)
 *   3. start-up: `tsvirsh -c test+unix:///default?socket=S list` vs `virsh` through the same socket vs `node -e 0`
 *      vs tsvirsh on the local test:///default vs the least a Node program does for the same output
 *      (bench/lib/minimal-list-client.cjs: hand-written packets, no library), interleaved runs (a busy machine
 *      slows all alike), medians
 *
 * Targets (issue #11): p50 within 1.2 x python3-libvirt's; tsvirsh through the socket within 1.3 x bare Node.
 * Needs `npm run build` and Debian's /usr/bin/python3 with python3-libvirt.
 *
 *   node bench/remote.mjs [--calls N] [--runs N] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonRoundTrip as pythonRoundTripOf } from './lib/python-round-trip.mjs';
import { EXTRA_CA_CERTS_NOTE, startUpEnv } from './lib/start-up-env.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const calls = Number(option('--calls')) || 5000;
const runs = Number(option('--runs')) || 30;
const asJson = args.includes('--json');

if (!existsSync(join(repo, 'dist/index.js')) || !existsSync(join(repo, 'dist/tsvirsh/tsvirsh.cjs'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}

const { connect } = await import(join(repo, 'dist/index.js'));
const { startLibvirtd, CLIENT_ENV } = await import(join(repo, 'test/support/libvirtd.mjs'));
const { makePki } = await import(join(repo, 'test/support/pki.mjs'));
const { freePort } = await import(join(repo, 'test/support/ports.mjs'));


// Every timed start-up runs in this environment, computed once (bench/lib/start-up-env.mjs).
const START_UP_ENV = startUpEnv(CLIENT_ENV);

const pythonRoundTrip = (uri) => pythonRoundTripOf(uri, calls, CLIENT_ENV);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function tsvirtRoundTrip(uri) {
  const conn = await connect(uri);
  const dom = await conn.lookupDomain('test');
  for (let i = 0; i < Math.min(calls, 500); i++) await dom.info();
  const ts = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    await dom.info();
    ts[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  ts.sort();
  // 100 calls in flight on the one connection.
  const inFlight = 100;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (done < calls) {
        done++;
        await dom.info();
      }
    }),
  );
  const concurrentPerSecond = calls / ((performance.now() - started) / 1000);
  dom.free();
  await conn.close();
  return { p50: percentile(ts, 0.5), p99: percentile(ts, 0.99), concurrentPerSecond };
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Wall time of whole processes, the commands interleaved (one run of each in turn, `n` rounds after 3 warm-up
 * rounds) so that a busy machine slows them alike; median and quartiles in ms.
 */
function startup(commands, n = runs) {
  const times = commands.map(() => []);
  for (let round = 0; round < n + 3; round++) {
    commands.forEach(([file, argv, env = START_UP_ENV], i) => {
      const t = performance.now();
      const r = spawnSync(file, argv, { stdio: 'ignore', env });
      if (r.status !== 0) throw new Error(`${file} ${argv.join(' ')} exited with ${r.status}`);
      if (round >= 3) times[i].push(performance.now() - t);
    });
  }
  return times.map((ts) => {
    ts.sort((a, b) => a - b);
    return { median: percentile(ts, 0.5), q1: percentile(ts, 0.25), q3: percentile(ts, 0.75) };
  });
}

const MINIMAL_CLIENT = join(repo, 'bench/lib/minimal-list-client.cjs');

/** The minimal client must print what virsh prints, or it is not the floor of the same work. */
function checkMinimalClient(socket, uri) {
  if (!has('virsh')) return;
  const printed = (file, argv) => spawnSync(file, argv, { env: CLIENT_ENV, encoding: 'utf8' }).stdout;
  const ours = printed(process.execPath, [MINIMAL_CLIENT, socket]);
  const theirs = printed('virsh', ['-c', uri, 'list']);
  if (ours !== theirs) throw new Error(`the minimal client printed\n${ours}\nwhere virsh printed\n${theirs}`);
}

/** tsvirt's and python3-libvirt's round trips through `uri`, two runs of each in turn, the better p50 of each. */
async function roundTrips(uri) {
  const runsOf = { tsvirt: [], python: [] };
  for (let round = 0; round < 2; round++) {
    runsOf.tsvirt.push(await tsvirtRoundTrip(uri));
    runsOf.python.push(pythonRoundTrip(uri));
  }
  const best = (list) => list.reduce((a, b) => (b.p50 < a.p50 ? b : a));
  const tsvirt = best(runsOf.tsvirt);
  const python = best(runsOf.python);
  return { tsvirt, python, ratioP50: tsvirt.p50 / python.p50 };
}

const pkiDir = mkdtempSync(join(tmpdir(), 'tsvirt-bench-pki-'));
const pki = await makePki(pkiDir);
const [tcpPort, tlsPort] = [await freePort(), await freePort()];
const daemon = await startLibvirtd({
  listen: { tcpPort, tls: { port: tlsPort, caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey } },
});
try {
  const uri = daemon.uris.test;
  checkMinimalClient(daemon.socket, uri);
  const results = { calls, ...(await roundTrips(uri)) };
  results.transports = {
    tcp: await roundTrips(`test+tcp://127.0.0.1:${tcpPort}/default`),
    tls: await roundTrips(`test+tls://127.0.0.1:${tlsPort}/default?pkipath=${pki.clientDir}`),
  };
  const node = process.execPath;
  const tsvirsh = join(repo, 'bin/tsvirsh.cjs');
  const commands = {
    node: [node, ['-e', '0']],
    tsvirsh: [node, [tsvirsh, '-c', uri, 'list']],
    tsvirshLocal: [node, [tsvirsh, '-c', 'test:///default', 'list']],
    minimalClient: [node, [MINIMAL_CLIENT, daemon.socket]],
    ...(has('virsh') ? { virsh: ['virsh', ['-c', uri, 'list']] } : {}),
    // Bare Node as this machine's environment starts it, for comparison with figures measured that way.
    ...(EXTRA_CA_CERTS_NOTE ? { nodeInheritedEnv: [node, ['-e', '0'], CLIENT_ENV] } : {}),
  };
  const timed = startup(Object.values(commands));
  results.startup = {
    virsh: null,
    nodeInheritedEnv: null,
    note: EXTRA_CA_CERTS_NOTE,
    ...Object.fromEntries(Object.keys(commands).map((name, i) => [name, timed[i]])),
  };
  const { node: bare, tsvirsh: remote, tsvirshLocal: local } = results.startup;
  results.startup.ratio = remote.median / bare.median;
  results.startup.localRatio = local.median / bare.median;
  results.startup.minimalRatio = results.startup.minimalClient.median / bare.median;
  if (asJson) console.log(JSON.stringify(results, null, 2));
  else {
    const us = (v) => `${v.toFixed(1)} µs`;
    const ms = (v) => `${v.median.toFixed(1)} ms (quartiles ${v.q1.toFixed(1)}–${v.q3.toFixed(1)})`;
    console.log(`DOMAIN_GET_INFO x ${calls} through libvirtd, one connection, sequential (the better of two runs each):`);
    console.log(`  tsvirt dom.info():          p50 ${us(results.tsvirt.p50)}  p99 ${us(results.tsvirt.p99)}`);
    console.log(`  python3-libvirt dom.info(): p50 ${us(results.python.p50)}  p99 ${us(results.python.p99)}`);
    console.log(`  tsvirt / python p50: ${results.ratioP50.toFixed(2)} x (target <= 1.2 x)`);
    console.log(`  tsvirt, 100 calls in flight on one connection: ${Math.round(results.tsvirt.concurrentPerSecond)} calls/s`);
    for (const [name, r] of Object.entries(results.transports)) {
      console.log(
        `  through ${name.toUpperCase()}: tsvirt p50 ${us(r.tsvirt.p50)}, python3-libvirt p50 ${us(r.python.p50)}: ${r.ratioP50.toFixed(2)} x; 100 in flight ${Math.round(r.tsvirt.concurrentPerSecond)} calls/s`,
      );
    }
    console.log(`start-up, median of ${runs} interleaved runs:`);
    if (EXTRA_CA_CERTS_NOTE) console.log(`  (${EXTRA_CA_CERTS_NOTE})`);
    console.log(`  node -e 0:                         ${ms(results.startup.node)}`);
    console.log(`  tsvirsh list through the socket:   ${ms(results.startup.tsvirsh)}  (${results.startup.ratio.toFixed(2)} x node; target <= 1.3 x)`);
    if (results.startup.virsh) console.log(`  virsh list through the socket:     ${ms(results.startup.virsh)}`);
    console.log(`  tsvirsh list, test:///default:    ${ms(results.startup.tsvirshLocal)}  (${results.startup.localRatio.toFixed(2)} x node)`);
    console.log(`  minimal Node client, same output: ${ms(results.startup.minimalClient)}  (${results.startup.minimalRatio.toFixed(2)} x node; tsvirsh takes ${(remote.median - results.startup.minimalClient.median).toFixed(1)} ms more)`);
    if (results.startup.nodeInheritedEnv) console.log(`  node -e 0 with NODE_EXTRA_CA_CERTS: ${ms(results.startup.nodeInheritedEnv)}`);
  }
} finally {
  await daemon.stop();
  rmSync(pkiDir, { recursive: true, force: true });
}
