// src/ts/rpc/xdr-schema.ts, the runtime of the generated protocol modules: every declaration kind of its line
// format against the codecs of src/ts/rpc/xdr.ts, lazy and recursive names, errors; then every procedure of
// every program tsvirt speaks, built from its module's schema, against what libvirt's .x files declare.
import { describe, expect, it } from 'vitest';
import { VirError } from '../../src/ts/errors/index.js';
import * as jobProtocol from '../../src/ts/rpc/generated/job-protocol.js';
import * as keepaliveProtocol from '../../src/ts/rpc/generated/keepalive-protocol.js';
import * as remoteProtocol from '../../src/ts/rpc/generated/remote-protocol.js';
import * as virnetProtocol from '../../src/ts/rpc/generated/virnet-protocol.js';
import { PROGRAMS, remoteProgram, tsvirtJobProgram } from '../../src/ts/rpc/programs.js';
import { rpcProgram } from '../../src/ts/rpc/program.js';
import {
  type Codec,
  decodeXdr,
  type Shape,
  xdrArray,
  xdrBool,
  xdrDouble,
  xdrFixedArray,
  xdrFixedOpaque,
  xdrFloat,
  xdrHyper,
  xdrInt,
  xdrOpaque,
  xdrOptional,
  xdrString,
  xdrStruct,
  XdrWriter,
  xdrUHyper,
  xdrUInt,
} from '../../src/ts/rpc/xdr.js';
import { xdrSchema } from '../../src/ts/rpc/xdr-schema.js';

function bytes<T>(codec: Codec<T>, value: T): Buffer {
  const w = new XdrWriter();
  codec.encode(w, value);
  return Buffer.from(w.bytes());
}

type StructShape = Extract<Shape, { kind: 'struct' }>;
const fieldsOf = (codec: Codec<any>) => {
  const shape = codec.shape;
  if (shape.kind !== 'struct') throw new Error(`not a struct: ${shape.kind}`);
  return (shape as StructShape).fields;
};

describe('xdrSchema', () => {
  // Each declaration kind beside the codec xdr.ts builds for it by hand: same bytes, same value back.
  const schema = xdrSchema(`
point{x:i,y:i}
all{i:i,u:u,h:h,H:H,f:f,d:d,b:b,s:s5,su:s,o:o4,ou:o,of:o[3],p:point,po:point*,pa:point<2>,pu:point<>,pf:point[2],ia:i<3>,sa:s2[2]}
`);
  const point = xdrStruct([
    ['x', xdrInt],
    ['y', xdrInt],
  ]);
  const byHand = xdrStruct([
    ['i', xdrInt],
    ['u', xdrUInt],
    ['h', xdrHyper],
    ['H', xdrUHyper],
    ['f', xdrFloat],
    ['d', xdrDouble],
    ['b', xdrBool],
    ['s', xdrString(5)],
    ['su', xdrString(0xffffffff)],
    ['o', xdrOpaque(4)],
    ['ou', xdrOpaque(0xffffffff)],
    ['of', xdrFixedOpaque(3)],
    ['p', point],
    ['po', xdrOptional(point)],
    ['pa', xdrArray(point, 2)],
    ['pu', xdrArray(point, 0xffffffff)],
    ['pf', xdrFixedArray(point, 2)],
    ['ia', xdrArray(xdrInt, 3)],
    ['sa', xdrFixedArray(xdrString(2), 2)],
  ]);
  const value = {
    i: -5,
    u: 4000000000,
    h: -(2n ** 40n),
    H: 2n ** 63n,
    f: 1.5,
    d: -0.25,
    b: true,
    s: 'héllo'.slice(0, 4),
    su: 'x'.repeat(70),
    o: Buffer.from([1, 2, 3]),
    ou: Buffer.alloc(9, 7),
    of: Buffer.from([9, 8, 7]),
    p: { x: 1, y: -1 },
    po: { x: 2, y: 3 },
    pa: [{ x: 4, y: 5 }],
    pu: [{ x: 6, y: 7 }, { x: 8, y: 9 }, { x: 10, y: 11 }],
    pf: [{ x: 12, y: 13 }, { x: 14, y: 15 }],
    ia: [1, 2, 3],
    sa: ['ab', ''],
  };

  it('builds every declaration kind as xdr.ts does: same bytes, same value back', () => {
    const all = schema('all');
    const encoded = bytes(all, value);
    expect(encoded).toEqual(bytes(byHand, value));
    expect(decodeXdr(all, encoded)).toEqual(value);
    const absent = { ...value, po: null };
    expect(decodeXdr(all, bytes(all, absent))).toEqual(absent);
  });

  it('describes each field as xdr.ts does', () => {
    const describe = (c: Codec<any>): unknown => {
      const s = c.shape;
      if (s.kind === 'struct') return s.fields.map(([n, f]) => [n, describe(f)]);
      if (s.kind === 'optional') return ['optional', describe(s.of)];
      if (s.kind === 'array') return ['array', s.max, describe(s.of)];
      if (s.kind === 'fixedArray') return ['fixedArray', s.size, describe(s.of)];
      return s;
    };
    expect(describe(schema('all'))).toEqual(describe(byHand));
  });

  it('keeps the limits: a string, an opaque and an array longer than their maximum are refused', () => {
    const all = schema('all');
    expect(() => bytes(all, { ...value, s: 'sixsix' })).toThrow(/exceeds maximum 5/);
    expect(() => bytes(all, { ...value, o: Buffer.alloc(5) })).toThrow(/exceeds maximum 4/);
    expect(() => bytes(all, { ...value, pa: [value.p, value.p, value.p] })).toThrow(/exceeds maximum 2/);
    expect(() => bytes(all, { ...value, of: Buffer.alloc(4) })).toThrow(/must be 3 bytes/);
  });

  it('gives one codec object per name, built once, and a field the codec of the type it names', () => {
    expect(schema('point')).toBe(schema('point'));
    const fields = fieldsOf(schema('all'));
    expect(fields.find(([n]) => n === 'p')![1]).toBe(schema('point'));
    expect((fields.find(([n]) => n === 'po')![1].shape as { of: Codec<any> }).of).toBe(schema('point'));
    expect(schema('all').shape).toBe(schema('all').shape);
  });

  it('resolves names lazily: recursive and mutually recursive types, in any order', () => {
    const s = xdrSchema('tree{v:i,kids:tree<>,next:list*}\nlist{v:s,next:list*,top:tree*}\n');
    const list = { v: 'a', next: { v: 'b', next: null, top: { v: 1, kids: [], next: null } }, top: null };
    const tree = { v: 7, kids: [{ v: 8, kids: [], next: list }, { v: 9, kids: [], next: null }], next: null };
    expect(decodeXdr(s('tree'), bytes(s('tree'), tree))).toEqual(tree);
    const next = fieldsOf(s('list')).find(([n]) => n === 'next')![1];
    expect((next.shape as { of: Codec<any> }).of).toBe(s('list'));
  });

  it('makes a typedef of a bare primitive or name that codec itself', () => {
    const s = xdrSchema('x{a:count,b:alias2}\ncount=u\nalias2=alias1\nalias1=point\npoint{p:i}\n');
    const [[, a], [, b]] = fieldsOf(s('x'));
    expect(a).toBe(xdrUInt);
    expect(b).toBe(s('point'));
    // A string with a maximum is a codec of its own, named.
    expect(fieldsOf(xdrSchema('y{s:bounded}\nbounded=s3\n')('y'))[0]![1].shape).toEqual({ kind: 'string' });
  });

  it('takes the types of other modules from its imports, as they are', () => {
    const s = xdrSchema('wrap{d:remote_nonnull_domain,o:remote_nonnull_domain*}\n', {
      remote_nonnull_domain: remoteProtocol.remote_nonnull_domain,
    });
    expect(fieldsOf(s('wrap'))[0]![1]).toBe(remoteProtocol.remote_nonnull_domain);
    const v = { d: { name: 'test', uuid: Buffer.alloc(16, 1), id: 1 }, o: null };
    expect(decodeXdr(s('wrap'), bytes(s('wrap'), v))).toEqual(v);
  });

  it('builds unions: arms by label, shared labels, void arms, a default arm', () => {
    const s = xdrSchema('u|kind:i|1=n:i|2,3=t:s|4=|*=other:H\nstrict|kind:u|0=|1=v:b\n');
    for (const v of [{ kind: 1, n: -3 }, { kind: 2, t: 'two' }, { kind: 3, t: '' }, { kind: 4 }, { kind: 99, other: 5n }]) {
      expect(decodeXdr(s('u'), bytes(s('u'), v))).toEqual(v);
    }
    expect(bytes(s('u'), { kind: 4 })).toEqual(Buffer.from([0, 0, 0, 4]));
    expect(decodeXdr(s('strict'), bytes(s('strict'), { kind: 1, v: true }))).toEqual({ kind: 1, v: true });
  });

  it('refuses a union discriminant without an arm when there is no default, as an RPC error', () => {
    const s = xdrSchema('strict|kind:u|0=|1=v:b\n');
    let caught: unknown;
    try {
      bytes(s('strict'), { kind: 2 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(VirError);
    expect((caught as Error).message).toMatch(/discriminant 2 has no arm/);
    expect(() => decodeXdr(s('strict'), Buffer.from([0, 0, 0, 7]))).toThrow(/discriminant 7 has no arm/);
  });

  it('names an unknown type, where it was named, when the codec is first used', () => {
    const s = xdrSchema('a{b:nosuch}\n', { other: xdrInt });
    const unknown = s('missing'); // a lookup builds nothing yet
    expect(() => unknown.shape).toThrow("XDR schema: unknown type 'missing'");
    expect(() => bytes(unknown, 1)).toThrow("XDR schema: unknown type 'missing'");
    expect(() => s('a').shape).toThrow("XDR schema: unknown type 'nosuch' (in 'a')");
  });

  it.each([
    ['a struct without its end', 'a{b:i', 'a', "malformed struct 'a'"],
    ['a field without a type', 'a{b}', 'a', "malformed field 'b' (in 'a')"],
    ['a declaration with two suffixes', 'a{b:i*<2>}', 'a', "malformed declaration 'i*<2>' (in 'a')"],
    ['a union arm without a label', 'a|k:i|n:i', 'a', "malformed arm 'n:i' of union 'a'"],
    ['a union arm with a label not a number', 'a|k:i|1,x=n:i', 'a', "malformed arm '1,x=n:i' of union 'a'"],
  ])('refuses %s', (_what, text, name, message) => {
    expect(() => xdrSchema(text)(name).shape).toThrow(`XDR schema: ${message}`);
  });

  it('finds a type by searching the text, then, after many lookups, through an index of every line', () => {
    // A chain of 100 structs, each holding the next: building the first looks up all of them.
    const text = Array.from({ length: 100 }, (_, i) => (i < 99 ? `t${i}{v:i,next:t${i + 1}*}` : `t${i}{v:i}`)).join('\n');
    const s = xdrSchema(text);
    let value: any = { v: 99 };
    for (let i = 98; i >= 0; i--) value = { v: i, next: i % 3 ? value : null };
    expect(decodeXdr(s('t0'), bytes(s('t0'), value))).toEqual(value);
    for (let i = 0; i < 100; i++) expect(s(`t${i}`).shape.kind).toBe('struct');
    expect(() => s('t100').shape).toThrow("XDR schema: unknown type 't100'");
  });

  it('refuses a malformed line when it indexes the text', () => {
    const s = xdrSchema(`${Array.from({ length: 70 }, (_, i) => `t${i}=i`).join('\n')}\n{a:i}\n`);
    expect(() => {
      for (let i = 0; i < 70; i++) void s(`t${i}`).shape;
    }).toThrow("XDR schema: malformed line '{a:i}'");
  });
});

describe('rpcProgram', () => {
  const schema = xdrSchema('p_a_args{x:i}\np_a_ret{y:i}\np_b_msg{z:i}\n');
  const procedures = { P_PROC_A: 1, P_PROC_B: 7, P_PROC_C: 3 };

  it('makes each entry on first use, from one descriptor per procedure', () => {
    const program = rpcProgram('p', 1, 2, procedures, 'P_PROC_', 'p_', 'ar! m -', schema);
    expect([...program.procedures.values()]).toEqual([
      { number: 1, name: 'P_PROC_A', args: schema('p_a_args'), ret: schema('p_a_ret'), msg: null, priority: 'high' },
      { number: 7, name: 'P_PROC_B', args: null, ret: null, msg: schema('p_b_msg'), priority: 'low' },
      { number: 3, name: 'P_PROC_C', args: null, ret: null, msg: null, priority: 'low' },
    ]);
    expect(program.procedures.get(1)).toBe(program.procedures.get(1));
    expect([...program.procedures.values()][0]).toBe(program.procedures.get(1));
    expect(program.procedures.get(1)!.args).toBe(schema('p_a_args'));
    expect([program.procedures.size, program.procedures.has(3), program.procedures.has(2), program.procedures.get(2)]).toEqual([3, true, false, undefined]);
    expect([...program.procedures.keys()]).toEqual([1, 7, 3]);
    const streams = rpcProgram('p', 1, 2, { P_PROC_A: 1 }, 'P_PROC_', 'p_', 'aR1W2', schema).procedures.get(1)!;
    expect([streams.readStream, streams.writeStream]).toEqual([1, 2]);
  });

  it.each([
    ['too few descriptors', 'ar m', /3 procedures/],
    ['an unknown letter', 'ar x -', /malformed procedure P_PROC_B 'x'/],
    ['letters out of order', 'ra m -', /malformed procedure P_PROC_A 'ra'/],
  ])('refuses %s', (_what, descriptors, message) => {
    expect(() => [...rpcProgram('p', 1, 2, procedures, 'P_PROC_', 'p_', descriptors, schema).procedures]).toThrow(message);
  });
});

describe('the generated programs', () => {
  /** Every codec reachable from `codec`, each built (a union's arms are only reached by its values). */
  function walk(codec: Codec<any>, seen: Set<Codec<any>>): void {
    if (seen.has(codec)) return;
    seen.add(codec);
    const shape = codec.shape;
    if (shape.kind === 'optional' || shape.kind === 'array' || shape.kind === 'fixedArray') walk(shape.of, seen);
    if (shape.kind === 'struct') for (const [, c] of shape.fields) walk(c, seen);
  }

  it('build every procedure codec of every program, and every type a procedure reaches', () => {
    const seen = new Set<Codec<any>>();
    let payloads = 0;
    for (const program of PROGRAMS.values()) {
      for (const p of program.procedures.values()) {
        for (const codec of [p.args, p.ret, p.msg]) {
          if (!codec) continue;
          payloads++;
          walk(codec, seen);
          expect(['struct', 'union']).toContain(codec.shape.kind);
        }
      }
    }
    expect(payloads).toBeGreaterThan(650); // 698 in libvirt 9.0 and tsvirt's job program
    expect(seen.size).toBeGreaterThan(payloads);
  });

  it('build every named codec of every generated module', () => {
    let named = 0;
    for (const module of [remoteProtocol, jobProtocol, virnetProtocol, keepaliveProtocol]) {
      for (const value of Object.values(module)) {
        if (value && typeof value === 'object' && 'encode' in value) {
          expect((value as Codec<any>).shape.kind).toMatch(/./);
          named++;
        }
      }
    }
    expect(named).toBeGreaterThan(700);
  });

  it('give a procedure the named codecs of its module', () => {
    const info = remoteProgram.procedures.get(remoteProtocol.remote_procedure.REMOTE_PROC_DOMAIN_GET_INFO)!;
    expect(info.args).toBe(remoteProtocol.remote_domain_get_info_args);
    expect(info.ret).toBe(remoteProtocol.remote_domain_get_info_ret);
    expect(fieldsOf(info.args!)[0]![1]).toBe(remoteProtocol.remote_nonnull_domain);
    const save = tsvirtJobProgram.procedures.get(jobProtocol.tsvirt_job_procedure.TSVIRT_JOB_PROC_DOMAIN_SAVE)!;
    expect(fieldsOf(save.args!)[0]![1]).toBe(remoteProtocol.remote_nonnull_domain); // imported, the same object
  });

  /** A codec's shape down to its leaves, named types as their struct fields; enough for the cases below. */
  function describeShape(codec: Codec<any>): unknown {
    const s = codec.shape;
    switch (s.kind) {
      case 'struct':
        return Object.fromEntries(s.fields.map(([n, c]) => [n, describeShape(c)]));
      case 'optional':
        return { optional: describeShape(s.of) };
      case 'array':
        return { array: describeShape(s.of), max: s.max };
      case 'fixedArray':
        return { fixedArray: describeShape(s.of), size: s.size };
      case 'fixedOpaque':
        return `fixedOpaque ${s.size}`;
      default:
        return s.kind;
    }
  }
  const domain = { name: 'string', uuid: 'fixedOpaque 16', id: 'int' };
  const proc = (name: keyof typeof remoteProtocol.remote_procedure) => remoteProgram.procedures.get(remoteProtocol.remote_procedure[name])!;

  it('match remote_protocol.x: DOMAIN_GET_INFO', () => {
    // struct remote_domain_get_info_ret { unsigned char state; unsigned hyper maxMem; unsigned hyper memory;
    //   unsigned short nrVirtCpu; unsigned hyper cpuTime; };
    const p = proc('REMOTE_PROC_DOMAIN_GET_INFO');
    expect(describeShape(p.args!)).toEqual({ dom: domain });
    expect(describeShape(p.ret!)).toEqual({ state: 'uint', maxMem: 'uhyper', memory: 'uhyper', nrVirtCpu: 'uint', cpuTime: 'uhyper' });
    expect(p.msg).toBeNull();
    expect(p.priority).toBe('low');
  });

  it('match remote_protocol.x: CONNECT_LIST_ALL_DOMAINS, DOMAIN_GET_STATE, NODE_GET_INFO', () => {
    const list = proc('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS');
    expect(describeShape(list.args!)).toEqual({ need_results: 'int', flags: 'uint' });
    expect(describeShape(list.ret!)).toEqual({ domains: { array: domain, max: remoteProtocol.REMOTE_DOMAIN_LIST_MAX }, ret: 'uint' });
    expect(list.priority).toBe('high');
    expect(describeShape(proc('REMOTE_PROC_DOMAIN_GET_STATE').ret!)).toEqual({ state: 'int', reason: 'int' });
    // char model[32]: rpcgen's char is a 4-byte int, the array fixed.
    expect(describeShape(proc('REMOTE_PROC_NODE_GET_INFO').ret!)).toMatchObject({ model: { fixedArray: 'int', size: 32 }, memory: 'uhyper' });
  });

  it('match remote_protocol.x: a typed parameter union, an event message, a stream', () => {
    const params = proc('REMOTE_PROC_DOMAIN_GET_JOB_STATS');
    const typed = describeShape(params.ret!) as { params: { array: { field: string; value: string }; max: number } };
    expect(typed.params).toEqual({ array: { field: 'string', value: 'union' }, max: remoteProtocol.REMOTE_DOMAIN_JOB_STATS_MAX });
    const value: remoteProtocol.remote_typed_param_value = { type: 7, s: 'text' };
    expect(decodeXdr(remoteProtocol.remote_typed_param_value, bytes(remoteProtocol.remote_typed_param_value, value))).toEqual(value);
    const lifecycle = proc('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE');
    expect([lifecycle.args, lifecycle.ret]).toEqual([null, null]);
    expect(describeShape(lifecycle.msg!)).toEqual({ callbackID: 'int', msg: { dom: domain, event: 'int', detail: 'int' } });
    expect(proc('REMOTE_PROC_STORAGE_VOL_DOWNLOAD').readStream).toBe(1);
    expect(proc('REMOTE_PROC_STORAGE_VOL_UPLOAD').writeStream).toBe(1);
  });
});
