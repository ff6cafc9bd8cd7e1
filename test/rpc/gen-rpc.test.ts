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
    expect(remote).toContain("import { NET_MAX } from './virnet-protocol.js';");
    // Codecs are built on first use, so loading a protocol builds none of them.
    expect(remote).toContain('export const name_t: Codec<name_t> = xdrDeferred(() => xdrString(NET_MAX));');
    expect(remote).toContain('export const uuid_t: Codec<uuid_t> = xdrDeferred(() => xdrFixedOpaque(16));');
    expect(remote).toContain('export const thing: Codec<thing> = xdrDeferred(() => xdrStruct<thing>([');
    expect(remote).toContain('export const thing_t: Codec<thing_t> = thing;'); // a plain alias stays one
    expect(remote).toContain('  next: thing_t | null;');
    expect(remote).toContain("  ['next', xdrOptional(xdrLazy(() => thing_t))],"); // declared later: lazy
    expect(remote).toContain("  ['model', xdrFixedArray(xdrInt, 4)],"); // rpcgen's char: a 4-byte int
    expect(remote).toContain("  ['ids', xdrArray(xdrInt, 0xffffffff)],");
    expect(remote).toContain('  | { type: 1; i: number }');
    expect(remote).toContain('  | { type: 3; l: bigint }');
    expect(remote).toContain('  | { type: number };');
    expect(remote).toContain(
      "[1, { number: 1, name: 'REMOTE_PROC_THING_GET', args: remote_thing_get_args, ret: remote_thing_get_ret, msg: null, priority: 'high' }],",
    );
    expect(remote).toContain("[2, { number: 2, name: 'REMOTE_PROC_THING_DOWNLOAD', args: null, ret: null, msg: null, priority: 'low', readStream: 1 }],");
  });

  it.each([
    ['an unknown type', 'struct s { nosuch x; };', /remote_protocol\.x:2: unknown type 'nosuch'/],
    ['an unknown constant', 'typedef string s<NOSUCH>;', /remote_protocol\.x:2: unknown constant 'NOSUCH'/],
    ['a string without a maximum', 'struct s { string x; };', /remote_protocol\.x:2: string 'x' needs <max>/],
    ['a stray character', 'struct s { int x; } ?', /remote_protocol\.x:2: unexpected character '\?'/],
    ['an unknown declaration', 'program P { };', /remote_protocol\.x:2: unexpected 'program' at top level/],
  ])('names the file and line of %s', (_what, text, message) => {
    expect(() => generate(tree(`\n${text}\n${PROGRAM}`))).toThrow(message);
  });
});
