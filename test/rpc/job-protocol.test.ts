// tsvirt's job program (src/ts/rpc/tsvirt_job_protocol.x -> generated/job-protocol.ts): the procedure table,
// the bytes of its values, round trips of every payload, malformed input, and that the committed codec is
// exactly what the generator makes of the committed .x file (checked here without downloading libvirt).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { generate, generateJobOnly } from '../../scripts/gen-rpc.mjs';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import {
  TSVIRT_JOB_PROGRAM,
  TSVIRT_JOB_PROTOCOL_VERSION,
  tsvirt_job_domain_save_args,
  tsvirt_job_event_msg,
  tsvirt_job_get_error_ret,
  tsvirt_job_info,
  tsvirt_job_procedure,
  tsvirt_job_start_flags,
  tsvirtJobProgram,
} from '../../src/ts/rpc/generated/job-protocol.js';
import { remote_nonnull_domain } from '../../src/ts/rpc/generated/remote-protocol.js';
import { decodePacket, decodePayload, encodePacketWith, VIR_NET_CALL, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/ts/rpc/packet.js';
import { findProcedure, PROGRAMS } from '../../src/ts/rpc/programs.js';
import { type Codec, decodeXdr, type Shape, XdrWriter } from '../../src/ts/rpc/xdr.js';

function encodeXdr<T>(codec: Codec<T>, value: T): Buffer {
  const w = new XdrWriter();
  codec.encode(w, value);
  return Buffer.from(w.bytes());
}

/** A value of every field of `codec`, different per seed, optional values present or not by seed. */
function sample(codec: Codec<any>, seed: number): any {
  const shape = codec.shape;
  switch (shape.kind) {
    case 'int':
      return -seed;
    case 'uint':
      return seed * 7 + 1;
    case 'hyper':
      return BigInt(-seed) * 1000000007n;
    case 'uhyper':
      return BigInt(seed) * 4294967311n;
    case 'bool':
      return seed % 2 === 0;
    case 'string':
      return `s${seed}-é`;
    case 'opaque':
      return Buffer.from([seed, seed + 1, seed + 2]);
    case 'fixedOpaque':
      return Buffer.alloc(shape.size, seed);
    case 'optional':
      return seed % 2 ? sample(shape.of, seed + 1) : null;
    case 'array':
      return [sample(shape.of, seed), sample(shape.of, seed + 1)];
    case 'fixedArray':
      return Array.from({ length: shape.size }, (_, i) => sample(shape.of, seed + i));
    case 'struct':
      return Object.fromEntries(shape.fields.map(([name, c], i) => [name, sample(c, seed + i)]));
    default:
      throw new Error(`no sample for ${shape.kind}`);
  }
}

function expectRpcError(fn: () => unknown, text: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(VirError);
  expect((caught as VirError).code).toBe(ErrorNumber.VIR_ERR_RPC);
  expect((caught as VirError).domain).toBe(ErrorDomain.VIR_FROM_RPC);
  expect((caught as VirError).message).toMatch(text);
}

describe('the job program', () => {
  it("is program 'tsvj', version 1, known to the program table", () => {
    expect(TSVIRT_JOB_PROGRAM).toBe(0x7473766a);
    expect(Buffer.from(TSVIRT_JOB_PROGRAM.toString(16), 'hex').toString('latin1')).toBe('tsvj');
    expect(TSVIRT_JOB_PROTOCOL_VERSION).toBe(1);
    expect(PROGRAMS.get(TSVIRT_JOB_PROGRAM)).toBe(tsvirtJobProgram);
    expect(tsvirt_job_start_flags.TSVIRT_JOB_START_CANCEL_ON_DISCONNECT).toBe(1);
  });

  it('has a procedure for each job variant, the job calls and the pushed event', () => {
    const names = [...tsvirtJobProgram.procedures.values()].map((p) => p.name.replace('TSVIRT_JOB_PROC_', ''));
    expect(names).toEqual([
      'DOMAIN_CREATE', 'DOMAIN_CREATE_XML', 'DOMAIN_SAVE', 'DOMAIN_RESTORE', 'DOMAIN_CORE_DUMP', 'NETWORK_CREATE',
      'NETWORK_CREATE_XML', 'STORAGE_VOL_CREATE_XML', 'STORAGE_VOL_CREATE_XML_FROM', 'STORAGE_VOL_WIPE', 'GET_INFO',
      'CANCEL', 'WAIT', 'GET_ERROR', 'LOOKUP_BY_ID', 'CONNECT_LIST_ALL_JOBS', 'GET_OBJECTS', 'SUBSCRIBE',
      'UNSUBSCRIBE', 'EVENT',
    ]);
    for (const p of tsvirtJobProgram.procedures.values()) {
      expect(tsvirt_job_procedure[p.name as keyof typeof tsvirt_job_procedure]).toBe(p.number);
      if (p.name === 'TSVIRT_JOB_PROC_EVENT') {
        expect([p.args, p.ret, p.msg !== null]).toEqual([null, null, true]);
        continue;
      }
      expect(p.args).not.toBeNull();
      expect(p.msg).toBeNull();
      // Every start procedure ends with job_flags and answers the job.
      if (p.number <= 10) {
        const fields = (p.args!.shape as Extract<Shape, { kind: 'struct' }>).fields.map(([n]) => n);
        expect(fields.at(-1)).toBe('job_flags');
        expect((p.ret!.shape as Extract<Shape, { kind: 'struct' }>).fields.map(([n]) => n)).toEqual(['job']);
      }
    }
  });

  it("uses libvirt's own types for objects and errors", () => {
    const save = tsvirt_job_domain_save_args.shape as Extract<Shape, { kind: 'struct' }>;
    expect(save.fields[0]).toEqual(['dom', remote_nonnull_domain]);
  });

  it('encodes a save call as XDR', () => {
    const uuid = Buffer.from('6695eb01f6a44304aa8cb5bfee9f0a20', 'hex');
    const bytes = encodeXdr(tsvirt_job_domain_save_args, { dom: { name: 'test', uuid, id: 1 }, to: '/tmp/a', flags: 2, job_flags: 1 });
    expect(bytes.toString('hex')).toBe(
      '00000004' + Buffer.from('test').toString('hex') + uuid.toString('hex') + '00000001' +
        '00000006' + Buffer.from('/tmp/a').toString('hex') + '0000' + '00000002' + '00000001',
    );
  });

  it('encodes job info with 64-bit figures', () => {
    const info = { type: 0, state: 0, timeElapsed: 1500n, timeRemaining: 2500n, dataTotal: 2n ** 33n, dataProcessed: 2n ** 31n, dataRemaining: 2n ** 33n - 2n ** 31n, percentComplete: 25 };
    const bytes = encodeXdr(tsvirt_job_info, info);
    expect(bytes.length).toBe(4 + 4 + 5 * 8 + 4);
    expect(bytes.subarray(8, 16).toString('hex')).toBe('00000000000005dc');
    expect(bytes.subarray(24, 32).toString('hex')).toBe('0000000200000000');
    expect(decodeXdr(tsvirt_job_info, bytes)).toEqual(info);
  });

  it('round-trips every payload of every procedure, as packets', () => {
    let serial = 1;
    for (const p of tsvirtJobProgram.procedures.values()) {
      for (const [type, codec] of [[VIR_NET_CALL, p.args], [VIR_NET_REPLY, p.ret], [VIR_NET_MESSAGE, p.msg]] as const) {
        if (!codec) continue;
        for (const seed of [1, 2]) {
          const value = sample(codec, seed);
          const header = { prog: TSVIRT_JOB_PROGRAM, vers: 1, proc: p.number, type, serial: serial++, status: VIR_NET_OK };
          const packet = decodePacket(encodePacketWith(header, codec, value));
          expect(packet.header).toEqual(header);
          const payload = decodePayload(packet);
          expect(payload).toEqual({ kind: 'xdr', value });
        }
      }
    }
  });

  it("carries a job's error as libvirt's remote_error, or none", () => {
    const none = encodeXdr(tsvirt_job_get_error_ret, { error: null });
    expect(none.toString('hex')).toBe('00000000');
    const error = { code: 1, domain: 10, message: 'operation aborted: domain save job: canceled by client', level: 2, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null };
    expect(decodeXdr(tsvirt_job_get_error_ret, encodeXdr(tsvirt_job_get_error_ret, { error }))).toEqual({ error });
    const msg = { id: 9, event: 1, info: { type: 0, state: 3, timeElapsed: 1n, timeRemaining: 0n, dataTotal: 0n, dataProcessed: 0n, dataRemaining: 0n, percentComplete: 0 }, error };
    expect(decodeXdr(tsvirt_job_event_msg, encodeXdr(tsvirt_job_event_msg, msg))).toEqual(msg);
  });

  it('refuses malformed payloads with an RPC error', () => {
    const good = encodeXdr(tsvirt_job_domain_save_args, { dom: { name: 'test', uuid: Buffer.alloc(16), id: 1 }, to: '/x', flags: 0, job_flags: 0 });
    expectRpcError(() => decodeXdr(tsvirt_job_domain_save_args, good.subarray(0, good.length - 4)), /too early|ends/);
    expectRpcError(() => decodeXdr(tsvirt_job_domain_save_args, Buffer.concat([good, Buffer.alloc(4)])), /trailing/);
    const list = findProcedure(TSVIRT_JOB_PROGRAM, tsvirt_job_procedure.TSVIRT_JOB_PROC_CONNECT_LIST_ALL_JOBS)!;
    const huge = Buffer.from('0001000100000000', 'hex'); // 65537 jobs: over TSVIRT_JOB_LIST_MAX
    expectRpcError(() => decodeXdr(list.ret!, huge), /65537|exceeds/);
    expectRpcError(
      () => decodePayload(decodePacket(encodePacketWith({ prog: TSVIRT_JOB_PROGRAM, vers: 1, proc: 99, type: VIR_NET_CALL, serial: 1, status: VIR_NET_OK }, null, undefined))),
      /unknown procedure 99/,
    );
  });

  it('is what the generator makes of the committed .x file', () => {
    const files = generateJobOnly() as Record<string, string>;
    const entries = Object.entries(files);
    expect(entries).toHaveLength(1);
    const [path, text] = entries[0]!;
    expect(path.endsWith('src/ts/rpc/generated/job-protocol.ts')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("compiles the same from libvirt's files as from their committed output (--job-only)", () => {
    // A small libvirt tree and job protocol: enums, constants, structs, optional and array types imported.
    const root = mkdtempSync(join(tmpdir(), 'jobrpc-gen-'));
    try {
      const files: Record<string, string> = {
        'include/libvirt/libvirt-host.h': '# define VIR_UUID_BUFLEN (16)\n',
        'include/libvirt/libvirt-common.h.in': '',
        'src/rpc/virnetprotocol.x': 'struct net_header { unsigned prog; };\n',
        'src/rpc/virkeepaliveprotocol.x': 'const KEEPALIVE_PROGRAM = 7;\nconst KEEPALIVE_PROTOCOL_VERSION = 1;\nenum keepalive_procedure { KEEPALIVE_PROC_PING = 1 };\n',
        'src/remote/remote_protocol.x': [
          'const REMOTE_STRING_MAX = 4096;',
          'typedef string remote_nonnull_string<REMOTE_STRING_MAX>;',
          'typedef opaque remote_uuid[VIR_UUID_BUFLEN];',
          'struct remote_nonnull_domain { remote_nonnull_string name; remote_uuid uuid; int id; };',
          'typedef remote_nonnull_domain *remote_domain;',
          'enum remote_kind { REMOTE_KIND_A = 3 };',
          'union remote_value switch (int type) { case 1: int i; default: void; };',
          'const REMOTE_PROGRAM = 0x20008086;',
          'const REMOTE_PROTOCOL_VERSION = 1;',
          'enum remote_procedure { REMOTE_PROC_X = 1 };',
        ].join('\n'),
        'job.x': [
          'const TSVIRT_JOB_PROGRAM = 0x7473766a;',
          'const TSVIRT_JOB_PROTOCOL_VERSION = 1;',
          'struct tsvirt_job_thing_args { remote_nonnull_domain dom; remote_domain maybe; remote_nonnull_string names<REMOTE_STRING_MAX>; remote_kind kind; remote_value v; int k[REMOTE_KIND_A]; };',
          'enum tsvirt_job_procedure { TSVIRT_JOB_PROC_THING = 1 };',
        ].join('\n'),
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const full = generate(root, { job: true, jobSource: join(root, 'job.x') }) as Record<string, string>;
      const generated = join(root, 'generated');
      mkdirSync(generated);
      for (const [path, text] of Object.entries(full)) writeFileSync(join(generated, basename(path)), text);
      const jobPath = Object.keys(full).find((p) => p.endsWith('job-protocol.ts'))!;
      expect(full[jobPath]).toContain(
        "import { remote_domain, remote_nonnull_domain, remote_nonnull_string, remote_value } from './remote-protocol.js';",
      );
      // The imported types reach the schema through its imports; an imported enum travels as int, an imported
      // constant is its number.
      expect(full[jobPath]).toContain(
        'tsvirt_job_thing_args{dom:remote_nonnull_domain,maybe:remote_domain,names:remote_nonnull_string<4096>,kind:i,v:remote_value,k:i[3]}\n`, { remote_domain, remote_nonnull_domain, remote_nonnull_string, remote_value });',
      );
      expect(generateJobOnly(join(root, 'job.x'), generated)).toEqual({ [jobPath]: full[jobPath] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
