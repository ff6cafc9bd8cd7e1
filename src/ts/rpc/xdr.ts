// XDR (RFC 4506) as libvirt's RPC uses it: big-endian, every item padded to 4 bytes, variable-length items
// prefixed by their length and checked against the declared maximum, optional data as a bool then the value.
// Codecs are small composable objects; xdr-schema.ts builds every type of src/ts/rpc/generated/ from them.
import { ErrorDomain, ErrorNumber } from '../errors/codes.js';
import { VirError } from '../errors/vir-error.js';

/** What malformed or out-of-range XDR data raises: libvirt's RPC error, so callers never see a foreign exception. */
export function xdrError(message: string): VirError {
  return new VirError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, message);
}

const padding = (n: number) => (4 - (n & 3)) & 3;

export class XdrReader {
  private offset: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(n: number): number {
    if (n > this.end - this.offset) throw xdrError(`XDR data ends ${n - (this.end - this.offset)} bytes too early`);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  uint(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  hyper(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }

  uhyper(): bigint {
    return this.buf.readBigUInt64BE(this.take(8));
  }

  float(): number {
    return this.buf.readFloatBE(this.take(4));
  }

  double(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  bool(): boolean {
    const v = this.uint();
    if (v > 1) throw xdrError(`XDR boolean is ${v}, not 0 or 1`);
    return v === 1;
  }

  /** A length prefix, refused before anything is allocated when it exceeds `max` or the data left. */
  length(max: number, what: string): number {
    const n = this.uint();
    if (n > max) throw xdrError(`XDR ${what} length ${n} exceeds maximum ${max}`);
    return n;
  }

  fixedOpaque(n: number): Buffer {
    const at = this.take(n + padding(n));
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  opaque(max: number): Buffer {
    return this.fixedOpaque(this.length(max, 'opaque'));
  }

  string(max: number): string {
    const n = this.length(max, 'string');
    const at = this.take(n + padding(n));
    return this.buf.toString('utf8', at, at + n);
  }
}

export class XdrWriter {
  private buf: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.offset;
  }

  /**
   * Reserves `n` bytes and returns where they start. It may replace `this.buf`: callers take the offset
   * first and only then touch `this.buf` (`this.buf.writeX(v, this.room(4))` would write to the old buffer).
   */
  private room(n: number): number {
    if (this.offset + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.offset + n));
      this.buf.copy(next, 0, 0, this.offset);
      this.buf = next;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** The bytes written so far (a view: valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  /** Overwrites a 4-byte word already written, e.g. a length known only at the end. */
  patchUInt(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  int(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw xdrError(`XDR int out of range: ${v}`);
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
  }

  uint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw xdrError(`XDR unsigned int out of range: ${v}`);
    const at = this.room(4);
    this.buf.writeUInt32BE(v, at);
  }

  hyper(v: bigint): void {
    if (typeof v !== 'bigint' || v < -(1n << 63n) || v >= 1n << 63n) throw xdrError(`XDR hyper out of range: ${v}`);
    const at = this.room(8);
    this.buf.writeBigInt64BE(v, at);
  }

  uhyper(v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw xdrError(`XDR unsigned hyper out of range: ${v}`);
    const at = this.room(8);
    this.buf.writeBigUInt64BE(v, at);
  }

  float(v: number): void {
    const at = this.room(4);
    this.buf.writeFloatBE(v, at);
  }

  double(v: number): void {
    const at = this.room(8);
    this.buf.writeDoubleBE(v, at);
  }

  bool(v: boolean): void {
    this.uint(v ? 1 : 0);
  }

  fixedOpaque(v: Uint8Array, n: number): void {
    if (v.length !== n) throw xdrError(`XDR fixed opaque must be ${n} bytes, got ${v.length}`);
    const at = this.room(n + padding(n));
    this.buf.set(v, at);
    this.buf.fill(0, at + n, at + n + padding(n));
  }

  /** Bytes as they are, unpadded: the payload of a stream data packet is not XDR. */
  raw(v: Uint8Array): void {
    const at = this.room(v.length);
    this.buf.set(v, at);
  }

  opaque(v: Uint8Array, max: number): void {
    if (v.length > max) throw xdrError(`XDR opaque length ${v.length} exceeds maximum ${max}`);
    this.uint(v.length);
    this.fixedOpaque(v, v.length);
  }

  string(v: string, max: number): void {
    if (typeof v !== 'string') throw xdrError(`XDR string expected, got ${typeof v}`);
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > max) throw xdrError(`XDR string length ${bytes.length} exceeds maximum ${max}`);
    this.uint(bytes.length);
    this.fixedOpaque(bytes, bytes.length);
  }
}

/**
 * What a codec encodes, so code that converts values to and from the wire (the daemon's dispatch) can
 * follow a type's structure without a hand-written mapping per type.
 */
export type Shape =
  | { kind: 'void' | 'int' | 'uint' | 'hyper' | 'uhyper' | 'float' | 'double' | 'bool' | 'string' | 'opaque' }
  | { kind: 'fixedOpaque'; size: number }
  | { kind: 'optional'; of: Codec<any> }
  | { kind: 'array'; of: Codec<any>; max: number }
  | { kind: 'fixedArray'; of: Codec<any>; size: number }
  | { kind: 'struct'; fields: ReadonlyArray<readonly [string, Codec<any>]> }
  | { kind: 'union' };

export interface Codec<T> {
  readonly shape: Shape;
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

export const xdrVoid: Codec<void> = { shape: { kind: 'void' }, encode() {}, decode() {} };
export const xdrInt: Codec<number> = { shape: { kind: 'int' }, encode: (w, v) => w.int(v), decode: (r) => r.int() };
export const xdrUInt: Codec<number> = { shape: { kind: 'uint' }, encode: (w, v) => w.uint(v), decode: (r) => r.uint() };
export const xdrHyper: Codec<bigint> = { shape: { kind: 'hyper' }, encode: (w, v) => w.hyper(v), decode: (r) => r.hyper() };
export const xdrUHyper: Codec<bigint> = { shape: { kind: 'uhyper' }, encode: (w, v) => w.uhyper(v), decode: (r) => r.uhyper() };
export const xdrFloat: Codec<number> = { shape: { kind: 'float' }, encode: (w, v) => w.float(v), decode: (r) => r.float() };
export const xdrDouble: Codec<number> = { shape: { kind: 'double' }, encode: (w, v) => w.double(v), decode: (r) => r.double() };
export const xdrBool: Codec<boolean> = { shape: { kind: 'bool' }, encode: (w, v) => w.bool(v), decode: (r) => r.bool() };

export const xdrString = (max: number): Codec<string> => ({
  shape: { kind: 'string' },
  encode: (w, v) => w.string(v, max),
  decode: (r) => r.string(max),
});

export const xdrOpaque = (max: number): Codec<Buffer> => ({
  shape: { kind: 'opaque' },
  encode: (w, v) => w.opaque(v, max),
  decode: (r) => r.opaque(max),
});

export const xdrFixedOpaque = (n: number): Codec<Buffer> => ({
  shape: { kind: 'fixedOpaque', size: n },
  encode: (w, v) => w.fixedOpaque(v, n),
  decode: (r) => r.fixedOpaque(n),
});

/** `type *name`: present or not (null). */
export const xdrOptional = <T>(c: Codec<T>): Codec<T | null> => ({
  shape: { kind: 'optional', of: c },
  encode(w, v) {
    w.bool(v !== null && v !== undefined);
    if (v !== null && v !== undefined) c.encode(w, v);
  },
  decode: (r) => (r.bool() ? c.decode(r) : null),
});

/** `type name<max>`: each element at least 4 bytes, so a count beyond the data left is refused up front. */
export const xdrArray = <T>(c: Codec<T>, max: number): Codec<T[]> => ({
  shape: { kind: 'array', of: c, max },
  encode(w, v) {
    if (!Array.isArray(v)) throw xdrError(`XDR array expected, got ${typeof v}`);
    if (v.length > max) throw xdrError(`XDR array length ${v.length} exceeds maximum ${max}`);
    w.uint(v.length);
    for (const item of v) c.encode(w, item);
  },
  decode(r) {
    const n = r.length(max, 'array');
    if (n * 4 > r.remaining) throw xdrError(`XDR array of ${n} elements is longer than the data left`);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = c.decode(r);
    return out;
  },
});

/** `type name[n]`. */
export const xdrFixedArray = <T>(c: Codec<T>, n: number): Codec<T[]> => ({
  shape: { kind: 'fixedArray', of: c, size: n },
  encode(w, v) {
    if (!Array.isArray(v) || v.length !== n) throw xdrError(`XDR fixed array must have ${n} elements`);
    for (const item of v) c.encode(w, item);
  },
  decode(r) {
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = c.decode(r);
    return out;
  },
});

/** A struct: fields in declaration order. */
export function xdrStruct<T extends object>(fields: ReadonlyArray<readonly [string, Codec<any>]>): Codec<T> {
  return {
    shape: { kind: 'struct', fields },
    encode(w, v) {
      if (v === null || typeof v !== 'object') throw xdrError(`XDR struct expected, got ${v === null ? 'null' : typeof v}`);
      const record = v as Record<string, unknown>;
      for (const [name, c] of fields) c.encode(w, record[name]);
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [name, c] of fields) out[name] = c.decode(r);
      return out as T;
    },
  };
}

/**
 * A discriminated union, as `{ [discriminant]: value, [arm]: armValue }`; an arm of `void` has no property.
 * A discriminant without an arm and no default arm is an error, as RFC 4506 says.
 */
export function xdrUnion<T extends object>(
  discriminant: string,
  discCodec: Codec<number>,
  arms: ReadonlyMap<number, readonly [string, Codec<any>] | null>,
  defaultArm?: readonly [string, Codec<any>] | null,
): Codec<T> {
  const armOf = (d: number) => {
    const arm = arms.has(d) ? arms.get(d) : defaultArm;
    if (arm === undefined) throw xdrError(`XDR union discriminant ${d} has no arm`);
    return arm;
  };
  return {
    shape: { kind: 'union' },
    encode(w, v) {
      const record = v as Record<string, unknown>;
      const d = record[discriminant] as number;
      const arm = armOf(d);
      discCodec.encode(w, d);
      if (arm) arm[1].encode(w, record[arm[0]]);
    },
    decode(r) {
      const d = discCodec.decode(r);
      const arm = armOf(d);
      const out: Record<string, unknown> = { [discriminant]: d };
      if (arm) out[arm[0]] = arm[1].decode(r);
      return out as T;
    },
  };
}

/**
 * A codec built on first use: what src/ts/rpc/xdr-schema.ts gives for each type of a generated protocol, so that
 * only the procedures a process calls build their codecs (a short `tsvirsh -c test+unix://… list` builds a
 * handful), and types may refer to each other in any order, or to themselves. Its shape is the built codec's.
 * Once built it costs one call more than the codec itself.
 */
class DeferredCodec<T> implements Codec<T> {
  private codec: Codec<T> | undefined;

  constructor(private readonly build: () => Codec<T>) {}

  private get built(): Codec<T> {
    return (this.codec ??= this.build());
  }

  get shape(): Shape {
    return this.built.shape;
  }

  encode(w: XdrWriter, v: T): void {
    this.built.encode(w, v);
  }

  decode(r: XdrReader): T {
    return this.built.decode(r);
  }
}

export function xdrDeferred<T>(build: () => Codec<T>): Codec<T> {
  return new DeferredCodec(build);
}

/** Decodes exactly the whole buffer: trailing bytes are an error, as in libvirt. */
export function decodeXdr<T>(c: Codec<T>, buf: Buffer, start = 0, end = buf.length): T {
  const r = new XdrReader(buf, start, end);
  const v = c.decode(r);
  if (r.remaining !== 0) throw xdrError(`XDR data has ${r.remaining} unexpected trailing bytes`);
  return v;
}
