// A bare client of tsvirt's job program for tests: job calls and pushed events over a RawClient, with the
// generated codecs of src/ts/rpc (what the remote driver uses), and nothing else.
import { tsvirt_job_procedure } from '../../src/ts/rpc/generated/job-protocol.js';
import { decodePayload, encodePacket, encodePacketWith, VIR_NET_CALL, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { tsvirtJobProgram } from '../../src/ts/rpc/programs.js';
import { RawClient } from './raw-client.js';

export type JobProc = keyof typeof tsvirt_job_procedure extends `TSVIRT_JOB_PROC_${infer P}` ? P : never;

export interface JobEvent {
  id: number;
  event: number;
  info: { type: number; state: number; timeElapsed: bigint; timeRemaining: bigint; dataTotal: bigint; dataProcessed: bigint; dataRemaining: bigint; percentComplete: number };
  error: { code: number; domain: number; message: string } | null;
  /** When the packet was taken from the socket (performance.now()). */
  at: number;
}

/** Job-program serials start high so they never meet the RawClient's own REMOTE serials. */
let nextSerial = 1_000_000;

export class JobTestClient {
  /** Pushed events, in arrival order. */
  readonly events: JobEvent[] = [];
  private seen = 0;

  private constructor(readonly raw: RawClient) {
    raw.socket.on('data', () => this.collect());
  }

  static async open(path: string, uri?: string): Promise<JobTestClient> {
    const c = new JobTestClient(await RawClient.open(path));
    if (uri) await c.raw.openConnection(uri);
    return c;
  }

  private collect(): void {
    // RawClient's own listener runs first (it was added first), so `received` already has the packets.
    const received = this.raw.received;
    for (; this.seen < received.length; this.seen++) {
      const p = received[this.seen]!;
      if (p.header.prog !== tsvirtJobProgram.program || p.header.type !== VIR_NET_MESSAGE) continue;
      this.events.push({ ...(decodePayload(p).value as Omit<JobEvent, 'at'>), at: performance.now() });
    }
  }

  /** Sends a job-program call (any header field may be overridden) and returns its serial. */
  send(proc: JobProc | number, args?: unknown, header: Record<string, number> = {}): number {
    const number = typeof proc === 'number' ? proc : tsvirt_job_procedure[`TSVIRT_JOB_PROC_${proc}`];
    const procedure = tsvirtJobProgram.procedures.get(number);
    const serial = nextSerial++;
    const h = { prog: tsvirtJobProgram.program, vers: tsvirtJobProgram.version, proc: number, type: VIR_NET_CALL, serial, status: VIR_NET_OK, ...header };
    this.raw.write(procedure?.args && args !== undefined ? encodePacketWith(h, procedure.args, args) : encodePacket(h));
    return serial;
  }

  async reply(serial: number, ms = 10_000): Promise<{ ok: boolean; value: any }> {
    const p = await this.raw.waitFor(() => this.raw.received.find((r) => r.header.serial === serial && r.header.type === VIR_NET_REPLY), ms);
    const payload = decodePayload(p);
    return { ok: payload.kind !== 'error', value: payload.value as any };
  }

  call(proc: JobProc | number, args?: unknown, ms?: number) {
    return this.reply(this.send(proc, args), ms);
  }

  /** The call's value, or a thrown Error carrying the daemon's error. */
  async ok(proc: JobProc, args?: unknown, ms?: number): Promise<any> {
    const r = await this.call(proc, args, ms);
    if (!r.ok) throw Object.assign(new Error(r.value.message), { remote: r.value });
    return r.value;
  }

  async remote(proc: Parameters<RawClient['call']>[0], args?: unknown): Promise<any> {
    const r = await this.raw.call(proc, args);
    if (!r.ok) throw new Error(r.value.message);
    return r.value;
  }

  /** The domain reference of `name`, as REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME answers it. */
  async domain(name = 'test'): Promise<{ name: string; uuid: Buffer; id: number }> {
    return (await this.remote('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name })).dom;
  }

  waitForEvent(match: (e: JobEvent) => boolean, ms = 10_000): Promise<JobEvent> {
    return this.raw.waitFor(() => this.events.find(match), ms);
  }

  close(): void {
    this.raw.close();
  }
}

export const JOB_STATE = { RUNNING: 0, COMPLETED: 1, FAILED: 2, CANCELLED: 3 } as const;
export const EVENT = { PROGRESS: 0, END: 1 } as const;
