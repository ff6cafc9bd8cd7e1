#!/usr/bin/env node
// tsvirsh: the virsh-compatible shell of tsvirt (src/ts/cli, built into dist/tsvirsh/ by scripts/build-cli.mjs).
//
// A CommonJS launcher, so a short command never starts Node's ESM loader. The shell is CommonJS chunks that
// load on first use (a remote command never reads the local drivers, a local one never reads the RPC protocol),
// each compiled through a V8 code cache kept beside it (CHUNK.cjs.cache): with the compiled code at hand,
// `tsvirsh list` starts almost as fast as Node itself. A chunk's cache is written after a run that loaded the
// chunk without one or whose cache V8 rejected (another Node version, a rebuilt shell); where the folder is
// read-only the shell simply runs without caches.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dir = join(__dirname, '..', 'dist', 'tsvirsh');
const entry = join(dir, 'tsvirsh.cjs');
// Packages and Node's modules, resolved from the shell's folder as a require() there would.
const requireOutside = Module.createRequire(entry);
const chunks = new Map();
const uncached = [];

function loadChunk(file) {
  const loaded = chunks.get(file);
  if (loaded) return loaded.exports;
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  // Each chunk is already a function of the CommonJS wrapper's arguments (scripts/build-cli.mjs).
  const script = new Script(readFileSync(file, 'utf8'), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) uncached.push([file, script]);
  const chunk = { exports: {} };
  chunks.set(file, chunk);
  script.runInThisContext()(chunk.exports, requireFromChunk, chunk, file, dir);
  return chunk.exports;
}

function requireFromChunk(id) {
  return id.startsWith('./') ? loadChunk(join(dir, id)) : requireOutside(id);
}

loadChunk(entry)
  .main()
  .then((status) => {
    for (const [file, script] of uncached) {
      try {
        writeFileSync(`${file}.cache`, script.createCachedData());
      } catch {
        // A read-only installation: run without the cache.
      }
    }
    process.exit(status);
  });
