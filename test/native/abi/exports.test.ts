import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installBridge } from '../../../src/ffi/bridge.js';
import { nativeAbi } from '../../../src/ffi/native-abi.js';
import { nativeLibraryPath } from '../../../src/ffi/native.js';
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

describe('the exported symbols', () => {
  const hasNm = spawnSync('nm', ['--version'], { stdio: 'ignore' }).status === 0;

  it.skipIf(!hasNm)('are every symbol the headers declare', () => {
    const nm = spawnSync('nm', ['-D', '--defined-only', nativeLibraryPath()], { encoding: 'utf8' });
    const defined = new Set(nm.stdout.split('\n').map((line) => line.split(' ').at(-1)));
    expect(exported.filter((name) => !defined.has(name))).toEqual([]);
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
