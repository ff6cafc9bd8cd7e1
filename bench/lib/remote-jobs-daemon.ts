// The scripted daemon of bench/remote-jobs.mjs, run in a process of its own (bundled by the bench): it
// answers the remote driver's open sequence (test/remote/fake-daemon.ts), domain lookups by any name, and
// holds each DOMAIN_SAVE for SAVE_MS while DOMAIN_GET_JOB_STATS reports its progress as time passes, as
// libvirtd reports a save. It tells its parent the socket, then the calls it served when asked.
import { FakeDaemon, type Call } from '../../test/remote/fake-daemon.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { virNetMessageError } from '../../src/ts/rpc/generated/virnet-protocol.js';
import { encodePacketWith, VIR_NET_ERROR, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';

const SAVE_MS = Number(process.argv[2] ?? 10_000);
const TOTAL = 2 ** 30;
const started = new Map<string, number>();
const counts: Record<string, number> = {};
let outstanding = 0;
let maxOutstanding = 0;

const uuid = (name: string) => {
  const b = Buffer.alloc(16);
  b.write(name.padEnd(16, '-').slice(0, 16), 'latin1');
  return b;
};

const ul = (field: string, v: number) => ({ field, value: { type: 4 as const, ul: BigInt(Math.round(v)) } });

function serve(call: Call): void {
  const name = call.name.replace('REMOTE_PROC_', '');
  counts[name] = (counts[name] ?? 0) + 1;
  switch (name) {
    case 'DOMAIN_LOOKUP_BY_NAME':
      return call.reply({ dom: { name: call.args.name, uuid: uuid(call.args.name), id: 1 } });
    case 'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY':
      return call.reply({ callbackID: 1 });
    case 'DOMAIN_SAVE': {
      started.set(call.args.dom.name, Date.now());
      maxOutstanding = Math.max(maxOutstanding, ++outstanding);
      setTimeout(() => {
        started.delete(call.args.dom.name);
        outstanding--;
        call.reply();
      }, SAVE_MS);
      return;
    }
    case 'DOMAIN_GET_JOB_STATS': {
      const t0 = started.get(call.args.dom.name);
      if (t0 === undefined) return call.reply({ type: 0, params: [] });
      const done = Math.min(1, (Date.now() - t0) / SAVE_MS);
      return call.reply({
        type: 2,
        params: [{ field: 'operation', value: { type: 1, i: 4 } }, ul('time_elapsed', Date.now() - t0), ul('data_total', TOTAL), ul('data_processed', TOTAL * done), ul('data_remaining', TOTAL * (1 - done))],
      });
    }
    default: {
      const header = { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_ERROR };
      const e = { code: ErrorNumber.VIR_ERR_NO_SUPPORT, domain: ErrorDomain.VIR_FROM_NONE, message: `bench daemon: ${name}`, level: 2, dom: null, str1: null, str2: null, str3: null, int1: -1, int2: -1, net: null };
      call.socket.write(encodePacketWith(header, virNetMessageError, e));
    }
  }
}

const daemon = new FakeDaemon({ onCall: serve });
await daemon.listen();
process.send!({ uri: daemon.uri });
process.on('message', async (m: string) => {
  if (m === 'stats') process.send!({ counts, maxOutstanding });
  if (m === 'stop') {
    await daemon.stop();
    process.exit(0);
  }
});
