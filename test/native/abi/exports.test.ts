import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installBridge } from '../../../src/ffi/bridge.js';
import { nativeAbi } from '../../../src/ffi/native-abi.js';
import { nativeLibraryPath } from '../../../src/ts/native/library.js';
import { repoRoot } from './harness.js';

// The header is the description: gen-abi.mjs derives native/exports.generated.txt from it, and the
// library must export exactly those symbols, each served by the bridge or by C alone.

const exported = readFileSync(join(repoRoot, 'native/exports.generated.txt'), 'utf8').split('\n').filter(Boolean);

/** The public symbols that never reach the TypeScript drivers (native/src/abi_functions.h says why). */
const NATIVE_ONLY = [
  'virConnCopyLastError',
  'virConnGetLastError',
  'virConnResetLastError',
  'virConnSetErrorFunc',
  'virConnectAuthPtrDefault',
  'virCopyLastError',
  'virDefaultErrorFunc',
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
];

/**
 * The bridge functions src/ffi and src/ts/native bind by name through koffi (`lib.func('ret name(args)')` or
 * `lib.func('name', ret, args)`): the only symbols besides the API that the library must export.
 */
function boundByBridge(): string[] {
  const names = new Set<string>();
  // The C ABI bridge and the native services the drivers use (copy engine, unnamed files) both bind symbols.
  const files = ['src/ffi', 'src/ts/native'].flatMap((dir) =>
    readdirSync(join(repoRoot, dir)).filter((name) => name.endsWith('.ts')).map((name) => join(repoRoot, dir, name)),
  );
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, declaration] of text.matchAll(/\blib\.func\(\s*['`]([^'`]+)['`]/g)) {
      const name = declaration!.includes('(') ? /(\w+)\s*\(/.exec(declaration!)![1]! : declaration!;
      if (!name.startsWith('vir')) names.add(name);
    }
  }
  return [...names].sort();
}

describe('the exported symbols', () => {
  const hasNm = spawnSync('nm', ['--version'], { stdio: 'ignore' }).status === 0;

  it.skipIf(!hasNm)('are exactly the symbols the headers declare, and the bridge functions koffi binds', () => {
    const nm = spawnSync('nm', ['-D', '--defined-only', nativeLibraryPath()], { encoding: 'utf8' });
    expect(nm.status).toBe(0);
    const defined = nm.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ').at(-1)!);
    expect(defined.filter((name) => name.startsWith('vir')).sort()).toEqual([...exported].sort());
    // native/exports.map keeps everything else local: no helper of the library leaks into programs.
    const bridge = boundByBridge();
    expect(bridge.length).toBeGreaterThan(20);
    expect(defined.filter((name) => !name.startsWith('vir')).sort()).toEqual(bridge);
    // virConnectAuthPtrDefault is data, the rest functions.
    expect(nm.stdout).toMatch(/ [DB] virConnectAuthPtrDefault$/m);
  });

  it('are each served by a TypeScript handler or by C alone', () => {
    installBridge(); // refuses to start when an operation has no handler or a handler no operation
    const abi = nativeAbi();
    const dispatched: string[] = [];
    for (let fn = 0; abi.functionName(fn) !== null; fn++) dispatched.push(abi.functionName(fn)!);
    const publicOnes = dispatched.filter((name) => name.startsWith('vir'));
    expect([...publicOnes, ...NATIVE_ONLY].sort()).toEqual([...exported].sort());
    expect(dispatched.filter((name) => !name.startsWith('vir'))).toEqual(['abiJobCallbackDone']);
  });
});
