#!/usr/bin/env node
/**
 * Many clients at once against a libvirt RPC daemon: `clients` connections, each doing `calls` round trips
 * of DOMAIN_GET_INFO one after another (a call is sent when the previous reply has arrived, as a
 * libvirt client's blocking call does). Measures total throughput and the per-call latency p50/p99.
 *
 * The load comes from `workers` child processes, each driving its share of the connections, so the client
 * side is not a single event loop; the same clients are used for every daemon compared, so the daemon is
 * what differs. The packets are written by hand (header + the XDR of three procedures) to keep the client
 * cost small and equal for both daemons.
 *
 *   node bench/daemon-clients.mjs --socket PATH [--clients 100] [--calls 1000] [--workers 4]   (one daemon)
 *   imported by bench/daemon.mjs --clients ..., which runs it against tsvirtd and libvirtd side by side
 */
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const REMOTE_PROGRAM = 0x20008086;
const PROC = { CONNECT_OPEN: 1, DOMAIN_GET_INFO: 16, DOMAIN_LOOKUP_BY_NAME: 23 };
const HEADER = 28; // length word + virNetMessageHeader

function xdrString(s) {
  const bytes = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(4 + Math.ceil(bytes.length / 4) * 4);
  out.writeUInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

function callPacket(proc, serial, payload) {
  const packet = Buffer.alloc(HEADER + payload.length);
  packet.writeUInt32BE(packet.length, 0);
  packet.writeUInt32BE(REMOTE_PROGRAM, 4);
  packet.writeUInt32BE(1, 8); // version
  packet.writeInt32BE(proc, 12);
  packet.writeInt32BE(0, 16); // VIR_NET_CALL
  packet.writeUInt32BE(serial, 20);
  packet.writeInt32BE(0, 24); // VIR_NET_OK
  payload.copy(packet, HEADER);
  return packet;
}

/** One connection that sends a call and resolves with its reply's payload (rejecting on an error reply). */
function openClient(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = Buffer.alloc(0);
    let waiting = null;
    let serial = 0;
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 4 && buffered.length >= buffered.readUInt32BE(0)) {
        const len = buffered.readUInt32BE(0);
        const packet = buffered.subarray(0, len);
        buffered = buffered.subarray(len);
        const w = waiting;
        waiting = null;
        if (packet.readInt32BE(24) !== 0) w?.reject(new Error(`error reply to procedure ${packet.readInt32BE(12)}`));
        else w?.resolve(packet.subarray(HEADER));
      }
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        call(proc, payload) {
          return new Promise((res, rej) => {
            waiting = { resolve: res, reject: rej };
            socket.write(callPacket(proc, serial++, payload));
          });
        },
        close: () => socket.destroy(),
      }),
    );
  });
}

/** Child: opens its connections, waits for 'go', runs the calls, reports the latencies (µs). */
async function worker() {
  const { socket, uri, clients, calls } = JSON.parse(process.argv[3]);
  const conns = [];
  for (let i = 0; i < clients; i++) {
    const c = await openClient(socket);
    // remote_string name (present) + flags
    await c.call(PROC.CONNECT_OPEN, Buffer.concat([Buffer.from([0, 0, 0, 1]), xdrString(uri), Buffer.alloc(4)]));
    // The lookup's reply (remote_nonnull_domain) is exactly GET_INFO's argument.
    const dom = await c.call(PROC.DOMAIN_LOOKUP_BY_NAME, xdrString('test'));
    conns.push({ c, dom });
  }
  process.send({ ready: true });
  await new Promise((r) => process.once('message', r));
  const latencies = new Float64Array(clients * calls);
  let n = 0;
  await Promise.all(conns.map(async ({ c, dom }) => {
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await c.call(PROC.DOMAIN_GET_INFO, dom);
      latencies[n++] = (performance.now() - t) * 1000;
    }
  }));
  for (const { c } of conns) c.close();
  process.send({ latencies: Array.from(latencies) });
}

/** Runs the load against one daemon socket; resolves with { calls, seconds, callsPerSecond, p50, p99 }. */
export async function runClients(socket, { clients = 100, calls = 1000, workers = 4, uri = 'test:///default' } = {}) {
  const self = fileURLToPath(import.meta.url);
  const shares = Array.from({ length: workers }, (_, i) => Math.floor(clients / workers) + (i < clients % workers ? 1 : 0));
  const children = shares.filter((s) => s > 0).map((share) =>
    fork(self, ['--worker', JSON.stringify({ socket, uri, clients: share, calls })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const messages = (child) => new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => code && reject(new Error(`bench worker exited with ${code}`)));
  });
  await Promise.all(children.map(messages));
  const started = performance.now();
  const results = children.map(messages);
  for (const child of children) child.send('go');
  const all = (await Promise.all(results)).flatMap((m) => m.latencies).sort((a, b) => a - b);
  const seconds = (performance.now() - started) / 1000;
  return {
    clients,
    callsPerClient: calls,
    seconds,
    callsPerSecond: all.length / seconds,
    p50: all[Math.floor(all.length / 2)],
    p99: all[Math.floor(all.length * 0.99)],
  };
}

if (process.argv[2] === '--worker') await worker();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const socket = option('--socket');
  if (!socket) {
    console.error('usage: node bench/daemon-clients.mjs --socket PATH [--clients N] [--calls N] [--workers N]');
    process.exit(2);
  }
  const r = await runClients(socket, { clients: Number(option('--clients', 100)), calls: Number(option('--calls', 1000)), workers: Number(option('--workers', 4)) });
  console.log(JSON.stringify(r, null, 2));
}
