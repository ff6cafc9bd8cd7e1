// scripts/gen-rpc.mjs on small protocol files written here: the shapes it emits and the errors it gives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { generate } from '../../scripts/gen-rpc.mjs';

let root: string | null = null;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = null;
});

const NET = 'const NET_MAX = 8;\nstruct net_header { unsigned prog; int proc; };\n';
const KEEPALIVE = 'const KA_PROGRAM = 7;\nconst KA_VERSION = 1;\nenum ka_procedure { KA_PROC_PING = 1 };\n';

/** A source tree holding the given remote protocol text (and minimal other files). */
function tree(remote: string): string {
  root = mkdtempSync(join(tmpdir(), 'gen-rpc-'));
  const files: Record<string, string> = {
    'include/libvirt/libvirt-host.h': '# define VIR_UUID_BUFLEN (16)\n',
    'include/libvirt/libvirt-common.h.in': 'typedef enum {\n    VIR_TYPED_PARAM_INT = 1,\n} x;\n',
    'src/rpc/virnetprotocol.x': NET,
    'src/rpc/virkeepaliveprotocol.x': KEEPALIVE.replaceAll('KA_PROGRAM', 'KEEPALIVE_PROGRAM').replaceAll('KA_VERSION', 'KEEPALIVE_PROTOCOL_VERSION').replaceAll('ka_procedure', 'keepalive_procedure').replaceAll('KA_PROC_', 'KEEPALIVE_PROC_'),
    'src/remote/remote_protocol.x': remote,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const PROGRAM = `
const REMOTE_PROGRAM = 0x1234;
const REMOTE_PROTOCOL_VERSION = 1;
enum remote_procedure {
    /**
     * @generate: both
     * @priority: high
     */
    REMOTE_PROC_THING_GET = 1,
    /** @readstream: 1 */
    REMOTE_PROC_THING_DOWNLOAD = 2
};
`;

const output = (files: Record<string, string>, name: string) => Object.entries(files).find(([p]) => p.endsWith(name))![1];

describe('gen-rpc', () => {
  it('emits types, codecs and the procedure table', () => {
    const files = generate(tree(`
%#include <something.h>
typedef string name_t<NET_MAX>;
typedef opaque uuid_t[VIR_UUID_BUFLEN];
struct thing { name_t name; uuid_t uuid; unsigned hyper size; thing_t *next; char model[4]; int ids<>; };
typedef struct thing thing_t;
union value switch (int type) { case VIR_TYPED_PARAM_INT: int i; case 2: case 3: hyper l; default: void; };
struct remote_thing_get_args { name_t name; };
struct remote_thing_get_ret { thing t; value v; };
${PROGRAM}`));
    const remote = output(files, 'remote-protocol.ts');
    // The codecs are one schema string, read on first use (src/ts/rpc/xdr-schema.ts): constants are numbers
    // there, rpcgen's char a 4-byte int, an empty maximum 0xffffffff, union labels sharing an arm one entry.
    expect(remote).toContain(
      [
        'const $codec = /* @__PURE__ */ xdrSchema(`',
        'name_t=s8',
        'uuid_t=o[16]',
        'thing{name:name_t,uuid:uuid_t,size:H,next:thing_t*,model:i[4],ids:i<>}',
        'thing_t=thing',
        'value|type:i|1=i:i|2,3=l:h|*=',
        'remote_thing_get_args{name:name_t}',
        'remote_thing_get_ret{t:thing,v:value}',
        '`);',
      ].join('\n'),
    );
    expect(remote).not.toContain('./virnet-protocol.js'); // NET_MAX is a number in the schema
    // Each named codec a lookup bundlers may drop; a plain alias is its target's codec, declared later or not.
    expect(remote).toContain("export const name_t: Codec<name_t> = /* @__PURE__ */ $codec('name_t');");
    expect(remote).toContain("export const thing: Codec<thing> = /* @__PURE__ */ $codec('thing');");
    expect(remote).toContain("export const thing_t: Codec<thing_t> = /* @__PURE__ */ $codec('thing');");
    expect(remote).toContain('  next: thing_t | null;');
    expect(remote).toContain('  | { type: 1; i: number }');
    expect(remote).toContain('  | { type: 3; l: bigint }');
    expect(remote).toContain('  | { type: number };');
    // The procedure table: one descriptor per member of the procedure enum, in its order.
    expect(remote).toContain(
      "export const remoteProgram: RpcProgram = /* @__PURE__ */ rpcProgram('remote', REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, remote_procedure, 'REMOTE_PROC_', 'remote_', 'ar! R1', $codec);",
    );
  });

  it('names a typedef of a primitive, an enum or an alias, declared anywhere, by the codec it comes to', () => {
    const remote = output(
      generate(tree(`
typedef remote_z remote_w;
typedef unsigned hyper size_t;
typedef struct remote_x remote_y;
typedef remote_y remote_z;
enum remote_kind { REMOTE_KIND_A = 1 };
typedef remote_kind remote_kind_t;
struct remote_x { size_t s; remote_w *next; remote_kind_t k; };
${PROGRAM}`)),
      'remote-protocol.ts',
    );
    expect(remote).toContain(
      'remote_w=remote_z\nsize_t=H\nremote_y=remote_x\nremote_z=remote_y\nremote_kind_t=i\nremote_x{s:size_t,next:remote_w*,k:i}\n',
    );
    expect(remote).toContain('export const size_t: Codec<size_t> = xdrUHyper;');
    expect(remote).toContain('export const remote_kind_t: Codec<remote_kind_t> = xdrInt;');
    expect(remote).toContain("export const remote_w: Codec<remote_w> = /* @__PURE__ */ $codec('remote_x');");
    expect(remote).toContain("export const remote_z: Codec<remote_z> = /* @__PURE__ */ $codec('remote_x');");
    expect(remote).toContain("import { xdrInt, xdrUHyper } from '../xdr.js';");
  });

  it.each([
    ['an unknown type', 'struct st { nosuch x; };', /remote_protocol\.x:2: unknown type 'nosuch'/],
    ['an unknown constant', 'typedef string st<NOSUCH>;', /remote_protocol\.x:2: unknown constant 'NOSUCH'/],
    ['a string without a maximum', 'struct st { string x; };', /remote_protocol\.x:2: string 'x' needs <max>/],
    ['a stray character', 'struct st { int x; } ?', /remote_protocol\.x:2: unexpected character '\?'/],
    ['a type named like a schema primitive', 'struct s12 { int x; };', /remote_protocol\.x:2: type name 's12' reads as a primitive in the codec schema/],
    ['an unknown declaration', 'program P { };', /remote_protocol\.x:2: unexpected 'program' at top level/],
  ])('names the file and line of %s', (_what, text, message) => {
    expect(() => generate(tree(`\n${text}\n${PROGRAM}`))).toThrow(message);
  });
});
