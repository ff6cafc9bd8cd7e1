// A scripted libvirt daemon for fault tests: it answers the remote driver's open sequence like libvirtd, then
// does with every other call what the test says (answer, stay silent, send garbage, hang up).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepalive_procedure } from '../../src/ts/rpc/generated/keepalive-protocol.js';
import { remote_procedure } from '../../src/ts/rpc/generated/remote-protocol.js';
import type { virNetMessageHeader } from '../../src/ts/rpc/generated/virnet-protocol.js';
import { decodePacket, decodePayload, encodePacket, encodePacketWith, PacketFramer, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { findProcedure, keepaliveProgram, remoteProgram } from '../../src/ts/rpc/programs.js';

export interface Call {
  socket: Socket;
  header: virNetMessageHeader;
  name: string;
  args: any;
  /** Sends the reply with this `_ret` value. */
  reply(value?: unknown): void;
}

export interface FakeOptions {
  /** AUTH_LIST's answer (default: none). */
  authTypes?: number[];
  /** Whether PINGs get a PONG (default true). */
  answerPings?: boolean;
  /** Every call after the open sequence; default: left unanswered. */
  onCall?: (call: Call) => void;
}

const OPEN_SEQUENCE: Record<string, (args: any) => unknown> = {
  REMOTE_PROC_AUTH_LIST: () => ({ types: [0] }),
  REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: () => ({ supported: 1 }),
  REMOTE_PROC_CONNECT_OPEN: () => undefined,
  REMOTE_PROC_CONNECT_GET_TYPE: () => ({ type: 'Fake' }),
  REMOTE_PROC_CONNECT_GET_VERSION: () => ({ hv_ver: 9000000n }),
  REMOTE_PROC_CONNECT_GET_LIB_VERSION: () => ({ lib_ver: 9000000n }),
  REMOTE_PROC_CONNECT_CLOSE: () => undefined,
  REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK: () => undefined,
  REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK: () => undefined,
};

export class FakeDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'tsvirt-remote-fake-'));
  readonly socketPath = join(this.dir, 'sock');
  readonly clients: Socket[] = [];
  readonly calls: string[] = [];
  pingsReceived = 0;
  pongsReceived = 0;
  private readonly server: Server;

  constructor(private readonly options: FakeOptions = {}) {
    this.server = createServer((socket) => this.serve(socket));
  }

  get uri(): string {
    return `test+unix:///default?socket=${this.socketPath}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  /** Sends a PING to every client (as a daemon whose client has been quiet). */
  ping(): void {
    for (const s of this.clients) s.write(encodePacket(keepaliveHeader(keepalive_procedure.KEEPALIVE_PROC_PING)));
  }

  /** Every client's socket destroyed, the listener kept. */
  hangUp(): void {
    for (const s of this.clients) s.destroy();
  }

  async stop(): Promise<void> {
    this.hangUp();
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private serve(socket: Socket): void {
    this.clients.push(socket);
    const framer = new PacketFramer();
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const bytes of framer.push(chunk)) {
        const packet = decodePacket(bytes);
        const { header } = packet;
        if (header.prog === keepaliveProgram.program) {
          if (header.proc === keepalive_procedure.KEEPALIVE_PROC_PING) {
            this.pingsReceived++;
            if (this.options.answerPings !== false) socket.write(encodePacket(keepaliveHeader(keepalive_procedure.KEEPALIVE_PROC_PONG)));
          } else this.pongsReceived++;
          continue;
        }
        const procedure = findProcedure(header.prog, header.proc)!;
        const payload = decodePayload(packet);
        const call: Call = {
          socket,
          header,
          name: procedure.name,
          args: payload.value,
          reply: (value) => {
            const h = { ...header, type: VIR_NET_REPLY, status: VIR_NET_OK };
            socket.write(procedure.ret ? encodePacketWith(h, procedure.ret, value) : encodePacket(h));
          },
        };
        this.calls.push(procedure.name);
        if (procedure.name === 'REMOTE_PROC_AUTH_LIST' && this.options.authTypes) call.reply({ types: this.options.authTypes });
        else if (OPEN_SEQUENCE[procedure.name]) call.reply(OPEN_SEQUENCE[procedure.name](call.args));
        else this.options.onCall?.(call);
      }
    });
  }
}

function keepaliveHeader(proc: number): virNetMessageHeader {
  return { prog: keepaliveProgram.program, vers: keepaliveProgram.version, proc, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK };
}

export const PROC = remote_procedure;
export { remoteProgram };
