// The declarations of include/libvirt as scripts/gen-abi.mjs parses them (its --json output), and the
// C probe programs the tests build from them.
import { run } from './c-compiler.js';

export interface TypedName {
  name: string;
  /** C spelling, e.g. "const char *" or "char **const". */
  c: string;
  /** koffi spelling, e.g. "virDomain *" or "char[32]". */
  koffi: string;
}

export interface AbiModel {
  headers: string[];
  typedefs: { name: string; header: string; c: string }[];
  opaqueTypes: { name: string; header: string }[];
  structs: { name: string; tag: string; header: string; fields: (TypedName & { lengthExpression?: string })[] }[];
  callbacks: { name: string; header: string; result: Omit<TypedName, 'name'>; parameters: TypedName[] }[];
  functions: { name: string; header: string; line: number; result: Omit<TypedName, 'name'>; parameters: TypedName[] }[];
  variables: (TypedName & { header: string })[];
  enums: { name: string; header: string; members: { name: string; value: number; sentinel: boolean }[] }[];
  constants: { name: string; header: string; line: number; value: number }[];
}

/** Parses the headers in headersDir (default: ours) through the generator; throws with its message on failure. */
export function loadAbiModel(headersDir?: string): AbiModel {
  const result = run('node', ['scripts/gen-abi.mjs', '--json', ...(headersDir ? ['--headers', headersDir] : [])]);
  if (result.status !== 0) throw new Error(`gen-abi --json failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as AbiModel;
}

/** libvirt-job.h is tsvirt's own, except for the virError typedefs it carries for libvirt. */
const JOB_HEADER = 'libvirt-job.h';
const LIBVIRT_NAMES_IN_JOB_HEADER = new Set(['virError', 'virErrorPtr']);
export const isLibvirtDeclaration = (item: { name: string; header: string }): boolean =>
  item.header !== JOB_HEADER || LIBVIRT_NAMES_IN_JOB_HEADER.has(item.name);
export const isJobDeclaration = (item: { name: string; header: string }): boolean => !isLibvirtDeclaration(item);

/** Only the parts of the model that libvirt 9.0 has too. */
export function libvirtPart(model: AbiModel): AbiModel {
  return {
    ...model,
    typedefs: model.typedefs.filter(isLibvirtDeclaration),
    opaqueTypes: model.opaqueTypes.filter(isLibvirtDeclaration),
    structs: model.structs.filter(isLibvirtDeclaration),
    callbacks: model.callbacks.filter(isLibvirtDeclaration),
    functions: model.functions.filter(isLibvirtDeclaration),
    variables: model.variables.filter(isLibvirtDeclaration),
    enums: model.enums.filter(isLibvirtDeclaration),
    constants: model.constants.filter(isLibvirtDeclaration),
  };
}

const INCLUDES = ['#include <stddef.h>', '#include <stdio.h>', '#include <libvirt/libvirt.h>', '#include <libvirt/virterror.h>', ''];

const declaration = (type: string, name: string): string => (type.endsWith('*') ? `${type}${name}` : `${type} ${name}`);
const parameterList = (parameters: TypedName[]): string =>
  parameters.length === 0 ? 'void' : parameters.map((p) => declaration(p.c, p.name)).join(', ');

/**
 * A program printing every enum constant, numeric macro, struct size and alignment, and each
 * field's offset, size and arithmetic type. Built with VIR_ENUM_SENTINELS, so the sentinels count.
 */
export function valueProbe(model: AbiModel): string {
  const out = [...INCLUDES];
  out.push('#define KIND(x) _Generic((x), char: "char", signed char: "signed char", unsigned char: "unsigned char", \\');
  out.push('    short: "short", unsigned short: "unsigned short", int: "int", unsigned int: "unsigned int", \\');
  out.push('    long: "long", unsigned long: "unsigned long", long long: "long long", \\');
  out.push('    unsigned long long: "unsigned long long", double: "double", default: "pointer or array")');
  out.push('', 'int main(void)', '{');
  for (const e of model.enums) {
    for (const m of e.members) out.push(`    printf("%s = %lld\\n", "${m.name}", (long long)(${m.name}));`);
  }
  for (const c of model.constants) out.push(`    printf("%s = %lld\\n", "${c.name}", (long long)(${c.name}));`);
  for (const s of model.structs) {
    out.push(`    printf("sizeof(%s) = %zu, _Alignof = %zu\\n", "${s.name}", sizeof(${s.name}), _Alignof(${s.name}));`);
    for (const f of s.fields) {
      const member = `((${s.name} *)0)->${f.name}`;
      out.push(`    printf("%s.%s: offset %zu, size %zu, %s\\n", "${s.name}", "${f.name}", offsetof(${s.name}, ${f.name}), sizeof(${member}), KIND(${member}));`);
    }
  }
  out.push('    return 0;', '}', '');
  return out.join('\n');
}

/**
 * A translation unit that repeats our declarations after including a set of headers. The compiler
 * rejects it if any typedef, prototype, callback or struct field type differs from what the
 * included headers say (C11 accepts a typedef repeated only when it names the same type).
 */
export function redeclarationProbe(model: AbiModel): string {
  const out = [...INCLUDES];
  for (const t of model.typedefs) out.push(`typedef ${declaration(t.c, t.name)};`);
  out.push('');
  for (const f of model.functions) out.push(`${declaration(f.result.c, f.name)}(${parameterList(f.parameters)});`);
  for (const v of model.variables) out.push(`extern ${declaration(v.c, v.name)};`);
  out.push('');
  for (const cb of model.callbacks) {
    out.push(`typedef ${cb.result.c} (*tsvirt_${cb.name})(${parameterList(cb.parameters)});`);
    out.push(`_Static_assert(__builtin_types_compatible_p(${cb.name}, tsvirt_${cb.name}), "callback ${cb.name}");`);
  }
  for (const s of model.structs) {
    out.push('', `struct tsvirt_${s.name} {`);
    for (const f of s.fields) out.push(`    ${declaration(f.c, f.name)}${f.lengthExpression ? `[${f.lengthExpression}]` : ''};`);
    out.push('};');
    out.push(`_Static_assert(sizeof(${s.name}) == sizeof(struct tsvirt_${s.name}), "sizeof ${s.name}");`);
    for (const f of s.fields) {
      const theirs = `__typeof__(((${s.name} *)0)->${f.name})`;
      const ours = `__typeof__(((struct tsvirt_${s.name} *)0)->${f.name})`;
      out.push(`_Static_assert(__builtin_types_compatible_p(${theirs}, ${ours}), "type of ${s.name}.${f.name}");`);
      out.push(`_Static_assert(offsetof(${s.name}, ${f.name}) == offsetof(struct tsvirt_${s.name}, ${f.name}), "offset of ${s.name}.${f.name}");`);
    }
  }
  out.push('');
  return out.join('\n');
}
