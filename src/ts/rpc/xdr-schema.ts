// The codecs of a generated protocol module (src/ts/rpc/generated/), described by one string instead of one
// closure per type: loading libvirt's remote protocol (~900 types) then costs a string constant, and only the
// types a process uses are parsed and built, on first use. Bundlers drop the named codecs nobody imports, and
// the code cache holds a few functions instead of ~900 (docs/benchmarks.md, "Remote driver").
//
// One type per line, written by scripts/gen-rpc.mjs:
//   name{field:decl,field:decl}                        struct
//   name=decl                                          typedef
//   name|disc:decl|1,2=field:decl|3=|*=field:decl      union: discriminant, arms by label (`=` alone: void),
//                                                      `*` the default arm
// decl: a primitive letter (i int, u unsigned int, h hyper, H unsigned hyper, f float, d double, b bool),
//   s<max> string, o<max> opaque, o[n] fixed opaque (an empty <max> is 0xffffffff), or a type name; then
//   optionally `*` (optional), `<max>` (variable-length array, empty max 0xffffffff) or `[n]` (fixed array).
// Names are rpcgen's, so that none is a primitive letter or s/o followed by digits (the generator checks).
import {
  type Codec,
  xdrArray,
  xdrBool,
  xdrDeferred,
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
  xdrUHyper,
  xdrUInt,
  xdrUnion,
} from './xdr.js';

/** A protocol module's codecs by type name: the same codec object for a name every time. */
export type XdrSchema = (name: string) => Codec<any>;

const PRIMITIVES: Readonly<Record<string, Codec<any>>> = {
  i: xdrInt,
  u: xdrUInt,
  h: xdrHyper,
  H: xdrUHyper,
  f: xdrFloat,
  d: xdrDouble,
  b: xdrBool,
};

const UNBOUNDED = 0xffffffff;
/** Lookups by search before the whole text is indexed. */
const MAX_SEARCHES = 64;
const DECL = /^([A-Za-z_][A-Za-z0-9_]*)(\*|<([0-9]*)>|\[([0-9]+)\])?$/;

/** A fault of the schema text or of a name asked for: a bug in the generated module or its caller. */
function schemaError(message: string): Error {
  return new Error(`XDR schema: ${message}`);
}

/**
 * The codecs of `text`, each built on its first use and kept. `imports` are the codecs of other modules' types
 * that this module's types name (the job protocol names libvirt's remote_nonnull_domain, ...).
 */
export function xdrSchema(text: string, imports: Readonly<Record<string, Codec<any>>> = {}): XdrSchema {
  const codecs = new Map<string, Codec<any>>();
  const body = text.startsWith('\n') ? text : `\n${text}`;
  let lines: Map<string, string | undefined> | undefined;
  let searches = 0;

  // A short command builds a dozen types: each line is found by searching the text (2–30 µs in libvirt's 54 KB
  // schema), where indexing its ~700 lines costs a process that has not run this code yet 2–3 ms. A process
  // that builds many types, the daemon, indexes the text once after MAX_SEARCHES searches.
  const lineOf = (name: string): string | undefined => {
    if (lines?.has(name)) return lines.get(name);
    if (++searches === MAX_SEARCHES) {
      lines = new Map();
      for (const line of body.split('\n')) {
        if (line === '') continue;
        const end = line.search(/[{=|]/);
        if (end <= 0) throw schemaError(`malformed line '${line}'`);
        lines.set(line.slice(0, end), line);
      }
    }
    if (searches >= MAX_SEARCHES) return lines!.get(name);
    const needle = `\n${name}`;
    let found: string | undefined;
    for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + 1)) {
      const next = body.charCodeAt(at + needle.length);
      if (next === 0x7b /* { */ || next === 0x3d /* = */ || next === 0x7c /* | */) {
        const end = body.indexOf('\n', at + 1);
        found = body.slice(at + 1, end < 0 ? body.length : end);
        break;
      }
    }
    (lines ??= new Map()).set(name, found);
    return found;
  };

  /** A named type as a field's codec: a typedef of a bare primitive or name is that codec itself. */
  const ref = (name: string, from: string): Codec<any> => {
    const line = lineOf(name);
    if (line === undefined) {
      if (Object.hasOwn(imports, name)) return imports[name]!;
      throw schemaError(`unknown type '${name}' (in '${from}')`);
    }
    const alias = /^[A-Za-z_][A-Za-z0-9_]*=([A-Za-z_][A-Za-z0-9_]*)$/.exec(line)?.[1];
    if (alias !== undefined && !/^[so][0-9]*$/.test(alias)) return PRIMITIVES[alias] ?? ref(alias, name);
    return schema(name);
  };

  const decl = (text: string, from: string): Codec<any> => {
    const m = DECL.exec(text);
    if (!m) throw schemaError(`malformed declaration '${text}' (in '${from}')`);
    const [, base, suffix, max, size] = m;
    if (base === 'o' && size !== undefined) return xdrFixedOpaque(Number(size));
    let codec: Codec<any>;
    if (/^[so][0-9]*$/.test(base!)) {
      const limit = base!.length > 1 ? Number(base!.slice(1)) : UNBOUNDED;
      codec = base![0] === 's' ? xdrString(limit) : xdrOpaque(limit);
    } else codec = PRIMITIVES[base!] ?? ref(base!, from);
    if (suffix === undefined) return codec;
    if (suffix === '*') return xdrOptional(codec);
    if (size !== undefined) return xdrFixedArray(codec, Number(size));
    return xdrArray(codec, max === '' ? UNBOUNDED : Number(max));
  };

  const build = (name: string): Codec<any> => {
    const line = lineOf(name);
    if (line === undefined) throw schemaError(`unknown type '${name}'`);
    const body = line.slice(name.length + 1);
    switch (line[name.length]) {
      case '=':
        return decl(body, name);
      case '{': {
        if (!body.endsWith('}')) throw schemaError(`malformed struct '${name}'`);
        const fields = body === '}' ? [] : body.slice(0, -1).split(',').map((f) => field(f, name));
        return xdrStruct(fields);
      }
      default: {
        const [disc, ...armTexts] = body.split('|');
        const [discName, discCodec] = field(disc!, name);
        const arms = new Map<number, readonly [string, Codec<any>] | null>();
        let defaultArm: readonly [string, Codec<any>] | null | undefined;
        for (const armText of armTexts) {
          const eq = armText.indexOf('=');
          if (eq <= 0) throw schemaError(`malformed arm '${armText}' of union '${name}'`);
          const arm = eq === armText.length - 1 ? null : field(armText.slice(eq + 1), name);
          for (const label of armText.slice(0, eq).split(',')) {
            if (label === '*') defaultArm = arm;
            else if (/^-?[0-9]+$/.test(label)) arms.set(Number(label), arm);
            else throw schemaError(`malformed arm '${armText}' of union '${name}'`);
          }
        }
        return xdrUnion(discName, discCodec, arms, defaultArm);
      }
    }
  };

  const field = (text: string, from: string): readonly [string, Codec<any>] => {
    const colon = text.indexOf(':');
    if (colon <= 0) throw schemaError(`malformed field '${text}' (in '${from}')`);
    return [text.slice(0, colon), decl(text.slice(colon + 1), from)];
  };

  function schema(name: string): Codec<any> {
    let codec = codecs.get(name);
    if (!codec) {
      codec = xdrDeferred(() => build(name));
      codecs.set(name, codec);
    }
    return codec;
  }
  return schema;
}
