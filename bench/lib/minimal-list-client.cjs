// The least a Node program does to print `virsh list` through a libvirtd socket, for bench/remote.mjs: the
// floor under tsvirsh's start-up. No library, no protocol tables: libvirt's packets written by hand (header of
// 7 words, XDR bodies), the round trips virsh's `list` needs and no more:
//   1. AUTH_LIST and CONNECT_OPEN, sent together
//   2. CONNECT_LIST_ALL_DOMAINS (active domains)
//   3. DOMAIN_GET_STATE of each domain, sent together
//   4. CONNECT_CLOSE
// then virsh's table of what the replies said (bench/remote.mjs checks it against virsh's own output). An error
// reply ends the run with status 1.
//
//   node bench/lib/minimal-list-client.cjs SOCKET [URI-NAME]
'use strict';
const net = require('node:net');

const [socketPath, name = 'test:///default'] = process.argv.slice(2);
const REMOTE_PROGRAM = 0x20008086;
const PROC = { CONNECT_OPEN: 1, CONNECT_CLOSE: 2, AUTH_LIST: 66, DOMAIN_GET_STATE: 212, CONNECT_LIST_ALL_DOMAINS: 273 };
const STATE_NAMES = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const xdrString = (s) => {
  const bytes = Buffer.from(s);
  return Buffer.concat([u32(bytes.length), bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
};
let serial = 0;
const call = (procedure, ...body) => {
  const payload = Buffer.concat(body);
  return Buffer.concat([u32(28 + payload.length), u32(REMOTE_PROGRAM), u32(1), u32(procedure), u32(0), u32(++serial), u32(0), payload]);
};

// A reply: its body after the header, or the run ends on an error reply.
const replies = [];
let pending = Buffer.alloc(0);
let waiting = null;
function take(count) {
  return new Promise((resolve) => {
    waiting = { count, resolve };
    deliver();
  });
}
function deliver() {
  if (waiting && replies.length >= waiting.count) {
    const { count, resolve } = waiting;
    waiting = null;
    resolve(replies.splice(0, count));
  }
}

const socket = net.connect(socketPath);
socket.on('error', (error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
socket.on('data', (data) => {
  pending = pending.length ? Buffer.concat([pending, data]) : data;
  while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
    const length = pending.readUInt32BE(0);
    const status = pending.readUInt32BE(24);
    if (status !== 0) {
      console.error(`error: procedure ${pending.readUInt32BE(12)} failed`);
      process.exit(1);
    }
    replies.push(pending.subarray(28, length));
    pending = pending.subarray(length);
  }
  deliver();
});

socket.on('connect', async () => {
  socket.write(Buffer.concat([call(PROC.AUTH_LIST), call(PROC.CONNECT_OPEN, u32(1), xdrString(name), u32(0))]));
  await take(2);

  socket.write(call(PROC.CONNECT_LIST_ALL_DOMAINS, u32(1), u32(1 /* VIR_CONNECT_LIST_DOMAINS_ACTIVE */)));
  const [list] = await take(1);
  const domains = [];
  let at = 4;
  for (let i = list.readUInt32BE(0); i > 0; i--) {
    const start = at;
    const nameLength = list.readUInt32BE(at);
    const domainName = list.toString('utf8', at + 4, at + 4 + nameLength);
    at += 4 + nameLength + ((4 - (nameLength % 4)) % 4) + 16; // name, uuid
    const id = list.readInt32BE(at);
    at += 4;
    domains.push({ name: domainName, id, wire: list.subarray(start, at) });
  }

  socket.write(Buffer.concat(domains.map((d) => call(PROC.DOMAIN_GET_STATE, d.wire, u32(0)))));
  const states = await take(domains.length);

  socket.write(call(PROC.CONNECT_CLOSE));
  await take(1);
  socket.end();
  const table = [['Id', 'Name', 'State'], ...domains.map((d, i) => [String(d.id), d.name, STATE_NAMES[states[i].readInt32BE(0)]])];
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((row) => row[column].length)));
  const line = (row) => ` ${row[0].padEnd(widths[0])}   ${row[1].padEnd(widths[1])}   ${row[2]}`;
  const rule = '-'.repeat(widths[0] + widths[1] + widths[2] + 9);
  process.stdout.write([line(table[0]), rule, ...table.slice(1).map(line), '', ''].join('\n'));
});
