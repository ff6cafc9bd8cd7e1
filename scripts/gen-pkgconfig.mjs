#!/usr/bin/env node
// Writes build/tsvirt.pc from tsvirt.pc.in with this checkout's absolute paths, so C programs can
// build against the headers in include/ with `PKG_CONFIG_PATH=$PWD/build pkg-config --cflags --libs tsvirt`.
//
// Usage: node scripts/gen-pkgconfig.mjs [--libdir DIR] [--output FILE]
//   --libdir  where libtsvirt.so is built (default: build/Release, node-gyp's output folder)
//   --output  the file to write (default: build/tsvirt.pc)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main() {
  const { values: options } = parseArgs({
    options: {
      libdir: { type: 'string', default: join(repoRoot, 'build', 'Release') },
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
}

try {
  main();
} catch (error) {
  console.error(`gen-pkgconfig: ${error.message}`);
  process.exitCode = 1;
}
