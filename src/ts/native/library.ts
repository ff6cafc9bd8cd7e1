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
