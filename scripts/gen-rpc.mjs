#!/usr/bin/env node
// Generates tsvirt's codecs for libvirt's RPC protocol from libvirt's own XDR protocol descriptions:
//   src/ts/rpc/generated/virnet-protocol.ts      from src/rpc/virnetprotocol.x (packet header, errors)
//   src/ts/rpc/generated/keepalive-protocol.ts   from src/rpc/virkeepaliveprotocol.x
//   src/ts/rpc/generated/remote-protocol.ts      from src/remote/remote_protocol.x (REMOTE_PROGRAM)
//   src/ts/rpc/generated/job-protocol.ts         from tsvirt's own src/ts/rpc/tsvirt_job_protocol.x (TSVIRT_JOB_PROGRAM)
// Each holds the constants, enums, one TypeScript type and one named codec per XDR type, the codecs as one
// schema string (src/ts/rpc/xdr-schema.ts reads it, building each type on first use), and the procedure table
// as one descriptor per procedure (number, name, args/ret/msg codecs, priority, streams; src/ts/rpc/program.ts),
// used by both the daemon and the client.
//
// The .x files are read from libvirt 9.0.0's upstream tarball as Debian 12 ships it in its source package
// (libvirt_9.0.0.orig.tar.xz, checked against the SHA-256 below); nothing of it is committed. See docs/daemon.md.
// The job protocol is tsvirt's and lives in the repository; it names libvirt's types (remote_nonnull_domain,
// remote_error, ...) from remote_protocol.x.
//
// Usage: node scripts/gen-rpc.mjs [--source DIR] [--check] [--job-only]
//   --source DIR  an unpacked libvirt-9.0.0 tree (default: download Debian's source package with apt-get into
//                 a temporary folder, using the Debian mirror this machine's apt sources name)
//   --check       exit 1 if a generated file differs from what the protocol files give (writes nothing)
//   --job-only    only the job protocol, with libvirt's names read from the committed generated modules
//                 (no download: what CI and a machine without apt-get can check)
//
// The parser accepts the subset of XDR language (RFC 4506 section 6) plus rpcgen's extensions that libvirt
// uses (`%` pass-through lines, `unsigned` alone, char/short as 4-byte integers) and fails on anything else,
// naming the file and line.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repoRoot, 'src/ts/rpc/generated');

const LIBVIRT_VERSION = '9.0.0';
const ORIG_TARBALL = `libvirt_${LIBVIRT_VERSION}.orig.tar.xz`;
const ORIG_SHA256 = 'deca5cff1b7baac297bca9663907c61f71a47183371dc7ac019c107806d5435a';

/** The protocol files, in dependency order, and the public headers their external constants come from. */
const PROTOCOLS = [
  { x: 'src/rpc/virnetprotocol.x', out: 'virnet-protocol.ts' },
  { x: 'src/rpc/virkeepaliveprotocol.x', out: 'keepalive-protocol.ts', program: ['keepalive', 'KEEPALIVE_PROGRAM', 'KEEPALIVE_PROTOCOL_VERSION', 'keepalive_procedure', 'KEEPALIVE_PROC_'] },
  { x: 'src/remote/remote_protocol.x', out: 'remote-protocol.ts', program: ['remote', 'REMOTE_PROGRAM', 'REMOTE_PROTOCOL_VERSION', 'remote_procedure', 'REMOTE_PROC_'] },
];
const HEADERS = ['include/libvirt/libvirt-host.h', 'include/libvirt/libvirt-common.h.in'];
/** tsvirt's own program, compiled after libvirt's files whose types it uses; its path is in this repository. */
const JOB_PROTOCOL = {
  x: 'src/ts/rpc/tsvirt_job_protocol.x',
  out: 'job-protocol.ts',
  program: ['tsvirtJob', 'TSVIRT_JOB_PROGRAM', 'TSVIRT_JOB_PROTOCOL_VERSION', 'tsvirt_job_procedure', 'TSVIRT_JOB_PROC_'],
};

class ProtocolError extends Error {}

// ---------------------------------------------------------------------------------------------------
// Fetching the sources

function debianMirror() {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const deb822 = text.match(/^URIs:\s*(\S+\/debian)\s*$/m);
    if (deb822) return deb822[1];
    const oneLine = text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+bookworm\b/m);
    if (oneLine) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

/** Downloads Debian 12's libvirt source package into `dir` and unpacks the upstream tarball; returns the tree. */
function fetchDebianSource(dir) {
  const parts = join(dir, 'sources.list.d');
  const lists = join(dir, 'lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  mkdirSync(join(dir, 'cache', 'archives', 'partial'), { recursive: true });
  mkdirSync(parts);
  writeFileSync(join(parts, 'debian-src.sources'),
    `Types: deb-src\nURIs: ${debianMirror()}\nSuites: bookworm bookworm-updates\nComponents: main\n` +
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n');
  // Private lists and caches: the machine's apt state is neither needed nor touched.
  const apt = ['-qq', '-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${parts}`,
    '-o', `Dir::State::Lists=${lists}`, '-o', `Dir::Cache=${join(dir, 'cache')}`, '-o', 'APT::Sandbox::User=root'];
  const run = (args) => execFileSync('apt-get', [...apt, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  run(['update']);
  run(['source', '--download-only', 'libvirt']);
  const tarball = join(dir, ORIG_TARBALL);
  if (!existsSync(tarball)) throw new ProtocolError(`Debian's libvirt source package has no ${ORIG_TARBALL} (is the mirror still on bookworm?)`);
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  if (sha !== ORIG_SHA256) throw new ProtocolError(`${ORIG_TARBALL} has SHA-256 ${sha}, expected ${ORIG_SHA256}`);
  const top = `libvirt-${LIBVIRT_VERSION}`;
  execFileSync('tar', ['-xJf', tarball, '-C', dir, ...[...PROTOCOLS.map((p) => p.x), ...HEADERS].map((f) => `${top}/${f}`)]);
  return join(dir, top);
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** Tokens: identifiers, numbers, punctuation; each remembers its line and the doc comment just before it. */
function tokenize(file, text) {
  const tokens = [];
  let line = 1;
  let comment = null;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '%' && (i === 0 || text[i - 1] === '\n')) { // rpcgen pass-through line
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new ProtocolError(`${file}:${line}: unterminated comment`);
      comment = text.slice(i, end + 2);
      for (let j = i; j < end; j++) if (text[j] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (text.startsWith('//', i)) { while (i < text.length && text[i] !== '\n') i++; continue; }
    const word = /^(?:[A-Za-z_][A-Za-z0-9_]*|-?0x[0-9A-Fa-f]+|-?[0-9]+)/.exec(text.slice(i, i + 200));
    if (word) {
      tokens.push({ v: word[0], line, comment });
      comment = null;
      i += word[0].length;
      continue;
    }
    if ('{}[]<>();,=:*'.includes(c)) { tokens.push({ v: c, line, comment: null }); i++; continue; }
    throw new ProtocolError(`${file}:${line}: unexpected character '${c}'`);
  }
  return tokens;
}

class Parser {
  constructor(file, tokens) {
    this.file = file;
    this.tokens = tokens;
    this.i = 0;
  }
  fail(message, token = this.tokens[this.i]) {
    throw new ProtocolError(`${this.file}:${token ? token.line : 'end'}: ${message}`);
  }
  peek(k = 0) { return this.tokens[this.i + k]?.v; }
  next() {
    const t = this.tokens[this.i++];
    if (!t) this.fail('unexpected end of file');
    return t;
  }
  expect(v) {
    const t = this.next();
    if (t.v !== v) this.fail(`expected '${v}', found '${t.v}'`, t);
    return t;
  }
  ident() {
    const t = this.next();
    if (!/^[A-Za-z_]/.test(t.v)) this.fail(`expected a name, found '${t.v}'`, t);
    return t.v;
  }
  value() {
    const t = this.next();
    if (!/^[-A-Za-z0-9_]/.test(t.v)) this.fail(`expected a value, found '${t.v}'`, t);
    return t.v;
  }

  definitions() {
    const defs = [];
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      const kind = this.next().v;
      if (kind === 'const') {
        const name = this.ident();
        this.expect('=');
        defs.push({ kind, name, value: this.value(), line: t.line });
      } else if (kind === 'typedef') {
        defs.push({ kind, ...this.declaration(), line: t.line });
      } else if (kind === 'enum') {
        defs.push({ kind, name: this.ident(), members: this.enumBody(), line: t.line });
      } else if (kind === 'struct') {
        const name = this.ident();
        this.expect('{');
        const fields = [];
        while (this.peek() !== '}') { fields.push(this.declaration()); this.expect(';'); }
        this.expect('}');
        defs.push({ kind, name, fields, line: t.line });
      } else if (kind === 'union') {
        defs.push({ kind, name: this.ident(), ...this.unionBody(), line: t.line });
      } else {
        this.fail(`unexpected '${kind}' at top level`, t);
      }
      this.expect(';');
    }
    return defs;
  }

  enumBody() {
    this.expect('{');
    const members = [];
    for (;;) {
      const t = this.tokens[this.i];
      const name = this.ident();
      this.expect('=');
      members.push({ name, value: this.value(), comment: t.comment, line: t.line });
      if (this.peek() === ',') { this.next(); if (this.peek() === '}') break; continue; }
      break;
    }
    this.expect('}');
    return members;
  }

  unionBody() {
    this.expect('switch');
    this.expect('(');
    const disc = this.declaration();
    this.expect(')');
    this.expect('{');
    const arms = [];
    let defaultArm;
    while (this.peek() !== '}') {
      const labels = [];
      let isDefault = false;
      for (;;) {
        if (this.peek() === 'case') { this.next(); labels.push(this.value()); this.expect(':'); }
        else if (this.peek() === 'default') { this.next(); this.expect(':'); isDefault = true; }
        else break;
      }
      if (labels.length === 0 && !isDefault) this.fail(`expected 'case' or 'default', found '${this.peek()}'`);
      const decl = this.declaration();
      this.expect(';');
      if (labels.length) arms.push({ labels, decl });
      if (isDefault) defaultArm = decl;
    }
    this.expect('}');
    return { disc, arms, defaultArm };
  }

  /** type-specifier then a declarator: name, name[n], name<n>, name<>, *name, or void. */
  declaration() {
    if (this.peek() === 'void') { this.next(); return { type: { kind: 'void' }, name: null }; }
    let type;
    const word = this.next().v;
    if (word === 'unsigned') {
      const base = ['int', 'hyper', 'char', 'short', 'long'].includes(this.peek()) ? this.next().v : 'int';
      type = { kind: 'prim', name: base === 'hyper' ? 'uhyper' : 'uint' };
    } else if (['int', 'char', 'short', 'long'].includes(word)) type = { kind: 'prim', name: 'int' };
    else if (['hyper', 'float', 'double', 'bool'].includes(word)) type = { kind: 'prim', name: word };
    else if (word === 'opaque' || word === 'string') type = { kind: word };
    else if (word === 'struct' || word === 'enum' || word === 'union') type = { kind: 'named', name: this.ident() };
    else if (/^[A-Za-z_]/.test(word)) type = { kind: 'named', name: word };
    else this.fail(`expected a type, found '${word}'`);
    let optional = false;
    if (this.peek() === '*') { this.next(); optional = true; }
    const name = this.ident();
    let dim = null;
    if (this.peek() === '[') { this.next(); dim = { fixed: true, size: this.value() }; this.expect(']'); }
    else if (this.peek() === '<') {
      this.next();
      dim = { fixed: false, size: this.peek() === '>' ? null : this.value() };
      this.expect('>');
    }
    if (type.kind === 'string' && (!dim || dim.fixed)) this.fail(`string '${name}' needs <max>`);
    if (type.kind === 'opaque' && !dim) this.fail(`opaque '${name}' needs [n] or <max>`);
    if (optional && dim) this.fail(`'${name}' is both optional and an array`);
    return { type, name, optional, dim };
  }
}

/** `# define NAME (expr)` and `NAME = value,` enum members of the public headers: the externals the .x files use. */
function headerConstants(texts) {
  const constants = new Map();
  for (const text of texts) {
    for (const m of text.matchAll(/^#\s*define\s+(VIR_[A-Z0-9_]+)\s+\(?\s*([0-9]+)\s*(?:\+\s*([0-9]+))?\s*\)?\s*$/gm)) {
      constants.set(m[1], Number(m[2]) + Number(m[3] ?? 0));
    }
    for (const m of text.matchAll(/^\s*(VIR_[A-Z0-9_]+)\s*=\s*(-?[0-9]+)\s*,/gm)) constants.set(m[1], Number(m[2]));
  }
  return constants;
}

// ---------------------------------------------------------------------------------------------------
// Emitting

/** Type names the schema line format reads as something else (src/ts/rpc/xdr-schema.ts). */
const SCHEMA_RESERVED = /^(?:[iuhHfdb]|[so][0-9]*)$/;
const PRIM_LETTERS = { int: 'i', uint: 'u', hyper: 'h', uhyper: 'H', float: 'f', double: 'd', bool: 'b' };
const PRIM_CODECS = { i: 'xdrInt', u: 'xdrUInt', h: 'xdrHyper', H: 'xdrUHyper', f: 'xdrFloat', d: 'xdrDouble', b: 'xdrBool' };
const PRIM_TS = { int: 'number', uint: 'number', hyper: 'bigint', uhyper: 'bigint', float: 'number', double: 'number', bool: 'boolean' };

/**
 * Writes one module: constants and enum objects, a TypeScript type per XDR type, the codecs as one schema
 * string read by src/ts/rpc/xdr-schema.ts (each type built on first use), a named codec per type that looks it
 * up (marked pure, so bundlers drop those nobody imports), and the procedure table as one descriptor per
 * procedure (src/ts/rpc/program.ts). Loading a module thus parses one string constant and creates no codec.
 */
class Emitter {
  constructor(file, externals, imported) {
    this.file = file;
    this.externals = externals; // header constants
    this.imported = imported; // Map name -> { module, kind } from earlier protocol files
    this.constants = new Map(); // name -> number (constants and enum members of this file)
    this.types = new Map(); // name -> kind of this file's types
    this.used = new Map(); // module -> Set of imported type names used
    this.runtime = new Set();
    this.lines = [];
    this.schema = [];
    this.aliases = new Map(); // typedef name -> the primitive letter or type name it renames (first pass)
  }

  fail(line, message) { throw new ProtocolError(`${this.file}:${line}: ${message}`); }

  number(v, line) {
    if (/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(v)) return Number(v);
    if (this.constants.has(v)) return this.constants.get(v);
    const imp = this.imported.get(v);
    if (imp && imp.kind === 'const') return imp.value;
    if (this.externals.has(v)) return this.externals.get(v);
    this.fail(line, `unknown constant '${v}'`);
  }

  use(name) {
    const imp = this.imported.get(name);
    if (!imp) return;
    if (!this.used.has(imp.module)) this.used.set(imp.module, new Set());
    this.used.get(imp.module).add(name);
  }

  rt(name) { this.runtime.add(name); return name; }

  typeName(name, line) {
    if (this.types.has(name)) return name;
    if (this.imported.has(name) && this.imported.get(name).kind !== 'const') { this.use(name); return name; }
    this.fail(line, `unknown type '${name}'`);
  }

  /** A maximum as the schema writes it: the number, or nothing for 0xffffffff (`<>` in the .x file). */
  max(dim, line) {
    if (dim.size === null) return '';
    const n = this.number(dim.size, line);
    return n === 0xffffffff ? '' : String(n);
  }

  /** [TypeScript type, schema declaration] of a declaration; void is ['void', '']. */
  decl(d, line) {
    const { type, optional, dim } = d;
    if (type.kind === 'void') return ['void', ''];
    if (type.kind === 'string') return ['string', `s${this.max(dim, line)}`];
    if (type.kind === 'opaque') return ['Buffer', dim.fixed ? `o[${this.number(dim.size, line)}]` : `o${this.max(dim, line)}`];
    let ts;
    let decl;
    if (type.kind === 'prim') {
      ts = PRIM_TS[type.name];
      decl = PRIM_LETTERS[type.name];
    } else if ((this.types.get(type.name) ?? this.imported.get(type.name)?.kind) === 'enum') {
      ts = 'number'; // enums travel as int; their members are in the enum's exported object
      decl = 'i';
    } else {
      ts = this.typeName(type.name, line);
      decl = type.name;
    }
    if (optional) return [`${ts} | null`, `${decl}*`];
    if (dim?.fixed) return [`${ts}[]`, `${decl}[${this.number(dim.size, line)}]`];
    if (dim) return [`${ts}[]`, `${decl}<${this.max(dim, line)}>`];
    return [ts, decl];
  }

  /**
   * The named codec of a type. A typedef of a bare primitive or name is that codec itself, as xdr-schema.ts
   * resolves it in fields, so that both are one object (the daemon compares codecs by identity); a name of this
   * module is looked up (it may be declared further down), an imported one is the import.
   */
  codecExport(name) {
    let target = name;
    while (this.aliases.has(target)) target = this.aliases.get(target);
    let value;
    if ((this.types.get(target) ?? this.imported.get(target)?.kind) === 'enum') value = this.rt('xdrInt');
    else if (PRIM_CODECS[target]) value = this.rt(PRIM_CODECS[target]);
    else if (!this.types.has(target)) value = target;
    else value = `/* @__PURE__ */ $codec('${target}')`;
    return `export const ${name}: ${this.rt('Codec')}<${name}> = ${value};`;
  }

  emit(defs, program) {
    // First pass: names and values, so that any definition may refer to any other.
    for (const d of defs) {
      if (d.kind === 'const') this.constants.set(d.name, this.number(d.value, d.line));
      else if (d.kind === 'enum') {
        this.types.set(d.name, 'enum');
        for (const m of d.members) this.constants.set(m.name, this.number(m.value, m.line));
      } else {
        if (SCHEMA_RESERVED.test(d.name)) this.fail(d.line, `type name '${d.name}' reads as a primitive in the codec schema`);
        this.types.set(d.name, d.kind);
        if (d.kind === 'typedef' && !d.dim && !d.optional && (d.type.kind === 'prim' || d.type.kind === 'named')) {
          this.aliases.set(d.name, d.type.kind === 'prim' ? PRIM_LETTERS[d.type.name] : d.type.name);
        }
      }
    }
    const out = this.lines;
    for (const d of defs) {
      if (d.kind === 'const') {
        out.push(`export const ${d.name} = ${this.constants.get(d.name)};`);
      } else if (d.kind === 'enum') {
        out.push('', `export const ${d.name} = {`);
        for (const m of d.members) out.push(`  ${m.name}: ${this.constants.get(m.name)},`);
        out.push('} as const;');
      } else if (d.kind === 'typedef') {
        const [ts, decl] = this.decl(d, d.line);
        if (ts === 'void') this.fail(d.line, `typedef '${d.name}' of void`);
        this.types.set(d.name, this.types.get(d.type.name) === 'enum' && !d.dim && !d.optional ? 'enum' : 'typedef');
        this.schema.push(`${d.name}=${decl}`);
        out.push('', `export type ${d.name} = ${ts};`, this.codecExport(d.name));
      } else if (d.kind === 'struct') {
        out.push('', `export interface ${d.name} {`);
        const fields = [];
        for (const f of d.fields) {
          const [ts, decl] = this.decl(f, d.line);
          if (ts === 'void') this.fail(d.line, `void field in struct '${d.name}'`);
          out.push(`  ${f.name}: ${ts};`);
          fields.push(`${f.name}:${decl}`);
        }
        out.push('}', this.codecExport(d.name));
        this.schema.push(`${d.name}{${fields.join(',')}}`);
      } else if (d.kind === 'union') {
        const discName = d.disc.name;
        const [discTs, discDecl] = this.decl(d.disc, d.line);
        if (discTs !== 'number') this.fail(d.line, `union '${d.name}' discriminant must be an integer or enum`);
        const variants = [];
        const arms = [];
        for (const arm of d.arms) {
          const [ts, decl] = this.decl(arm.decl, d.line);
          const labels = arm.labels.map((label) => this.number(label, d.line));
          for (const v of labels) variants.push(ts === 'void' ? `{ ${discName}: ${v} }` : `{ ${discName}: ${v}; ${arm.decl.name}: ${ts} }`);
          arms.push(`${labels.join(',')}=${ts === 'void' ? '' : `${arm.decl.name}:${decl}`}`);
        }
        if (d.defaultArm) {
          const [ts, decl] = this.decl(d.defaultArm, d.line);
          variants.push(ts === 'void' ? `{ ${discName}: number }` : `{ ${discName}: number; ${d.defaultArm.name}: ${ts} }`);
          arms.push(`*=${ts === 'void' ? '' : `${d.defaultArm.name}:${decl}`}`);
        }
        out.push('', `export type ${d.name} =`, ...variants.map((v, i) => `  | ${v}${i === variants.length - 1 ? ';' : ''}`));
        out.push(this.codecExport(d.name));
        this.schema.push(`${d.name}|${discName}:${discDecl}|${arms.join('|')}`);
      }
    }
    if (program) this.emitProgram(defs, program);
  }

  /** The procedure table: each enum member of the procedure enum, with the `_args`/`_ret`/`_msg` types it has. */
  emitProgram(defs, [label, progConst, versConst, procEnum, procPrefix]) {
    const procs = defs.find((d) => d.kind === 'enum' && d.name === procEnum);
    if (!procs) this.fail(1, `no enum '${procEnum}'`);
    const typePrefix = procPrefix.replace(/PROC_$/, '').toLowerCase();
    const notes = [];
    for (const m of procs.members) {
      if (!m.name.startsWith(procPrefix)) this.fail(m.line, `procedure '${m.name}' lacks prefix ${procPrefix}`);
      const base = typePrefix + m.name.slice(procPrefix.length).toLowerCase();
      const annotations = parseAnnotations(m.comment ?? '');
      let note = ['args', 'ret', 'msg'].filter((suffix) => this.types.has(`${base}_${suffix}`)).map((suffix) => suffix[0]).join('');
      if ((annotations.priority ?? 'low') === 'high') note += '!';
      else if (annotations.priority !== undefined && annotations.priority !== 'low') this.fail(m.line, `priority '${annotations.priority}'`);
      if (annotations.readstream) note += `R${Number(annotations.readstream)}`;
      if (annotations.writestream) note += `W${Number(annotations.writestream)}`;
      notes.push(note || '-');
    }
    const schema = this.schema.length ? ', $codec' : '';
    this.lines.push('', `/** ${progConst}: every procedure, by number (made on first use; src/ts/rpc/program.ts reads the descriptors). */`,
      `export const ${label}Program: ${this.rt('RpcProgram')} = /* @__PURE__ */ ${this.rt('rpcProgram')}('${label}', ${progConst}, ${versConst}, ${procEnum}, ` +
      `'${procPrefix}', '${typePrefix}', '${notes.join(' ')}'${schema});`);
  }

  text(source, ours = false) {
    const header = ours
      ? [
          `// GENERATED by scripts/gen-rpc.mjs from tsvirt's ${source}: do not edit.`,
          '// Regenerate with `node scripts/gen-rpc.mjs --job-only` (or without it, with libvirt\'s files).',
          '/* eslint-disable */',
        ]
      : [
          `// GENERATED by scripts/gen-rpc.mjs from libvirt ${LIBVIRT_VERSION}'s ${source}: do not edit.`,
          '// Regenerate with `node scripts/gen-rpc.mjs`; docs/daemon.md says why this output is committed.',
          '/* eslint-disable */',
        ];
    const xdrValues = [...this.runtime].filter((n) => n.startsWith('xdr')).sort();
    if (xdrValues.length) header.push(`import { ${xdrValues.join(', ')} } from '../xdr.js';`);
    if (this.runtime.has('Codec')) header.push(`import type { Codec } from '../xdr.js';`);
    if (this.schema.length) header.push(`import { xdrSchema } from '../xdr-schema.js';`);
    if (this.runtime.has('rpcProgram')) header.push(`import { rpcProgram, type RpcProgram } from '../program.js';`);
    const imports = [];
    for (const [module, names] of this.used) {
      if (!names.size) continue;
      header.push(`import { ${[...names].sort().join(', ')} } from './${module}.js';`);
      imports.push(...[...names].sort());
    }
    const schema = [];
    if (this.schema.length) {
      schema.push('/** The codecs of the types below, one line per type (src/ts/rpc/xdr-schema.ts reads the format). */',
        `const $codec = /* @__PURE__ */ xdrSchema(\`\n${this.schema.join('\n')}\n\`${imports.length ? `, { ${imports.join(', ')} }` : ''});`, '');
    }
    const lines = this.lines[0] === '' ? this.lines.slice(1) : this.lines;
    return `${header.join('\n')}\n\n${[...schema, ...lines].join('\n')}\n`;
  }
}

function parseAnnotations(comment) {
  const notes = {};
  for (const m of comment.matchAll(/@(\w+):\s*(\S+)/g)) notes[m[1]] = m[2];
  return notes;
}

/** Compiles one protocol file; records what it defines in `imported` for the files after it. */
function compile(p, text, externals, imported, ours = false) {
  const defs = new Parser(p.x, tokenize(p.x, text)).definitions();
  const emitter = new Emitter(p.x, externals, imported);
  emitter.emit(defs, p.program);
  const module = p.out.replace(/\.ts$/, '');
  for (const [name, value] of emitter.constants) imported.set(name, { module, kind: 'const', value });
  for (const [name, kind] of emitter.types) imported.set(name, { module, kind });
  return emitter.text(p.x, ours);
}

/**
 * Parses every protocol file and returns { path: text } of the generated files. With `job`, tsvirt's job
 * protocol too (read from `jobSource`, by default this repository's file).
 */
export function generate(sourceDir, { job = false, jobSource = join(repoRoot, JOB_PROTOCOL.x) } = {}) {
  const externals = headerConstants(HEADERS.map((h) => readFileSync(join(sourceDir, h), 'utf8')));
  const imported = new Map();
  const files = {};
  for (const p of PROTOCOLS) files[join(outDir, p.out)] = compile(p, readFileSync(join(sourceDir, p.x), 'utf8'), externals, imported);
  if (job) files[join(outDir, JOB_PROTOCOL.out)] = compile(JOB_PROTOCOL, readFileSync(jobSource, 'utf8'), new Map(), imported, true);
  return files;
}

/**
 * What libvirt's protocol files define, read back from their generated modules in `dir`: constants with
 * their values, enums, and the other types by kind. It is exactly what compiling the files records, so the
 * job protocol compiles the same from either.
 */
export function importsFromGenerated(dir = outDir) {
  const imported = new Map();
  for (const p of PROTOCOLS) {
    const module = p.out.replace(/\.ts$/, '');
    const text = readFileSync(join(dir, p.out), 'utf8');
    let inEnum = false;
    for (const line of text.split('\n')) {
      if (inEnum) {
        const member = /^  ([A-Za-z_][A-Za-z0-9_]*): (-?[0-9]+),$/.exec(line);
        if (member) imported.set(member[1], { module, kind: 'const', value: Number(member[2]) });
        else if (line === '} as const;') inEnum = false;
        continue;
      }
      let m;
      if ((m = /^export const ([A-Za-z_][A-Za-z0-9_]*) = (-?[0-9]+);$/.exec(line))) imported.set(m[1], { module, kind: 'const', value: Number(m[2]) });
      else if ((m = /^export const ([A-Za-z_][A-Za-z0-9_]*) = \{$/.exec(line))) {
        imported.set(m[1], { module, kind: 'enum' });
        inEnum = true;
      } else if ((m = /^export interface ([A-Za-z_][A-Za-z0-9_]*) \{$/.exec(line))) imported.set(m[1], { module, kind: 'struct' });
      else if ((m = /^export type ([A-Za-z_][A-Za-z0-9_]*) =(.*)$/.exec(line))) imported.set(m[1], { module, kind: m[2] === '' ? 'union' : 'typedef' });
    }
  }
  return imported;
}

/** The job protocol alone, compiled against the committed generated modules (no download). */
export function generateJobOnly(jobSource = join(repoRoot, JOB_PROTOCOL.x), generatedDir = outDir) {
  return { [join(outDir, JOB_PROTOCOL.out)]: compile(JOB_PROTOCOL, readFileSync(jobSource, 'utf8'), new Map(), importsFromGenerated(generatedDir), true) };
}

function main() {
  const { values } = parseArgs({ options: { source: { type: 'string' }, check: { type: 'boolean' }, 'job-only': { type: 'boolean' } } });
  let temp = null;
  try {
    let files;
    if (values['job-only']) files = generateJobOnly();
    else {
      let source = values.source;
      if (!source) {
        temp = mkdtempSync(join(tmpdir(), 'tsvirt-gen-rpc-'));
        source = fetchDebianSource(temp);
      }
      files = generate(resolve(source), { job: true });
    }
    let stale = 0;
    for (const [file, text] of Object.entries(files)) {
      const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
      if (current === text) continue;
      if (values.check) { console.error(`gen-rpc: ${relative(repoRoot, file)} is stale`); stale++; continue; }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      console.log(`gen-rpc: wrote ${relative(repoRoot, file)}`);
    }
    if (values.check && !values['job-only']) {
      const known = new Set(Object.keys(files));
      for (const f of existsSync(outDir) ? readdirSync(outDir) : []) {
        if (!known.has(join(outDir, f))) { console.error(`gen-rpc: ${relative(repoRoot, join(outDir, f))} is not generated`); stale++; }
      }
    }
    if (stale) process.exit(1);
  } catch (err) {
    if (err instanceof ProtocolError) { console.error(`gen-rpc: ${err.message}`); process.exit(1); }
    throw err;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
