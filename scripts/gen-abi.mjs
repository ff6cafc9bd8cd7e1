#!/usr/bin/env node
// Generates the ABI tables from the public C headers, so the headers stay the one place where
// tsvirt's C ABI is written down:
//   src/ffi/abi.generated.ts      functions, structs, callbacks and constants, with koffi type strings
//   native/exports.generated.txt  the sorted names of every symbol libtsvirt must export
//   src/ts/core/enums.generated.ts the headers' enums for the TypeScript APIs
//   src/ts/errors/codes.ts        virErrorLevel, virErrorDomain and virErrorNumber
//   native/src/libvirt/entry_points.generated.c, .h
//                                 the C entry points that hand their arguments to the bridge, and the
//                                 numbers of the operations (ABI_FN_*) the bridge dispatches
//
// Usage: node scripts/gen-abi.mjs [--headers DIR] [--ts FILE] [--exports FILE] [--enums FILE] [--errors FILE]
//                                 [--entry-points FILE] [--entry-header FILE] [--check | --json]
//   --check  exit 1 if an output file differs from what the headers give (writes nothing)
//   --json   print the parsed declarations as JSON on stdout (writes nothing); the tests use it
//
// The parser reads only our own headers, whose style is kept regular on purpose (see the top of
// include/libvirt/libvirt.h): comments and preprocessor lines are set aside, the rest is split into
// statements at top-level semicolons, and each statement must match one known declaration shape.
// Anything else is an error naming the file and line, never a silent skip.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The headers a program includes directly; every other header must be reachable from these. */
const ROOT_HEADERS = ['libvirt.h', 'virterror.h'];

/** C spellings of the primitive types the headers use, mapped to koffi's names. */
const PRIMITIVES = new Map([
  ['void', 'void'],
  ['char', 'char'],
  ['signed char', 'int8_t'],
  ['unsigned char', 'unsigned char'],
  ['short', 'short'],
  ['unsigned short', 'unsigned short'],
  ['int', 'int'],
  ['unsigned int', 'unsigned int'],
  ['long', 'long'],
  ['unsigned long', 'unsigned long'],
  ['long long', 'long long'],
  ['unsigned long long', 'unsigned long long'],
  ['size_t', 'size_t'],
  ['double', 'double'],
]);

class HeaderError extends Error {}

function fail(file, line, message) {
  throw new HeaderError(`${file}:${line}: ${message}`);
}

/** Replaces comments by spaces, keeping newlines so that offsets still give line numbers. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

function lineAt(text, offset) {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}

/** Marks code written between "#ifdef VIR_ENUM_SENTINELS" and its "#endif". */
const SENTINEL_MARK = '__SENTINEL__';

/**
 * Runs the part of the preprocessor our headers need: collects object-like macros and libvirt/
 * includes, drops C++-only blocks, marks sentinel blocks, and returns the remaining code with
 * preprocessor lines blanked (line numbers preserved).
 */
function preprocess(file, text) {
  const lines = stripComments(text).split('\n');
  const code = [];
  const includes = [];
  const macros = [];
  // One entry per open conditional: 'skip' (C++ only), 'sentinel' or 'plain'.
  const conditionals = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const number = i + 1;
    if (/^\s*#/.test(line)) {
      // Directives may continue over several lines.
      let extra = 0;
      while (/\\\s*$/.test(line)) {
        extra++;
        line = line.replace(/\\\s*$/, ' ') + (lines[i + extra] ?? '');
      }
      for (let k = 0; k <= extra; k++) code.push('');
      i += extra;
      const skipping = conditionals.includes('skip');
      const directive = line.replace(/^\s*#\s*/, '');
      const [keyword] = directive.split(/\s+/, 1);
      if (keyword === 'if' || keyword === 'ifdef' || keyword === 'ifndef') {
        const condition = directive.slice(keyword.length).trim();
        if (keyword === 'ifdef' && condition === '__cplusplus') conditionals.push('skip');
        else if (keyword === 'ifdef' && condition === 'VIR_ENUM_SENTINELS') conditionals.push('sentinel');
        else conditionals.push('plain');
      } else if (keyword === 'else' || keyword === 'elif') {
        if (conditionals.length === 0) fail(file, number, `#${keyword} without #if`);
        if (conditionals.at(-1) !== 'plain') fail(file, number, `#${keyword} in a __cplusplus or VIR_ENUM_SENTINELS block`);
      } else if (keyword === 'endif') {
        if (conditionals.pop() === undefined) fail(file, number, '#endif without #if');
      } else if (skipping) {
        // Directives inside C++-only blocks do not concern C declarations.
      } else if (keyword === 'include') {
        const match = /^include\s*<libvirt\/([\w.-]+)>/.exec(directive);
        if (match) includes.push({ name: match[1], line: number });
      } else if (keyword === 'define') {
        const match = /^define\s+(\w+)(\()?\s*(.*)$/.exec(directive);
        if (!match) fail(file, number, `cannot parse #define: ${directive}`);
        // Function-like macros are conveniences for callers, not part of the ABI.
        if (!match[2]) macros.push({ name: match[1], body: match[3].trim(), line: number });
      } else if (!['undef', 'error', 'pragma'].includes(keyword)) {
        fail(file, number, `unexpected directive #${keyword}`);
      }
      continue;
    }
    if (conditionals.includes('skip')) code.push('');
    else if (conditionals.includes('sentinel') && line.trim() !== '') code.push(`${SENTINEL_MARK} ${line}`);
    else code.push(line);
  }
  if (conditionals.length > 0) fail(file, lines.length, 'unterminated #if');
  return { code: code.join('\n'), includes, macros };
}

/** Splits code into statements at semicolons outside braces and parentheses. */
function splitStatements(file, code) {
  const statements = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') {
      depth--;
      if (depth < 0) fail(file, lineAt(code, i), `unbalanced "${c}"`);
    } else if (c === ';' && depth === 0) {
      const raw = code.slice(start, i);
      const offset = start + raw.search(/\S|$/);
      statements.push({ text: raw.replace(/\s+/g, ' ').trim(), line: lineAt(code, offset) });
      start = i + 1;
    }
  }
  const rest = code.slice(start);
  if (rest.trim() !== '') fail(file, lineAt(code, start + rest.search(/\S/)), `declaration without ";": ${rest.trim().slice(0, 60)}`);
  return statements.filter((s) => s.text !== '');
}

// ---- constant expressions (enum values, array lengths, macros) ----

/** Evaluates an integer constant expression; names resolve through lookup. Returns undefined if it is not one. */
function evaluate(expression, lookup) {
  const tokens = expression.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\w+|<<|>>|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const binary = [
    ['|'],
    ['^'],
    ['&'],
    ['<<', '>>'],
    ['+', '-'],
    ['*', '/', '%'],
  ];
  const parseLevel = (level) => {
    if (level === binary.length) return parseUnary();
    let left = parseLevel(level + 1);
    while (binary[level].includes(peek())) {
      const op = next();
      left = apply(op, left, parseLevel(level + 1));
    }
    return left;
  };
  const apply = (op, left, right) => {
    switch (op) {
      case '|': return left | right;
      case '^': return left ^ right;
      case '&': return left & right;
      case '<<': return left << right;
      case '>>': return left >> right;
      case '+': return left + right;
      case '-': return left - right;
      case '*': return left * right;
      case '/': return left / right; // BigInt: throws RangeError on 0, which makes it "not a constant"
      default: return left % right;
    }
  };
  const parseUnary = () => {
    const token = next();
    if (token === undefined) throw new RangeError('unexpected end');
    if (token === '-') return -parseUnary();
    if (token === '+') return parseUnary();
    if (token === '~') return ~parseUnary();
    if (token === '(') {
      const value = parseLevel(0);
      if (next() !== ')') throw new RangeError('missing )');
      return value;
    }
    if (/^\d/.test(token)) return BigInt(token.replace(/[uUlL]+$/, ''));
    if (/^\w+$/.test(token)) {
      const value = lookup(token);
      if (value === undefined) throw new RangeError(`unknown name ${token}`);
      return value;
    }
    throw new RangeError(`unexpected ${token}`);
  };
  try {
    const value = parseLevel(0);
    return pos === tokens.length ? value : undefined;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

// ---- declarations ----

/** Splits "const char *name" into its type and name; arrays give a length expression. */
function splitDeclarator(file, line, text, noise) {
  const words = text.split(/(\*)|\s+/).filter((w) => w && !noise.has(w));
  const cleaned = words.join(' ').replace(/ \*/g, ' *').replace(/\* (?=\*)/g, '*');
  const match = /^(.*?)\s*\b(\w+)\s*(?:\[\s*(.+?)\s*\])?$/.exec(cleaned);
  if (!match || match[1] === '' || /^(const|unsigned|signed|struct)$/.test(match[1].trim())) {
    fail(file, line, `cannot tell type from name in "${text}"`);
  }
  return { type: normalizeType(match[1]), name: match[2], length: match[3] };
}

/** One spelling per C type: single spaces, "*" attached to the type ("char **const"). */
function normalizeType(type) {
  return type.replace(/\s+/g, ' ').replace(/\s*\*\s*/g, ' *').replace(/\* (?=\*)/g, '*').replace(/\*const\b/g, '*const').trim();
}

function parseParameters(file, line, text, noise) {
  const list = text.trim();
  if (list === 'void') return [];
  if (list === '') fail(file, line, 'empty parameter list: write (void)');
  return list.split(',').map((p) => {
    const { type, name, length } = splitDeclarator(file, line, p.trim(), noise);
    if (length !== undefined) fail(file, line, `array parameter "${p.trim()}": write a pointer`);
    return { name, type };
  });
}

function parseEnum(file, line, body, name) {
  const members = [];
  for (const part of body.split(',')) {
    let text = part.trim();
    if (text === '') continue;
    const sentinel = text.startsWith(SENTINEL_MARK);
    if (sentinel) text = text.slice(SENTINEL_MARK.length).trim();
    const match = /^(\w+)\s*(?:=\s*(.+))?$/.exec(text);
    if (!match) fail(file, line, `cannot parse member "${text}" of enum ${name}`);
    members.push({ name: match[1], expression: match[2]?.trim(), sentinel });
  }
  if (members.length === 0) fail(file, line, `enum ${name} has no members`);
  return members;
}

/** Classifies one statement into the declarations list. */
function parseStatement(file, { text, line }, noise, decls) {
  if (text.includes(SENTINEL_MARK) && !/^typedef enum\b/.test(text)) {
    fail(file, line, 'VIR_ENUM_SENTINELS may only guard enum members');
  }
  let m;
  if ((m = /^typedef enum \{(.*)\} ?(\w+)$/.exec(text))) {
    decls.enums.push({ name: m[2], header: file, line, members: parseEnum(file, line, m[1], m[2]) });
  } else if ((m = /^typedef struct (\w+) (\w+)$/.exec(text))) {
    decls.structAliases.push({ tag: m[1], name: m[2], header: file, line });
  } else if ((m = /^typedef (.+?) ?\( ?\* ?(\w+) ?\) ?\((.*)\)$/.exec(text))) {
    decls.callbacks.push({ name: m[2], header: file, line, result: normalizeType(m[1]), parameters: parseParameters(file, line, m[3], noise) });
  } else if ((m = /^typedef (\w+) ?\*(\w+)$/.exec(text))) {
    decls.pointerAliases.push({ target: m[1], name: m[2], header: file, line });
  } else if ((m = /^struct (\w+) ?\{(.*)\}$/.exec(text))) {
    const fields = m[2].split(';').map((f) => f.trim()).filter(Boolean)
      .map((f) => splitDeclarator(file, line, f, noise));
    decls.structBodies.push({ tag: m[1], header: file, line, fields });
  } else if ((m = /^VIR_EXPORT_VAR (.+)$/.exec(text))) {
    const { type, name, length } = splitDeclarator(file, line, m[1], noise);
    if (length !== undefined) fail(file, line, `exported array ${name} is not supported`);
    decls.variables.push({ name, header: file, line, type });
  } else if ((m = /^([^()]*?)(\w+)\((.*)\)$/.exec(text)) && m[1].trim() !== '' && !m[1].includes('typedef')) {
    decls.functions.push({ name: m[2], header: file, line, result: normalizeType(m[1]), parameters: parseParameters(file, line, m[3], noise) });
  } else {
    fail(file, line, `cannot parse declaration: ${text.slice(0, 80)}`);
  }
}

/** Reads every header reachable from the root headers of dir, in include order. */
function parseHeaders(dir) {
  const decls = { headers: [], functions: [], variables: [], enums: [], structAliases: [], structBodies: [],
    pointerAliases: [], callbacks: [], macros: [] };
  const parsed = new Map();
  const visit = (name, from) => {
    if (parsed.has(name)) return;
    const path = join(dir, name);
    if (!existsSync(path)) {
      if (from) fail(from.file, from.line, `included header libvirt/${name} does not exist`);
      return;
    }
    parsed.set(name, null);
    const { code, includes, macros } = preprocess(name, readFileSync(path, 'utf8'));
    decls.headers.push(name);
    for (const macro of macros) decls.macros.push({ ...macro, header: name });
    const statements = splitStatements(name, code);
    // A header's own declarations follow the headers it includes, as the compiler sees them.
    for (const include of includes) visit(include.name, { file: name, line: include.line });
    // Macros that expand to nothing or to keywords and attributes (VIR_DEPRECATED) are not part of
    // a declaration's type; numeric macros are all upper case and never appear in declarators.
    const noise = new Set(decls.macros.filter((m) => m.body === '' || /[a-z]/.test(m.body)).map((m) => m.name));
    for (const statement of statements) parseStatement(name, statement, noise, decls);
  };
  if (!existsSync(join(dir, ROOT_HEADERS[0]))) throw new HeaderError(`${dir}: no ${ROOT_HEADERS[0]}`);
  for (const root of ROOT_HEADERS) visit(root);
  const unreachable = readdirSync(dir).filter((f) => f.endsWith('.h') && !parsed.has(f));
  if (unreachable.length > 0) {
    throw new HeaderError(`${unreachable.join(', ')}: not included from ${ROOT_HEADERS.join(' or ')}, so no program sees it`);
  }
  return decls;
}

// ---- from declarations to the ABI model ----

function checkUnique(items, what) {
  const seen = new Map();
  for (const item of items) {
    const previous = seen.get(item.name);
    if (previous) fail(item.header, item.line, `${what} ${item.name} already declared at ${previous.header}:${previous.line}`);
    seen.set(item.name, item);
  }
}

/** Builds the model the outputs are written from: resolved koffi types, evaluated values. */
function buildModel(decls) {
  checkUnique([...decls.functions, ...decls.variables], 'symbol');
  checkUnique([...decls.enums, ...decls.structAliases, ...decls.pointerAliases, ...decls.callbacks], 'type');
  checkUnique(decls.enums.flatMap((e) => e.members.map((m) => ({ ...m, header: e.header, line: e.line }))), 'enum constant');

  const bodies = new Map(decls.structBodies.map((b) => [b.tag, b]));
  const aliasByTag = new Map(decls.structAliases.map((a) => [a.tag, a]));
  for (const body of decls.structBodies) {
    if (!aliasByTag.has(body.tag)) fail(body.header, body.line, `struct ${body.tag} has no typedef name`);
  }
  const types = new Map();
  for (const alias of decls.structAliases) types.set(alias.name, { kind: bodies.has(alias.tag) ? 'struct' : 'opaque' });
  for (const e of decls.enums) types.set(e.name, { kind: 'enum' });
  for (const cb of decls.callbacks) types.set(cb.name, { kind: 'callback' });
  for (const p of decls.pointerAliases) types.set(p.name, { kind: 'pointer', target: p.target, header: p.header, line: p.line });

  /** Maps a C type to koffi's spelling: typedefs resolved, enums as int, callbacks as prototype pointers. */
  const koffiType = (cType, where) => {
    const match = /^(const )?([\w ]+?)( ?\**)(const)?$/.exec(cType);
    if (!match) fail(where.header, where.line, `unsupported type "${cType}"`);
    const [, constant, base, stars] = match;
    let pointers = stars.trim().length;
    let name = base;
    // Follow "typedef X *XPtr" chains down to a named type.
    for (let info = types.get(name); info?.kind === 'pointer'; info = types.get(name)) {
      name = info.target;
      pointers++;
    }
    const info = types.get(name);
    let koffi;
    if (PRIMITIVES.has(name)) koffi = PRIMITIVES.get(name);
    else if (!info) fail(where.header, where.line, `unknown type "${name}" in ${where.what}`);
    else if (info.kind === 'enum') koffi = 'int';
    else if (info.kind === 'callback') {
      koffi = name;
      pointers++;
    } else koffi = name;
    return `${constant && pointers > 0 ? 'const ' : ''}${koffi}${pointers > 0 ? ' ' + '*'.repeat(pointers) : ''}`;
  };
  const describe = (list, where) => list.map((p) => ({ name: p.name, c: p.type, koffi: koffiType(p.type, { ...where, what: `${where.what} parameter ${p.name}` }) }));
  for (const p of decls.pointerAliases) {
    if (!types.has(p.target) && !PRIMITIVES.has(p.target)) fail(p.header, p.line, `unknown type "${p.target}" in typedef ${p.name}`);
  }

  // Numeric macros, then enum members in order: both may refer to earlier ones.
  const values = new Map();
  const constants = [];
  const lookup = (name) => values.get(name);
  for (const macro of decls.macros) {
    const value = macro.body === '' ? undefined : evaluate(macro.body, lookup);
    if (value !== undefined) {
      values.set(macro.name, value);
      constants.push({ name: macro.name, header: macro.header, line: macro.line, value: Number(value) });
    }
  }
  checkUnique(constants, 'macro');
  const enums = decls.enums.map((e) => {
    let nextValue = 0n;
    const members = e.members.map((m) => {
      const value = m.expression === undefined ? nextValue : evaluate(m.expression, lookup);
      if (value === undefined) fail(e.header, e.line, `cannot evaluate ${m.name} = ${m.expression}`);
      values.set(m.name, value);
      nextValue = value + 1n;
      return { name: m.name, value: Number(value), sentinel: m.sentinel };
    });
    return { name: e.name, header: e.header, members };
  });

  const structs = decls.structAliases.filter((a) => bodies.has(a.tag)).map((alias) => {
    const body = bodies.get(alias.tag);
    const fields = body.fields.map((f) => {
      const where = { header: body.header, line: body.line, what: `field ${alias.name}.${f.name}` };
      const field = { name: f.name, c: f.type, koffi: koffiType(f.type, where) };
      if (f.length === undefined) return field;
      const length = evaluate(f.length, lookup);
      if (length === undefined || length <= 0n) fail(body.header, body.line, `cannot evaluate the length of ${where.what}`);
      return { ...field, lengthExpression: f.length, koffi: `${field.koffi}[${length}]` };
    });
    return { name: alias.name, tag: alias.tag, header: body.header, fields };
  });

  return {
    headers: decls.headers,
    typedefs: [
      ...decls.structAliases.map((a) => ({ name: a.name, header: a.header, c: `struct ${a.tag}` })),
      ...decls.pointerAliases.map((p) => ({ name: p.name, header: p.header, c: `${p.target} *` })),
    ],
    opaqueTypes: decls.structAliases.filter((a) => !bodies.has(a.tag)).map((a) => ({ name: a.name, header: a.header })),
    structs,
    callbacks: decls.callbacks.map((cb) => ({
      name: cb.name, header: cb.header, result: { c: cb.result, koffi: koffiType(cb.result, { ...cb, what: `callback ${cb.name}` }) },
      parameters: describe(cb.parameters, { ...cb, what: `callback ${cb.name}` }),
    })),
    functions: decls.functions.map((f) => ({
      name: f.name, header: f.header, line: f.line, result: { c: f.result, koffi: koffiType(f.result, { ...f, what: `result of ${f.name}` }) },
      parameters: describe(f.parameters, { ...f, what: f.name }),
    })),
    variables: decls.variables.map((v) => ({ name: v.name, header: v.header, c: v.type, koffi: koffiType(v.type, { ...v, what: v.name }) })),
    enums,
    constants,
  };
}

// ---- outputs ----

const q = (s) => `'${s}'`;
const parameterList = (parameters) => `[${parameters.map((p) => `{ name: ${q(p.name)}, type: ${q(p.koffi)} }`).join(', ')}]`;

function renderTypeScript(model) {
  const out = [];
  out.push('// Generated by scripts/gen-abi.mjs from include/libvirt/*.h: do not edit. Change the headers, then run');
  out.push('// `node scripts/gen-abi.mjs`. Types are koffi type strings: typedef pointers are resolved (virDomainPtr is');
  out.push("// 'virDomain *'), enums are 'int', a callback typedef T is used as 'T *', fixed arrays are 'char[N]'.");
  out.push('');
  out.push('/** A parameter of a function or callback: its name in the header and its koffi type. */');
  out.push('export interface AbiParameter {');
  out.push('  readonly name: string;');
  out.push('  readonly type: string;');
  out.push('}');
  out.push('');
  out.push('/** A function or callback prototype, and the header that declares it. */');
  out.push('export interface AbiPrototype {');
  out.push('  readonly header: string;');
  out.push('  readonly result: string;');
  out.push('  readonly parameters: readonly AbiParameter[];');
  out.push('}');
  out.push('');
  out.push('/** Structs whose handles are opaque: declare each with koffi.opaque(name). */');
  out.push(`export const abiOpaqueTypes = [${model.opaqueTypes.map((t) => q(t.name)).join(', ')}] as const;`);
  out.push('');
  out.push('/** Structs with public fields, in declaration order: declare each with koffi.struct(name, fields). */');
  out.push('export const abiStructs = {');
  for (const s of model.structs) out.push(`  ${s.name}: ${parameterList(s.fields)},`);
  out.push('} as const satisfies Record<string, readonly AbiParameter[]>;');
  out.push('');
  out.push('/** Callback typedefs: declare each with koffi.proto(name, result, parameter types). */');
  out.push('export const abiCallbacks = {');
  for (const cb of model.callbacks) {
    out.push(`  ${cb.name}: { header: ${q(cb.header)}, result: ${q(cb.result.koffi)}, parameters: ${parameterList(cb.parameters)} },`);
  }
  out.push('} as const satisfies Record<string, AbiPrototype>;');
  out.push('');
  out.push('/** Every function libtsvirt exports, in header order. */');
  out.push('export const abiFunctions = {');
  for (const f of model.functions) {
    out.push(`  ${f.name}: { header: ${q(f.header)}, result: ${q(f.result.koffi)}, parameters: ${parameterList(f.parameters)} },`);
  }
  out.push('} as const satisfies Record<string, AbiPrototype>;');
  out.push('');
  out.push('export type AbiFunctionName = keyof typeof abiFunctions;');
  out.push('');
  out.push('/**');
  out.push(' * The functions whose C entry point hands its arguments to the bridge (native/src/libvirt/entry_points.generated.c),');
  out.push(' * in the order of their numbers: the shape of the result, and where each argument travels in abi_args');
  out.push(' * (native/src/abi/abi_bridge.h): hN:kind handle N of that kind, sN string N, nN number N, pN pointer N.');
  out.push(' */');
  out.push('export const abiCalls = {');
  for (const { f, result, args } of model.bridged) {
    const list = args.map((a) => `${a.name}: ${q(a.slot + (a.kind ? `:${a.kind}` : ''))}`).join(', ');
    out.push(`  ${f.name}: { result: ${q(result)}, args: { ${list} } },`);
  }
  out.push('} as const;');
  out.push('');
  out.push('/** Data symbols libtsvirt exports, with their koffi types. */');
  out.push('export const abiVariables = {');
  for (const v of model.variables) out.push(`  ${v.name}: ${q(v.koffi)},`);
  out.push('} as const satisfies Record<string, string>;');
  out.push('');
  out.push('/** Numeric macros of the headers. */');
  out.push('export const abiConstants = {');
  for (const c of model.constants) out.push(`  ${c.name}: ${c.value},`);
  out.push('} as const satisfies Record<string, number>;');
  out.push('');
  return out.join('\n');
}

/** The TypeScript API's view of the headers' enums: one `as const` object per enum, sentinels left out. */
function enumObject(e, name = e.name, doc = null) {
  const out = [];
  if (doc) out.push(`/** ${doc} */`);
  out.push(`export const ${name} = {`);
  for (const m of e.members.filter((m) => !m.sentinel)) out.push(`  ${m.name}: ${m.value},`);
  out.push('} as const;');
  return out;
}

const ERROR_ENUMS = {
  virErrorLevel: ['ErrorLevel', "libvirt's virErrorLevel."],
  virErrorDomain: ['ErrorDomain', "libvirt's virErrorDomain: which part of the library raised the error."],
  virErrorNumber: ['ErrorNumber', "libvirt's virErrorNumber: what went wrong."],
};

const GENERATED = '// Generated by scripts/gen-abi.mjs from include/libvirt/*.h: do not edit. The values are ABI.';

function renderEnums(model) {
  const out = [GENERATED, ''];
  for (const e of model.enums.filter((e) => !ERROR_ENUMS[e.name])) out.push(...enumObject(e), '');
  return out.join('\n');
}

function renderErrorCodes(model) {
  const out = [GENERATED, ''];
  for (const [cName, [name, doc]] of Object.entries(ERROR_ENUMS)) {
    const e = model.enums.find((candidate) => candidate.name === cName);
    if (!e) continue; // a header set without virterror.h (the generator's own tests)
    out.push(...enumObject(e, name, doc));
    out.push(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`, '');
  }
  return out.join('\n');
}

function renderExports(model) {
  const names = [...model.functions, ...model.variables].map((s) => s.name);
  return names.sort().join('\n') + '\n';
}

// ---- the C entry points that hand their arguments to the bridge ----

/**
 * Public functions whose C entry point is written by hand in native/src/libvirt/; every other function
 * of the headers gets a generated one (and so do all of NATIVE_HEADERS', which are 'native').
 *  - 'native': served by C alone, never by the drivers (virStreamSendAll, virStreamRecvAll and their sparse
 *    forms loop over virStreamSend, virStreamRecvFlags and the hole calls in C, as libvirt's client library does).
 *  - 'published': answers from what the bridge published (abi_object.h, abi_job.h) when it can, else
 *    calls the generated forwarder, named abi_bridged_<function>, which asks the drivers.
 *  - 'forwarded': always calls its generated forwarder, abi_bridged_<function>, and does in C what must
 *    happen on the caller's thread around it (virConnectDomainEventDeregisterAny calls the freecb), or what
 *    the bridge cannot tell (a domain argument that may be NULL, but not a freed handle).
 * The functions of NATIVE_HEADERS are all 'native'.
 */
const HAND_WRITTEN = {
  virInitialize: 'native',
  virStreamSendAll: 'native',
  virStreamRecvAll: 'native',
  virStreamSparseSendAll: 'native',
  virStreamSparseRecvAll: 'native',
  virDomainGetInfo: 'published',
  virDomainGetState: 'published',
  virDomainGetID: 'published',
  virDomainGetUUID: 'published',
  virDomainGetUUIDString: 'published',
  virDomainIsActive: 'published',
  virDomainIsPersistent: 'published',
  virNetworkGetUUID: 'published',
  virNetworkGetUUIDString: 'published',
  virNetworkIsActive: 'published',
  virNetworkIsPersistent: 'published',
  virStoragePoolGetUUID: 'published',
  virStoragePoolGetUUIDString: 'published',
  virStoragePoolGetInfo: 'published',
  virStoragePoolIsActive: 'published',
  virStoragePoolIsPersistent: 'published',
  virJobGetInfo: 'published',
  virConnectDomainEventRegisterAny: 'forwarded',
  virConnectDomainEventDeregisterAny: 'forwarded',
  virConnectRegisterCloseCallback: 'forwarded',
  virConnectUnregisterCloseCallback: 'forwarded',
};

/** Headers whose functions C serves alone (native/src/libvirt/vir_error.c, vir_event.c). */
const NATIVE_HEADERS = new Set(['virterror.h', 'libvirt-event.h']);

/** The handle slot that keeps a `const char *` result (abi_handle.h: ABI_KEPT_*); the others keep it as
 * their name (a connection its type, a job its operation). */
const KEPT_SLOTS = { virStorageVolGetKey: 'ABI_KEPT_KEY' };

/** How many of each kind of argument abi_args holds. */
const SLOTS = { h: 2, s: 2, n: 3, p: 3 };

/** What an integer result other than int is on failure: 0 for amounts (virDomainGetMaxMemory), else -1 as
 * the type (virDomainGetID's (unsigned int)-1). */
const FAILED_RESULTS = { 'unsigned long': '0' };

const INTEGERS = new Set(['char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long', 'long long',
  'unsigned long long', 'size_t', 'int8_t', 'unsigned char']);

/** virStoragePool: 'storagePool' for TypeScript, ABI_KIND_STORAGE_POOL for C. */
const handleKind = (type) => type.replace(/^vir/, '').replace(/^./, (c) => c.toLowerCase());
const cKind = (kind) => `ABI_KIND_${kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** For every function the bridge serves: its result shape and the abi_args slot of each argument. */
function bridgedFunctions(model) {
  const handles = new Set(model.opaqueTypes.map((t) => t.name));
  const handleOf = (koffi, stars) => {
    const m = /^(\w+) (\*+)$/.exec(koffi);
    return m && m[2].length === stars && handles.has(m[1]) ? handleKind(m[1]) : null;
  };
  return model.functions
    .filter((f) => !NATIVE_HEADERS.has(f.header) && HAND_WRITTEN[f.name] !== 'native')
    .map((f) => {
      const used = { h: 0, s: 0, n: 0, p: 0 };
      const args = f.parameters.map((p, i) => {
        const kind = handleOf(p.koffi, 1);
        // A `const char *` followed by its size_t length is bytes (virStreamSend's data), not a string.
        const text = p.koffi === 'const char *' && f.parameters[i + 1]?.koffi !== 'size_t';
        const letter = kind ? 'h' : text ? 's' : INTEGERS.has(p.koffi) ? 'n' : p.koffi.endsWith('*') ? 'p' : null;
        if (!letter) fail(f.header, f.line, `${f.name}: the bridge cannot pass parameter ${p.name} of type ${p.c}`);
        if (used[letter] === SLOTS[letter]) fail(f.header, f.line, `${f.name}: abi_args has no room for parameter ${p.name}`);
        return { name: p.name, c: p.c, slot: `${letter}${used[letter]++}`, kind };
      });
      const r = f.result.koffi;
      let result;
      if (r === 'int' && f.parameters.some((p) => handleOf(p.koffi, 3))) result = 'list';
      else if (INTEGERS.has(r) || r === 'void') result = 'int';
      else if (handleOf(r, 1)) result = 'handle';
      else if (r === 'char *' || r === 'const char *') result = 'string';
      else if (r.endsWith('*')) result = 'pointer';
      else fail(f.header, f.line, `${f.name}: the bridge cannot return ${f.result.c}`);
      return { f, result, args, forwarded: ['published', 'forwarded'].includes(HAND_WRITTEN[f.name]) };
    });
}

const C_GENERATED = '/* Generated by scripts/gen-abi.mjs from the headers of include/libvirt: do not edit. */';

/** "type name" as C declares it: "const char *name", "char **const names", "int maxids". */
const declare = (type, name) => (type.endsWith('*') ? `${type}${name}` : `${type} ${name}`);
const signature = ({ f }, name = f.name) =>
  declare(f.result.c, `${name}(${f.parameters.map((p) => declare(p.c, p.name)).join(', ') || 'void'})`);

function renderEntryHeader(model) {
  const out = [C_GENERATED, '', '/* clang-format off */', '#ifndef TSVIRT_ENTRY_POINTS_GENERATED_H', '#define TSVIRT_ENTRY_POINTS_GENERATED_H', '',
    '#include "abi_handle.h"', '', '/* The public functions the bridge serves, in header order (their ABI_FN_* numbers). */',
    '#define ABI_PUBLIC_FUNCTIONS(X) \\'];
  let line = '   ';
  for (const { f } of model.bridged) {
    if (line.length + f.name.length + 4 > 110) {
      out.push(`${line} \\`);
      line = '   ';
    }
    line += ` X(${f.name})`;
  }
  out.push(line, '', '/* The bridge\'s half of the entry points written by hand (native/src/libvirt/). */');
  for (const b of model.bridged.filter((b) => b.forwarded)) out.push(`ABI_INTERNAL ${signature(b, `abi_bridged_${b.f.name}`)};`);
  out.push('', '#endif', '');
  return out.join('\n');
}

function renderEntryPoints(model) {
  const out = [C_GENERATED, '', '/* clang-format off */', '#include "abi_bridge.h"', ''];
  const SHAPES = { int: 'abi_int', list: 'abi_list', handle: 'abi_pointer', pointer: 'abi_pointer', string: 'abi_string' };
  for (const b of model.bridged) {
    const { f, result, args } = b;
    const slots = { h: [], s: [], n: [], p: [] };
    for (const a of args) {
      const value = a.kind ? `{${cKind(a.kind)}, ${a.name}}` : a.slot[0] === 'p' ? `(void *)${a.name}` : a.name;
      slots[a.slot[0]].push(value);
    }
    const fields = Object.entries({ handle: slots.h, str: slots.s, num: slots.n, ptr: slots.p })
      .filter(([, values]) => values.length > 0)
      .map(([field, values]) => `.${field} = {${values.join(', ')}}`);
    const capacity = args.find((a) => a.slot[0] === 'n' && /^max[a-z]/.test(a.name));
    if (capacity) fields.push(`.capacity = ${capacity.name}`);
    const call = (shape, ...extra) => `${shape}(ABI_FN_${f.name}, &(abi_args){${fields.join(', ')}}${extra.map((e) => `, ${e}`).join('')})`;
    let body;
    if (f.result.koffi === 'void') body = `${call('abi_int')};`;
    else if (f.result.koffi === 'const char *') body = `return ${call('abi_kept_string', KEPT_SLOTS[f.name] ?? 'ABI_KEPT_NAME')};`;
    else if (result === 'int' && f.result.koffi !== 'int') body = `return (${f.result.c})${call('abi_number', FAILED_RESULTS[f.result.c] ?? '-1')};`;
    else body = `return ${call(SHAPES[result])};`;
    out.push(`${signature(b, b.forwarded ? `abi_bridged_${f.name}` : f.name)} { ${body} }`);
  }
  out.push('');
  return out.join('\n');
}

// ---- command line ----

function main() {
  const { values: options } = parseArgs({
    options: {
      headers: { type: 'string', default: join(repoRoot, 'include', 'libvirt') },
      ts: { type: 'string', default: join(repoRoot, 'src', 'ffi', 'abi.generated.ts') },
      exports: { type: 'string', default: join(repoRoot, 'native', 'exports.generated.txt') },
      enums: { type: 'string', default: join(repoRoot, 'src', 'ts', 'core', 'enums.generated.ts') },
      errors: { type: 'string', default: join(repoRoot, 'src', 'ts', 'errors', 'codes.ts') },
      'entry-points': { type: 'string', default: join(repoRoot, 'native', 'src', 'libvirt', 'entry_points.generated.c') },
      'entry-header': { type: 'string', default: join(repoRoot, 'native', 'src', 'libvirt', 'entry_points.generated.h') },
      check: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (options.check && options.json) throw new HeaderError('--check and --json exclude each other');
  const model = buildModel(parseHeaders(resolve(options.headers)));
  if (options.json) {
    process.stdout.write(JSON.stringify(model, null, 2) + '\n');
    return 0;
  }
  model.bridged = bridgedFunctions(model);
  const outputs = [
    [resolve(options.ts), renderTypeScript(model)],
    [resolve(options.exports), renderExports(model)],
    [resolve(options.enums), renderEnums(model)],
    [resolve(options.errors), renderErrorCodes(model)],
    [resolve(options['entry-points']), renderEntryPoints(model)],
    [resolve(options['entry-header']), renderEntryHeader(model)],
  ];
  if (options.check) {
    const stale = outputs.filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text);
    for (const [path] of stale) console.error(`gen-abi: ${relative(process.cwd(), path)} is out of date; run node scripts/gen-abi.mjs`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [path, text] of outputs) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  // Mistakes in the headers or on the command line are reported plainly; anything else is a bug.
  if (!(error instanceof HeaderError) && !error.code?.startsWith('ERR_PARSE_ARGS')) throw error;
  console.error(`gen-abi: ${error.message}`);
  process.exitCode = 1;
}
