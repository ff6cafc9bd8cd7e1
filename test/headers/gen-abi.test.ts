// scripts/gen-abi.mjs on small header sets written for each case: what it makes of each declaration
// shape, and how it refuses what it cannot parse.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAbiModel } from './abi-model.js';
import { run } from './c-compiler.js';

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes the given headers into a fresh directory and returns its path. */
function headerSet(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-gen-abi-'));
  scratch.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const genAbi = (...args: string[]) => run('node', ['scripts/gen-abi.mjs', ...args]);

/** Every output of the generator, by option, with a file name: tests send them all to a folder of their own. */
const OUTPUTS = {
  ts: 'abi.ts',
  exports: 'exports.txt',
  enums: 'enums.ts',
  errors: 'codes.ts',
  'entry-points': 'entry_points.c',
  'entry-header': 'entry_points.h',
};
const outputsIn = (dir: string) => Object.entries(OUTPUTS).flatMap(([option, file]) => [`--${option}`, join(dir, file)]);

const ROOT = `#ifndef LIBVIRT_H
# define LIBVIRT_H
# ifdef __cplusplus
extern "C" {
# endif
# include <sys/types.h>
/* Attributes and storage classes are not part of types. */
# define VIR_DEPRECATED __attribute__((__deprecated__))
# define VIR_EXPORT_VAR extern
# include <libvirt/libvirt-things.h>

/* Declared after the included header, so listed after its functions. */
int virRootCall(void);
# ifdef __cplusplus
}
# endif
#endif
`;

const THINGS = `# define NAME_LEN (8 + \\
    8)
typedef struct _virThing virThing;
typedef virThing *virThingPtr;

typedef enum {
    VIR_A,                  /* 0, implicitly */
    VIR_B = 1 << 3,
    VIR_C,                  /* 9 */
    VIR_D = VIR_B + VIR_C,  /* refers to earlier members */
    VIR_E = NAME_LEN - 1,   /* and to macros */
# ifdef VIR_ENUM_SENTINELS
    VIR_LETTER_LAST
# endif
} virLetter;

typedef void (*virThingCallback)(virThingPtr thing, int state, void *opaque);

typedef struct _virThingInfo virThingInfo;
struct _virThingInfo {
    char name[NAME_LEN];
    virLetter letter;
    virThingPtr next VIR_DEPRECATED;
};
typedef virThingInfo *virThingInfoPtr;

VIR_EXPORT_VAR virThingPtr virThingDefault;

const char *virThingGetName(virThingPtr thing);
int virThingList(virThingPtr **things,
                 char **const names,
                 unsigned long long   size);
int virThingWatch(virThingPtr thing, virThingCallback cb, virThingInfoPtr info);
int virThingSend(virThingPtr thing, const char *data, size_t nbytes, const char *label);
`;

describe('gen-abi.mjs on well-formed headers', () => {
  const dir = () => headerSet({ 'libvirt.h': ROOT, 'libvirt-things.h': THINGS });

  it('reads every declaration shape', () => {
    const model = loadAbiModel(dir());
    expect(model.headers).toEqual(['libvirt.h', 'libvirt-things.h']);
    expect(model.opaqueTypes.map((t) => t.name)).toEqual(['virThing']);
    expect(model.typedefs.map((t) => `${t.name}=${t.c}`)).toEqual([
      'virThing=struct _virThing', 'virThingInfo=struct _virThingInfo', 'virThingPtr=virThing *', 'virThingInfoPtr=virThingInfo *',
    ]);
    expect(model.enums).toEqual([{
      name: 'virLetter', header: 'libvirt-things.h', members: [
        { name: 'VIR_A', value: 0, sentinel: false }, { name: 'VIR_B', value: 8, sentinel: false },
        { name: 'VIR_C', value: 9, sentinel: false }, { name: 'VIR_D', value: 17, sentinel: false },
        { name: 'VIR_E', value: 15, sentinel: false }, { name: 'VIR_LETTER_LAST', value: 16, sentinel: true },
      ],
    }]);
    expect(model.constants.map((c) => [c.name, c.value])).toEqual([['NAME_LEN', 16]]);
    expect(model.structs).toEqual([{
      name: 'virThingInfo', tag: '_virThingInfo', header: 'libvirt-things.h', fields: [
        { name: 'name', c: 'char', koffi: 'char[16]', lengthExpression: 'NAME_LEN' },
        { name: 'letter', c: 'virLetter', koffi: 'int' },
        { name: 'next', c: 'virThingPtr', koffi: 'virThing *' },
      ],
    }]);
    expect(model.callbacks[0]!.parameters.map((p) => p.koffi)).toEqual(['virThing *', 'int', 'void *']);
    expect(model.variables).toEqual([{ name: 'virThingDefault', header: 'libvirt-things.h', c: 'virThingPtr', koffi: 'virThing *' }]);
    expect(model.functions.map((f) => [f.name, f.result.koffi, ...f.parameters.map((p) => `${p.c}|${p.koffi}`)])).toEqual([
      ['virThingGetName', 'const char *', 'virThingPtr|virThing *'],
      ['virThingList', 'int', 'virThingPtr **|virThing ***', 'char **const|char **', 'unsigned long long|unsigned long long'],
      ['virThingWatch', 'int', 'virThingPtr|virThing *', 'virThingCallback|virThingCallback *', 'virThingInfoPtr|virThingInfo *'],
      ['virThingSend', 'int', 'virThingPtr|virThing *', 'const char *|const char *', 'size_t|size_t', 'const char *|const char *'],
      ['virRootCall', 'int'],
    ]);
  });

  it('writes the TypeScript table and the sorted export list', () => {
    const out = headerSet({});
    const [ts, exports, enums] = [join(out, 'abi.ts'), join(out, 'exports.txt'), join(out, 'enums.ts')];
    const result = genAbi('--headers', dir(), ...outputsIn(out));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(exports, 'utf8')).toBe('virRootCall\nvirThingDefault\nvirThingGetName\nvirThingList\nvirThingSend\nvirThingWatch\n');
    const table = readFileSync(ts, 'utf8');
    expect(table).toContain("export const abiOpaqueTypes = ['virThing'] as const;");
    expect(table).toContain("  virThingInfo: [{ name: 'name', type: 'char[16]' }, { name: 'letter', type: 'int' }, { name: 'next', type: 'virThing *' }],");
    expect(table).toContain("parameters: [{ name: 'things', type: 'virThing ***' }, { name: 'names', type: 'char **' }, { name: 'size', type: 'unsigned long long' }] },");
    const enumTable = readFileSync(enums, 'utf8');
    expect(enumTable).toContain('export const virLetter = {\n  VIR_A: 0,\n  VIR_B: 8,\n  VIR_C: 9,\n  VIR_D: 17,\n  VIR_E: 15,\n} as const;');
    expect(enumTable).not.toContain('VIR_LETTER_LAST');
    expect(table).toContain("  virThingDefault: 'virThing *',");
  });

  it('writes a C entry point per function that hands its arguments to the bridge, and their shapes for TypeScript', () => {
    const out = headerSet({});
    expect(genAbi('--headers', dir(), ...outputsIn(out)).status).toBe(0);
    const c = readFileSync(join(out, 'entry_points.c'), 'utf8');
    expect(c).toContain(
      'const char *virThingGetName(virThingPtr thing) { return abi_kept_string(ABI_FN_virThingGetName, ' +
        '&(abi_args){.handle = {{ABI_KIND_THING, thing}}}, ABI_KEPT_NAME); }',
    );
    expect(c).toContain(
      'int virThingList(virThingPtr **things, char **const names, unsigned long long size) { return abi_list(ABI_FN_virThingList, ' +
        '&(abi_args){.num = {size}, .ptr = {(void *)things, (void *)names}}); }',
    );
    expect(c).toContain(
      'int virThingWatch(virThingPtr thing, virThingCallback cb, virThingInfoPtr info) { return abi_int(ABI_FN_virThingWatch, ' +
        '&(abi_args){.handle = {{ABI_KIND_THING, thing}}, .ptr = {(void *)cb, (void *)info}}); }',
    );
    expect(c).toContain('int virRootCall(void) { return abi_int(ABI_FN_virRootCall, &(abi_args){}); }');
    // Bytes with their length travel as a pointer; a string as a string.
    expect(c).toContain('&(abi_args){.handle = {{ABI_KIND_THING, thing}}, .str = {label}, .num = {nbytes}, .ptr = {(void *)data}}');
    const h = readFileSync(join(out, 'entry_points.h'), 'utf8');
    expect(h).toContain('#define ABI_PUBLIC_FUNCTIONS(X) \\\n    X(virThingGetName) X(virThingList) X(virThingWatch) X(virThingSend) X(virRootCall)\n');
    const table = readFileSync(join(out, 'abi.ts'), 'utf8');
    expect(table).toContain("  virThingList: { result: 'list', args: { things: 'p0', names: 'p1', size: 'n0' } },");
    expect(table).toContain("  virThingWatch: { result: 'int', args: { thing: 'h0:thing', cb: 'p0', info: 'p1' } },");
  });

  it('reports stale outputs with --check and leaves them alone', () => {
    const out = headerSet({});
    const outputs = outputsIn(out);
    const exports = join(out, 'exports.txt');
    const headers = dir();
    expect(genAbi('--headers', headers, ...outputs).status).toBe(0);
    expect(genAbi('--headers', headers, ...outputs, '--check').status).toBe(0);
    writeFileSync(exports, 'virSomethingElse\n');
    const stale = genAbi('--headers', headers, ...outputs, '--check');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/exports\.txt is out of date; run node scripts\/gen-abi\.mjs/);
    expect(stale.stderr).not.toContain('abi.ts');
    expect(readFileSync(exports, 'utf8')).toBe('virSomethingElse\n');
  });
});

describe('gen-abi.mjs refuses', () => {
  const header = (body: string) => `# define VIR_EXPORT_VAR extern\ntypedef struct _virThing virThing;\n${body}`;
  it.each([
    ['an unknown type', header('int virA(void);\nint virB(virNopePtr x);\n'), /libvirt\.h:4: unknown type "virNopePtr" in virB parameter x/],
    ['a symbol declared twice', header('int virA(void);\n\nint virA(void);\n'), /libvirt\.h:5: symbol virA already declared at libvirt\.h:3/],
    ['an enum constant declared twice', 'typedef enum { VIR_X } virE1;\ntypedef enum { VIR_X = 1 } virE2;\n', /enum constant VIR_X already declared/],
    ['a declaration of no known shape', header('int virA;\n'), /libvirt\.h:3: cannot parse declaration: int virA/],
    ['a declaration without ";"', header('int virA(void)\n'), /libvirt\.h:3: declaration without ";": int virA\(void\)/],
    ['an empty parameter list', header('int virA();\n'), /empty parameter list: write \(void\)/],
    ['an array parameter', header('int virA(char name[16]);\n'), /array parameter "char name\[16\]": write a pointer/],
    ['a parameter without a name', header('int virA(virThing *);\n'), /cannot tell type from name in "virThing \*"/],
    ['an enum value that is not a constant', 'typedef enum { VIR_X = VIR_NOWHERE } virE;\n', /cannot evaluate VIR_X = VIR_NOWHERE/],
    ['a struct without a typedef name', 'struct _virLone { int x; };\n', /struct _virLone has no typedef name/],
    ['a sentinel guard around anything but enum members', '# ifdef VIR_ENUM_SENTINELS\nint virA(void);\n# endif\n', /VIR_ENUM_SENTINELS may only guard enum members/],
    ['an unterminated #if', '# ifndef X\nint virA(void);\n', /unterminated #if/],
    ['an unknown directive', '# line 5\n', /libvirt\.h:1: unexpected directive #line/],
    ['unbalanced braces', 'typedef enum { VIR_X } } virE;\n', /unbalanced "}"/],
    ['a missing libvirt/ header', '# include <libvirt/libvirt-missing.h>\n', /libvirt\.h:1: included header libvirt\/libvirt-missing\.h does not exist/],
  ])('%s', (_what, text, message) => {
    const result = genAbi('--json', '--headers', headerSet({ 'libvirt.h': text }));
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(1);
  });

  it.each([
    ['an argument the bridge cannot pass', header('int virA(double ratio);\n'), /libvirt\.h:3: virA: the bridge cannot pass parameter ratio of type double/],
    ['more strings than abi_args holds', header('int virA(const char *a, const char *b, const char *c);\n'), /virA: abi_args has no room for parameter c/],
    ['a result the bridge cannot return', header('double virA(void);\n'), /virA: the bridge cannot return double/],
  ])('%s', (_what, text, message) => {
    const result = genAbi('--headers', headerSet({ 'libvirt.h': text }), ...outputsIn(headerSet({})));
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(1);
  });

  it('a header that no program can reach', () => {
    const result = genAbi('--json', '--headers', headerSet({ 'libvirt.h': 'int virA(void);\n', 'libvirt-extra.h': 'int virB(void);\n' }));
    expect(result.stderr).toMatch(/libvirt-extra\.h: not included from libvirt\.h or virterror\.h/);
    expect(result.status).toBe(1);
  });

  it('a folder without libvirt.h', () => {
    const result = genAbi('--json', '--headers', headerSet({ 'virterror.h': 'int virA(void);\n' }));
    expect(result.stderr).toMatch(/no libvirt\.h/);
    expect(result.status).toBe(1);
  });

  it('contradictory or unknown options', () => {
    expect(genAbi('--check', '--json').stderr).toMatch(/--check and --json exclude each other/);
    const unknown = genAbi('--output', 'x');
    expect(unknown.stderr).toMatch(/gen-abi: Unknown option '--output'/);
    expect(unknown.status).toBe(1);
  });
});
