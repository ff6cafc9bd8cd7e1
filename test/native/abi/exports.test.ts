import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installBridge } from '../../../src/ffi/bridge.js';
import { nativeAbi } from '../../../src/ffi/native-abi.js';
import { bridgeFunction, nativeLibrary, nativeLibraryPath } from '../../../src/ts/native/library.js';
import { repoRoot } from './harness.js';

// The header is the description: gen-abi.mjs derives native/exports.generated.txt from it, and the
// library must export exactly those symbols, each served by the bridge or by C alone.

const exported = readFileSync(join(repoRoot, 'native/exports.generated.txt'), 'utf8').split('\n').filter(Boolean);

/** The public symbols that never reach the TypeScript drivers: virterror.h and the HAND_WRITTEN "native" ones of scripts/gen-abi.mjs. */
const NATIVE_ONLY = [
  'virConnCopyLastError',
  'virConnGetLastError',
  'virConnResetLastError',
  'virConnSetErrorFunc',
  'virConnectAuthPtrDefault',
  'virCopyLastError',
  'virDefaultErrorFunc',
  'virEventAddHandle',
  'virEventAddTimeout',
  'virEventRegisterDefaultImpl',
  'virEventRegisterImpl',
  'virEventRemoveHandle',
  'virEventRemoveTimeout',
  'virEventRunDefaultImpl',
  'virEventUpdateHandle',
  'virEventUpdateTimeout',
  'virFreeError',
  'virGetLastError',
  'virGetLastErrorCode',
  'virGetLastErrorDomain',
  'virGetLastErrorMessage',
  'virInitialize',
  'virResetError',
  'virResetLastError',
  'virSaveLastError',
  'virSetErrorFunc',
  'virStreamRecvAll',
  'virStreamSendAll',
  'virStreamSparseRecvAll',
  'virStreamSparseSendAll',
];

/** The library's one symbol besides the API, through which src/ffi and src/ts/native find the bridge (native/src/abi/abi_private.h). */
const PRIVATE_ENTRY = 'tsvirt_private_symbol';

/** The matches of `pattern`'s first group in the files of `dir` that `keep` accepts. */
function namesIn(dir: string, keep: (file: string) => boolean, pattern: RegExp): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(join(repoRoot, dir)).filter(keep))
    for (const [, name] of readFileSync(join(repoRoot, dir, file), 'utf8').matchAll(pattern)) names.add(name!);
  return [...names].sort();
}

/** The functions tsvirt_private_symbol() knows: native/src/abi/abi_private.c's table. */
const table = namesIn('native/src/abi', (file) => file === 'abi_private.c', /^\s*BRIDGE\((\w+)\),$/gm);

/** What src/ffi and src/ts/native bind (`bridgeFunction('ret name(args)')`) and what the C tests look up. */
const looked = [
  ...['src/ffi', 'src/ts/native'].flatMap((dir) =>
    namesIn(dir, (file) => file.endsWith('.ts'), /\bbridgeFunction\(\s*['`][^'`(]*?(\w+)\s*\(/g),
  ),
  ...namesIn('test/native/abi/c', (file) => /\.[ch]$/.test(file), /\btsvirt_private_symbol\("(\w+)"\)/g),
];

describe('the exported symbols', () => {
  const hasNm = spawnSync('nm', ['--version'], { stdio: 'ignore' }).status === 0;

  it.skipIf(!hasNm)('are exactly the symbols the headers declare, and the one private entry', () => {
    const nm = spawnSync('nm', ['-D', '--defined-only', nativeLibraryPath()], { encoding: 'utf8' });
    expect(nm.status).toBe(0);
    const defined = nm.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ').at(-1)!);
    // native/exports.map keeps everything else local: no function of the bridge leaks into programs.
    expect(defined.filter((name) => /^(abi_|tsvirt_)/.test(name) && name !== PRIVATE_ENTRY)).toEqual([]);
    expect(defined.sort()).toEqual([...exported, PRIVATE_ENTRY].sort());
    // virConnectAuthPtrDefault is data, the rest functions.
    expect(nm.stdout).toMatch(/ [DB] virConnectAuthPtrDefault$/m);
  });

  it('leave the bridge reachable through the private entry, and nothing else', () => {
    expect(table.length).toBeGreaterThan(30);
    expect([...new Set(looked)].sort()).toEqual(table);
    const symbol = nativeLibrary().func(`void *${PRIVATE_ENTRY}(const char *name)`);
    for (const name of table) expect(symbol(name), name).not.toBeNull();
    for (const name of ['virConnectOpen', 'abi_require_bridge', 'abi_bridge_init ', 'ABI_BRIDGE_INIT', '', null])
      expect(symbol(name), String(name)).toBeNull();
    expect(() => bridgeFunction('int abi_require_bridge(void *conn)')).toThrow(
      "internal error: the native library has no bridge function 'abi_require_bridge'",
    );
  });

  it('are each served by a TypeScript handler or by C alone', () => {
    installBridge(); // refuses to start when an operation has no handler or abiCalls one the library does not serve
    const abi = nativeAbi();
    const dispatched: string[] = [];
    for (let fn = 0; abi.functionName(fn) !== null; fn++) dispatched.push(abi.functionName(fn)!);
    const publicOnes = dispatched.filter((name) => name.startsWith('vir'));
    expect([...publicOnes, ...NATIVE_ONLY].sort()).toEqual([...exported].sort());
    expect(dispatched.filter((name) => !name.startsWith('vir'))).toEqual(['abiJobCallbackDone']);
  });
});
