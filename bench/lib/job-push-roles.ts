// The two processes of bench/job-push.mjs, bundled from tsvirt's sources with esbuild (one file, two roles):
//
//   daemon  a tsvirtd (the real Daemon class) whose process also runs N jobs on test:///default; each job's
//           progress changes every PERIOD ms and its processed bytes ARE the change's time in microseconds
//           (performance.timeOrigin + now: one clock for all processes of the machine), so a client knows
//           exactly when the figures it receives changed. Every change's time is kept and written out at the end.
//   client  connects, opens test:///default, subscribes to every job through the job program, and records
//           each pushed progress: the value (= change time) and the time it was read.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { virConnectOpen } from '../../src/ts/api/connect.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { Daemon } from '../../src/ts/daemon/server.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { JobType, VirJob, type JobControl } from '../../src/ts/jobs/job.js';
import { tsvirt_job_event_msg, tsvirt_job_procedure } from '../../src/ts/rpc/generated/job-protocol.js';
import { remote_procedure } from '../../src/ts/rpc/generated/remote-protocol.js';
import { decodePacket, encodePacketWith, PacketFramer, VIR_NET_CALL, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { remoteProgram, tsvirtJobProgram } from '../../src/ts/rpc/programs.js';
import { decodeXdr } from '../../src/ts/rpc/xdr.js';

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

async function daemonRole(socket: string, jobs: number, periodMs: number, out: string): Promise<void> {
  const daemon = new Daemon({ socketPath: socket, readOnlySocketPath: null });
  await daemon.start();
  const conn = (await virConnectOpen('test:///default')) as VirConnect;
  const controls: JobControl[] = [];
  const finishers: (() => void)[] = [];
  const ids: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const job = new VirJob({ operation: 'save', label: 'bench', type: JobType.BOUNDED, total: 2 ** 62, errorDomain: ErrorDomain.VIR_FROM_TEST, conn }, (c) => {
      controls.push(c);
      return new Promise<void>((resolve) => finishers.push(resolve));
    });
    ids.push(job.id);
  }
  const changes: number[][] = ids.map(() => []);
  let timer: NodeJS.Timeout | null = null;
  process.on('message', (msg: string) => {
    if (msg === 'go') {
      timer = setInterval(() => {
        for (let i = 0; i < controls.length; i++) {
          const t = nowUs();
          controls[i]!.progress(t);
          changes[i]!.push(t);
        }
      }, periodMs);
    } else if (msg === 'stop') {
      if (timer) clearInterval(timer);
      writeFileSync(out, JSON.stringify({ ids, changes, rssKiB: process.memoryUsage().rss / 1024 }));
      for (const f of finishers) f();
      void daemon.stop(100).then(() => process.exit(0));
    }
  });
  process.send!({ ready: true, ids });
}

/** A minimal client of the daemon: CONNECT_OPEN, then job-program SUBSCRIBE for each id; records pushes. */
async function clientRole(socket: string, ids: number[], out: string): Promise<void> {
  const s = connect(socket);
  await new Promise((r) => s.once('connect', r));
  const framer = new PacketFramer();
  const replies = new Map<number, (ok: boolean) => void>();
  const received: [number, number, number][] = []; // job id, value (change time), read time
  s.on('data', (chunk) => {
    const at = nowUs();
    for (const bytes of framer.push(chunk)) {
      const p = decodePacket(bytes);
      if (p.header.type === VIR_NET_REPLY) replies.get(p.header.serial)?.(p.header.status === VIR_NET_OK);
      else if (p.header.type === VIR_NET_MESSAGE && p.header.prog === tsvirtJobProgram.program) {
        const msg = decodeXdr(tsvirt_job_event_msg, p.payload);
        received.push([msg.id, Number(msg.info.dataProcessed), at]);
      }
    }
  });
  let serial = 1;
  const call = (prog: typeof remoteProgram, proc: number, args: unknown) =>
    new Promise<void>((resolve, reject) => {
      const n = serial++;
      replies.set(n, (ok) => (ok ? resolve() : reject(new Error(`call ${proc} failed`))));
      const procedure = prog.procedures.get(proc)!;
      s.write(encodePacketWith({ prog: prog.program, vers: prog.version, proc, type: VIR_NET_CALL, serial: n, status: VIR_NET_OK }, procedure.args, args));
    });
  await call(remoteProgram, remote_procedure.REMOTE_PROC_CONNECT_OPEN, { name: 'test:///default', flags: 0 });
  for (const id of ids) await call(tsvirtJobProgram, tsvirt_job_procedure.TSVIRT_JOB_PROC_SUBSCRIBE, { id });
  process.on('message', (msg: string) => {
    if (msg !== 'stop') return;
    writeFileSync(out, JSON.stringify(received));
    s.destroy();
    process.exit(0);
  });
  process.send!({ ready: true });
}

const [role, ...rest] = process.argv.slice(2);
if (role === 'daemon') await daemonRole(rest[0]!, Number(rest[1]), Number(rest[2]), rest[3]!);
else if (role === 'client') await clientRole(rest[0]!, JSON.parse(rest[1]!), rest[2]!);
else throw new Error(`unknown role ${role}`);
