// The shape of the generated procedure tables (src/ts/rpc/generated/): one entry per procedure of an RPC
// program, shared by the server (tsvirtd) and the client (the remote driver).
import type { Codec } from './xdr.js';

export interface RpcProcedure {
  readonly number: number;
  /** The enum name, e.g. 'REMOTE_PROC_DOMAIN_GET_INFO'. */
  readonly name: string;
  /** The CALL payload (`*_args`), or null when the call carries none. */
  readonly args: Codec<any> | null;
  /** The REPLY payload (`*_ret`), or null when the reply carries none. */
  readonly ret: Codec<any> | null;
  /** The MESSAGE payload of an event procedure (`*_msg`), else null. */
  readonly msg: Codec<any> | null;
  /** libvirtd runs 'high' priority calls even when its workers are busy with 'low' ones. */
  readonly priority: 'high' | 'low';
  /** The argument position of the stream a call opens: read = daemon to client, write = client to daemon. */
  readonly readStream?: number;
  readonly writeStream?: number;
}

export interface RpcProgram {
  readonly name: string;
  readonly program: number;
  readonly version: number;
  readonly procedures: ReadonlyMap<number, RpcProcedure>;
}
