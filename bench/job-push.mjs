#!/usr/bin/env node
/**
 * Progress push of tsvirtd's job program (issue #10: "a job's progress reaches a subscribed client within
 * 50 ms of the change; 1,000 idle connections cost under 50 MiB of daemon memory").
 *
 *   1. Latency from a job's progress change to a subscribed client reading it, in other processes: for every
 *      change, the time until the client read figures at least that new (a change superseded by a newer one
 *      before the push counts until the push of the newer one). p50 / p99 / max, per scenario:
 *      one job changing every 50 ms (the test driver's tick), one changing every 1 ms (coalesced to one push
 *      per 20 ms), 100 jobs x 4 clients changing every 10 ms.
 *   2. The real tsvirtd (dist/): RSS with 1,000 idle connections (CONNECT_OPEN done), then with each of them
 *      also subscribed to a running save job.
 *
 *   npm run build:ts && node bench/job-push.mjs [--seconds S] [--json]
 *
 * Needs the dev dependencies (esbuild bundles bench/lib/job-push-roles.ts from the sources).
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { root } from './lib/files.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const seconds = Number(option('--seconds')) || 5;
const asJson = args.includes('--json');

mkdirSync(join(root, 'tmp'), { recursive: true });
const work = mkdtempSync(join(root, 'tmp', 'job-push-'));
const bundle = join(work, 'roles.mjs');
await build({
  entryPoints: [join(root, 'bench/lib/job-push-roles.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: bundle,
  external: ['koffi', 'node-gyp-build'],
  logLevel: 'error',
});

const once = (child, pred = () => true) => new Promise((resolve, reject) => {
  child.on('message', (m) => pred(m) && resolve(m));
  child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
});
const exited = (child) => new Promise((resolve) => child.once('exit', resolve));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function scenario(name, jobs, clients, periodMs) {
  const socket = join(work, `${name}.sock`);
  const daemonOut = join(work, `${name}.daemon.json`);
  const daemon = fork(bundle, ['daemon', socket, String(jobs), String(periodMs), daemonOut], { stdio: 'inherit' });
  const { ids } = await once(daemon, (m) => m.ready);
  const children = Array.from({ length: clients }, (_, i) => fork(bundle, ['client', socket, JSON.stringify(ids), join(work, `${name}.client${i}.json`)], { stdio: 'inherit' }));
  await Promise.all(children.map((c) => once(c, (m) => m.ready)));
  daemon.send('go');
  await sleep(seconds * 1000);
  daemon.send('stop');
  await exited(daemon);
  for (const c of children) c.send('stop');
  await Promise.all(children.map(exited));
  const { changes } = JSON.parse(readFileSync(daemonOut, 'utf8'));
  const delays = [];
  let pushes = 0;
  for (let i = 0; i < clients; i++) {
    const received = JSON.parse(readFileSync(join(work, `${name}.client${i}.json`), 'utf8'));
    pushes += received.length;
    ids.forEach((id, j) => {
      const got = received.filter((r) => r[0] === id); // in read order; values only grow
      let k = 0;
      for (const t of changes[j]) {
        while (k < got.length && got[k][1] < t) k++;
        if (k === got.length) break; // changed in the last moments, never pushed before the stop
        delays.push((got[k][2] - t) / 1000);
      }
    });
  }
  delays.sort((a, b) => a - b);
  const changeCount = changes.reduce((n, c) => n + c.length, 0);
  return {
    name, jobs, clients, periodMs, changes: changeCount, pushes, measured: delays.length,
    p50Ms: pct(delays, 50), p99Ms: pct(delays, 99), maxMs: delays.at(-1),
    within50Ms: delays.filter((d) => d <= 50).length / delays.length,
  };
}

const rssKiB = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** The real tsvirtd: 1,000 connections opened on test:///default, then each subscribed to one running save. */
async function idleConnections(count = 1000) {
  if (!existsSync(join(root, 'dist/tsvirtd.js'))) throw new Error('dist/tsvirtd.js is missing: run `npm run build:ts`');
  const socket = join(work, 'idle.sock');
  const daemon = spawn(process.execPath, [join(root, 'bin/tsvirtd.js'), '--listen', socket, '--no-readonly', '--state-dir', join(work, 'idle-state')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (c) => (log += c));
  while (!log.includes('listening on')) await sleep(20);
  const { rawCall, subscribeAll } = await clientHelpers();
  const before = rssKiB(daemon.pid);
  const sockets = [];
  for (let i = 0; i < count; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, async () => {
      const s = connect(socket);
      await new Promise((r, j) => { s.once('connect', r); s.once('error', j); });
      await rawCall(s, 'open', 'test:///default?rate=16M');
      return s;
    }))));
  }
  await sleep(500);
  const opened = rssKiB(daemon.pid);
  const jobId = await rawCall(sockets[0], 'save', join(work, 'idle.save'));
  await subscribeAll(sockets, jobId);
  await sleep(1000); // a few progress pushes to every subscriber
  const subscribed = rssKiB(daemon.pid);
  await rawCall(sockets[0], 'cancel', jobId);
  for (const s of sockets) s.destroy();
  daemon.kill('SIGTERM');
  await exited(daemon);
  return { count, rssBeforeMiB: before / 1024, rssOpenedMiB: opened / 1024, rssSubscribedMiB: subscribed / 1024 };
}

/** Plain-JS calls for the idle-connection part, using the same bundle's codecs through a tiny RPC. */
async function clientHelpers() {
  const { clientCalls } = await import(await bundleClient());
  return clientCalls;
}

function bundleClient() {
  const out = join(work, 'calls.mjs');
  return build({
    stdin: {
      contents: `
        import { remote_procedure } from './src/ts/rpc/generated/remote-protocol.js';
        import { tsvirt_job_procedure } from './src/ts/rpc/generated/job-protocol.js';
        import { decodePacket, decodePayload, encodePacketWith, PacketFramer, VIR_NET_CALL, VIR_NET_OK, VIR_NET_REPLY } from './src/ts/rpc/packet.js';
        import { remoteProgram, tsvirtJobProgram } from './src/ts/rpc/programs.js';
        let serial = 1;
        const state = new WeakMap();
        function call(s, prog, proc, args) {
          if (!state.has(s)) {
            const st = { framer: new PacketFramer(), waiting: new Map() };
            state.set(s, st);
            s.on('data', (chunk) => { for (const b of st.framer.push(chunk)) { const p = decodePacket(b); if (p.header.type === VIR_NET_REPLY) st.waiting.get(p.header.serial)?.(decodePayload(p)); } });
          }
          const st = state.get(s);
          const n = serial++;
          return new Promise((resolve, reject) => {
            st.waiting.set(n, (payload) => { st.waiting.delete(n); payload.kind === 'error' ? reject(new Error(payload.value.message)) : resolve(payload.value); });
            s.write(encodePacketWith({ prog: prog.program, vers: prog.version, proc, type: VIR_NET_CALL, serial: n, status: VIR_NET_OK }, prog.procedures.get(proc).args, args));
          });
        }
        export const clientCalls = {
          async rawCall(s, what, arg) {
            if (what === 'open') return call(s, remoteProgram, remote_procedure.REMOTE_PROC_CONNECT_OPEN, { name: arg, flags: 0 });
            if (what === 'save') {
              const { dom } = await call(s, remoteProgram, remote_procedure.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, { name: 'test' });
              return (await call(s, tsvirtJobProgram, tsvirt_job_procedure.TSVIRT_JOB_PROC_DOMAIN_SAVE, { dom, to: arg, flags: 0, job_flags: 0 })).job.id;
            }
            if (what === 'cancel') return call(s, tsvirtJobProgram, tsvirt_job_procedure.TSVIRT_JOB_PROC_CANCEL, { id: arg });
          },
          async subscribeAll(sockets, id) {
            await Promise.all(sockets.map((s) => call(s, tsvirtJobProgram, tsvirt_job_procedure.TSVIRT_JOB_PROC_SUBSCRIBE, { id })));
          },
        };`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
  }).then(() => out);
}

const results = { scenarios: [], idle: null };
try {
  results.scenarios.push(await scenario('tick-50ms', 1, 1, 50));
  results.scenarios.push(await scenario('burst-1ms', 1, 1, 1));
  results.scenarios.push(await scenario('100-jobs-4-clients', 100, 4, 10));
  results.idle = await idleConnections();
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (asJson) console.log(JSON.stringify(results, null, 2));
else {
  console.log(`progress push latency, change -> client read (${seconds} s per scenario):`);
  for (const s of results.scenarios)
    console.log(`  ${s.name.padEnd(20)} ${s.jobs} job(s) x ${s.clients} client(s), a change every ${s.periodMs} ms: ${s.changes} changes, ${s.pushes} pushes; p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(2)} ms; ${(s.within50Ms * 100).toFixed(2)}% within 50 ms`);
  const m = results.idle;
  console.log(`tsvirtd with ${m.count} connections: RSS ${m.rssBeforeMiB.toFixed(1)} MiB idle, ${m.rssOpenedMiB.toFixed(1)} MiB with all opened (+${(m.rssOpenedMiB - m.rssBeforeMiB).toFixed(1)}), ${m.rssSubscribedMiB.toFixed(1)} MiB with all subscribed to a running save (+${(m.rssSubscribedMiB - m.rssBeforeMiB).toFixed(1)})`);
}
