import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE } from '../reference.js';

export const RPC_REFERENCE = join(REFERENCE, 'rpc');

export interface CapturedPacket {
  connection: number;
  /** 'C>S' or 'S>C' */
  direction: string;
  /** The proxy's log line for the packet. */
  line: string;
  bytes: Buffer;
}

/** Reads rpc/hex/NAME.hex: `## connection N`, then per packet `# LOG LINE` and a hexdump of its bytes. */
export function readHexSession(name: string): CapturedPacket[] {
  const packets: CapturedPacket[] = [];
  let connection = 0;
  let current: { line: string; hex: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const bytes = Buffer.from(current.hex.join(''), 'hex');
    packets.push({ connection, direction: current.line.split(' ')[0], line: current.line, bytes });
    current = null;
  };
  for (const text of readFileSync(join(RPC_REFERENCE, 'hex', `${name}.hex`), 'utf8').split('\n')) {
    if (text.startsWith('## connection ')) {
      flush();
      connection = Number(text.slice('## connection '.length));
    } else if (text.startsWith('# ')) {
      flush();
      current = { line: text.slice(2), hex: [] };
    } else if (/^[0-9a-f]{8}  /.test(text) && current) {
      current.hex.push(text.slice(10, 58).replace(/ /g, ''));
    }
  }
  flush();
  return packets;
}

export const hexSessions = () =>
  readdirSync(join(RPC_REFERENCE, 'hex'))
    .filter((f) => f.endsWith('.hex'))
    .map((f) => f.slice(0, -4))
    .sort();

/** rpc/remote-procedures.tsv: number -> name. */
export function remoteProcedureNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of readFileSync(join(RPC_REFERENCE, 'remote-procedures.tsv'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [num, name] = line.split('\t');
    names.set(Number(num), name);
  }
  return names;
}
