import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LibraryHandle } from 'koffi';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';

/**
 * tsvirt's native library (binding.gyp builds it from native/src/), loaded once per process and only when
 * first needed, so processes that never touch native code never load it.
 *
 * koffi's type names are process-wide: declare named types in one module only, once. The bindings in
 * src/ffi/ and src/ts/native/ use koffi's anonymous types (`void *`, integers) for that reason.
 *
 * The library exports libvirt's API and one private symbol (native/exports.map): the bridge's own
 * functions are local, and src/ffi and src/ts/native bind each of them
 * through bridgeFunction().
 */

const require = createRequire(import.meta.url);

/** The package root: the nearest folder above this module whose package.json is tsvirt's (src/ts/native or dist). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tsvirt')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw nativeError(`cannot find the tsvirt package above '${fileURLToPath(import.meta.url)}'`);
    dir = parent;
  }
}

function nativeError(detail: string) {
  return virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, detail);
}

/**
 * Where the library is: $TSVIRT_NATIVE_LIBRARY when set (a debug build, a build under test), otherwise
 * node-gyp-build's choice (a local build first, then the prebuilt binary for this platform), or
 * build/Release when node-gyp-build is not installed or finds nothing.
 */
export function nativeLibraryPath(): string {
  const override = process.env.TSVIRT_NATIVE_LIBRARY;
  if (override) return override;
  const root = packageRoot();
  try {
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    return nodeGypBuild.path(root);
  } catch (err) {
    const local = join(root, 'build', 'Release', 'tsvirt.node');
    if (existsSync(local)) return local;
    const why = err instanceof Error ? err.message : String(err);
    throw nativeError(`native library not found (build it with 'npm exec node-gyp -- rebuild'): ${why}`);
  }
}

let koffiModule: typeof import('koffi') | undefined;

/** koffi itself, loaded on first use: a process that never touches native code never pays for it. */
export function koffi(): typeof import('koffi') {
  return (koffiModule ??= require('koffi') as typeof import('koffi'));
}

let loaded: LibraryHandle | undefined;

/** The loaded library; the first call loads it. */
export function nativeLibrary(): LibraryHandle {
  if (!loaded) {
    const path = nativeLibraryPath();
    try {
      loaded = koffi().load(path);
    } catch (err) {
      throw nativeError(`cannot load native library '${path}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return loaded;
}

/** A C function bound by koffi: call it, or `.async(...args, callback)` to run it on libuv's pool. */
export type BridgeFunction = ReturnType<LibraryHandle['func']>;

let privateSymbol: ((name: string) => bigint | null) | undefined;

/**
 * A function of the bridge (native/src/abi/abi_private.c), bound from its C declaration, e.g.
 * `bridgeFunction('void *abi_handle_new(int kind, uint32_t id, void *conn)')`. The library does not export
 * it: tsvirt_private_symbol() gives its address by name, and koffi binds the address with the same call
 * path, and cost, as an exported symbol. The prototype is anonymous (koffi's type names are process-wide,
 * and a test may bind a function the library binds too); named types such as `abi_dispatcher *` may
 * appear in it once src/ffi/abi-types.ts has declared them.
 */
export function bridgeFunction(declaration: string): BridgeFunction {
  const match = /(\w+)\s*\(/.exec(declaration);
  if (!match) throw nativeError(`not a C function declaration: '${declaration}'`);
  const name = match[1]!;
  privateSymbol ??= nativeLibrary().func('void *tsvirt_private_symbol(const char *name)');
  const address = privateSymbol(name);
  if (!address) throw nativeError(`the native library has no bridge function '${name}'`);
  const prototype = declaration.slice(0, match.index) + declaration.slice(match.index + name.length);
  return koffi().decode(address, koffi().proto(prototype)) as BridgeFunction;
}
