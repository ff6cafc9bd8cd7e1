#!/usr/bin/env node
// Writes build/tsvirt.pc from tsvirt.pc.in with this checkout's absolute paths, so C programs can
// build against the headers in include/ with `PKG_CONFIG_PATH=$PWD/build pkg-config --cflags --libs tsvirt`.
//
// Usage: node scripts/gen-pkgconfig.mjs [--libdir DIR] [--output FILE]
//   --libdir  where to put libtsvirt.so, the name `-ltsvirt` finds: a link to the native library that
//             node-gyp built (default: build/lib). Programs linked this way still run under tsvirt-run, which
//             provides the drivers; the link only lets the linker check every vir* symbol.
//   --output  the file to write (default: build/tsvirt.pc)

import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main() {
  const { values: options } = parseArgs({
    options: {
      libdir: { type: 'string', default: join(repoRoot, 'build', 'lib') },
      output: { type: 'string', default: join(repoRoot, 'build', 'tsvirt.pc') },
    },
  });
  const values = {
    prefix: repoRoot,
    includedir: join(repoRoot, 'include'),
    libdir: resolve(options.libdir),
    version: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version,
  };
  for (const [name, value] of Object.entries(values)) {
    // pkg-config splits flags at white space, so such a path would silently break every build.
    if (/\s/.test(value)) throw new Error(`${name} "${value}" contains white space, which pkg-config cannot carry`);
  }
  const template = readFileSync(join(repoRoot, 'tsvirt.pc.in'), 'utf8');
  const text = template.replace(/@(\w+)@/g, (placeholder, name) => {
    if (!Object.hasOwn(values, name)) throw new Error(`tsvirt.pc.in: unknown placeholder ${placeholder}`);
    return values[name];
  });
  const output = resolve(options.output);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, text);
  linkLibrary(values.libdir);
}

/** libdir/libtsvirt.so → the built native library (build/Release/tsvirt.node). */
function linkLibrary(libdir) {
  const built = join(repoRoot, 'build', 'Release', 'tsvirt.node');
  if (!existsSync(built)) throw new Error(`${built} is missing: build the native library first (npm run build:native)`);
  mkdirSync(libdir, { recursive: true });
  const link = join(libdir, 'libtsvirt.so');
  rmSync(link, { force: true });
  symlinkSync(relative(libdir, built), link);
}

try {
  main();
} catch (error) {
  console.error(`gen-pkgconfig: ${error.message}`);
  process.exitCode = 1;
}
