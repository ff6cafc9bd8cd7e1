// The generated procedure tables (src/ts/rpc/generated/): one entry per procedure of an RPC program, shared
// by the server (tsvirtd) and the client (the remote driver).
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

/** The entries of a generated program's procedure table, each made on first use from its descriptor. */
class ProcedureTable implements ReadonlyMap<number, RpcProcedure> {
  private numbers: number[] | undefined;
  private names: string[] = [];
  private notes: string[] = [];
  private readonly made: (RpcProcedure | undefined)[] = [];
  private all: Map<number, RpcProcedure> | undefined;

  constructor(
    private readonly program: string,
    private readonly procedureEnum: Readonly<Record<string, number>>,
    private readonly procedurePrefix: string,
    private readonly typePrefix: string,
    private readonly descriptors: string,
    private readonly schema: (name: string) => Codec<any>,
  ) {}

  /**
   * The procedure numbers in the enum's order, read on first use. A lookup searches them (native, a few µs
   * for 443), where a Map of them would cost a short command ~0.5 ms to make.
   */
  private index(): number[] {
    if (!this.numbers) {
      this.names = Object.keys(this.procedureEnum);
      this.notes = this.descriptors.split(' ');
      if (this.notes.length !== this.names.length) {
        throw new Error(`${this.program}: ${this.notes.length} procedure descriptors for ${this.names.length} procedures`);
      }
      this.numbers = Object.values(this.procedureEnum);
    }
    return this.numbers;
  }

  private make(i: number): RpcProcedure {
    const name = this.names[i]!;
    const note = this.notes[i]!;
    const m = /^(?:-|(a?)(r?)(m?)(!?)(?:R([0-9]+))?(?:W([0-9]+))?)$/.exec(note);
    if (!m || note === '' || !name.startsWith(this.procedurePrefix)) throw new Error(`${this.program}: malformed procedure ${name} '${note}'`);
    const base = this.typePrefix + name.slice(this.procedurePrefix.length).toLowerCase();
    const procedure: { -readonly [K in keyof RpcProcedure]: RpcProcedure[K] } = {
      number: this.numbers![i]!,
      name,
      args: m[1] ? this.schema(`${base}_args`) : null,
      ret: m[2] ? this.schema(`${base}_ret`) : null,
      msg: m[3] ? this.schema(`${base}_msg`) : null,
      priority: m[4] ? 'high' : 'low',
    };
    if (m[5]) procedure.readStream = Number(m[5]);
    if (m[6]) procedure.writeStream = Number(m[6]);
    return procedure;
  }

  get(number: number): RpcProcedure | undefined {
    const i = this.index().indexOf(number);
    return i < 0 ? undefined : (this.made[i] ??= this.make(i));
  }

  has(number: number): boolean {
    return this.index().includes(number);
  }

  /** Every entry, in the procedure enum's order: what iterating the table gives. */
  private entriesMap(): Map<number, RpcProcedure> {
    if (!this.all) {
      this.all = new Map(this.index().map((number, i) => [number, (this.made[i] ??= this.make(i))]));
    }
    return this.all;
  }

  get size(): number {
    return this.index().length;
  }

  forEach(fn: (value: RpcProcedure, key: number, map: ReadonlyMap<number, RpcProcedure>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entriesMap()) fn.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[number, RpcProcedure]> {
    return this.entriesMap().entries();
  }

  keys(): MapIterator<number> {
    return this.entriesMap().keys();
  }

  values(): MapIterator<RpcProcedure> {
    return this.entriesMap().values();
  }

  [Symbol.iterator](): MapIterator<[number, RpcProcedure]> {
    return this.entries();
  }
}

/**
 * A generated program, its procedure table made entry by entry on first use (a short command looks up a
 * handful of libvirt's 443 procedures) from one descriptor per member of the procedure enum, in its order,
 * each naming its `*_args`/`*_ret`/`*_msg` types in `schema`. A descriptor is `-` or, in this order: `a` args,
 * `r` ret, `m` msg, `!` high priority, `R<n>`/`W<n>` the argument position of the stream the call opens (read:
 * daemon to client; write: client to daemon). Descriptors are separated by spaces.
 */
export function rpcProgram(
  name: string,
  program: number,
  version: number,
  procedureEnum: Readonly<Record<string, number>>,
  procedurePrefix: string,
  typePrefix: string,
  descriptors: string,
  schema: (name: string) => Codec<any> = (type) => {
    throw new Error(`${name}: no type '${type}' (the program has no schema)`);
  },
): RpcProgram {
  return { name, program, version, procedures: new ProcedureTable(name, procedureEnum, procedurePrefix, typePrefix, descriptors, schema) };
}
