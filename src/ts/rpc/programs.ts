// The RPC programs tsvirt speaks, by program number, for both the daemon and the client.
import { tsvirtJobProgram } from './generated/job-protocol.js';
import { keepaliveProgram } from './generated/keepalive-protocol.js';
import { remoteProgram } from './generated/remote-protocol.js';
import type { RpcProcedure, RpcProgram } from './program.js';

export { keepaliveProgram, remoteProgram, tsvirtJobProgram };

export const PROGRAMS: ReadonlyMap<number, RpcProgram> = new Map(
  [remoteProgram, keepaliveProgram, tsvirtJobProgram].map((p) => [p.program, p]),
);

export function findProcedure(prog: number, proc: number): RpcProcedure | undefined {
  return PROGRAMS.get(prog)?.procedures.get(proc);
}
