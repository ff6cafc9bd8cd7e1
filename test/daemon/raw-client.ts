import { connect, type Socket } from 'node:net';
import { remote_procedure } from '../../src/ts/rpc/generated/remote-protocol.js';
import { decodePacket, decodePayload, encodePacket, encodePacketWith, type Packet, PacketFramer, VIR_NET_CALL, VIR_NET_OK } from '../../src/ts/rpc/packet.js';
import { findProcedure, remoteProgram } from '../../src/ts/rpc/programs.js';

/** A bare protocol client for tests: sends exactly the bytes asked for and collects every packet back. */
export class RawClient {
  readonly received: Packet[] = [];
  private readonly framer = new PacketFramer();
  private waiters: (() => void)[] = [];
  private serial = 0;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const b of this.framer.push(chunk)) this.received.push(decodePacket(b));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static open(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `until` holds, or rejects after `ms`. */
  async waitFor<T>(until: () => T | undefined | false, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = until();
      if (v) return v;
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a REMOTE call and returns its serial. */
  send(procName: keyof typeof remote_procedure, args?: unknown, header: Partial<Packet['header']> = {}): number {
    const proc = remote_procedure[procName];
    const serial = this.serial++;
    const procedure = findProcedure(remoteProgram.program, proc)!;
    const h = { prog: remoteProgram.program, vers: remoteProgram.version, proc, type: VIR_NET_CALL, serial, status: VIR_NET_OK, ...header };
    this.write(procedure.args ? encodePacketWith(h, procedure.args, args) : encodePacket(h));
    return serial;
  }

  /** The reply to `serial`: { ok, value } decoded. */
  async reply(serial: number, ms?: number) {
    const p = await this.waitFor(() => this.received.find((r) => r.header.serial === serial && r.header.type === 1), ms);
    const payload = decodePayload(p);
    return { header: p.header, ok: payload.kind !== 'error', value: payload.value as any };
  }

  async call(procName: keyof typeof remote_procedure, args?: unknown) {
    return this.reply(this.send(procName, args));
  }

  async openConnection(uri = 'test:///default') {
    const r = await this.call('REMOTE_PROC_CONNECT_OPEN', { name: uri, flags: 0 });
    if (!r.ok) throw new Error(r.value.message);
  }

  close(): void {
    this.socket.destroy();
  }
}
