#!/usr/bin/env node
// tsvirsh: the virsh-compatible shell of tsvirt (src/ts/cli, built into dist/tsvirsh/ by scripts/build-cli.mjs).
//
// A CommonJS launcher, so a short command never starts Node's ESM loader. The shell is CommonJS chunks that
// load on first use (a remote command never reads the local drivers, a local one never reads the RPC protocol),
// kept in a few files, each compiled through a V8 code cache kept beside it (FILE.cjs.cache): with the compiled
// code at hand, `tsvirsh list` starts almost as fast as Node itself. A file's cache is written after a run that
// read the file without one or whose cache V8 rejected (another Node version, a rebuilt shell); where the folder
// is read-only the shell simply runs without caches.
'use strict';
const { closeSync, fstatSync, openSync, readSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dir = join(__dirname, '..', 'dist', 'tsvirsh');
// Packages and Node's modules, resolved from the shell's folder as a require() there would.
const requireOutside = Module.createRequire(join(dir, 'tsvirsh.cjs'));
// Chunks live in files by the chunks loaded together (scripts/build-cli.mjs): the entry's file says which.
let fileOf = {};
const unrun = new Map();
const chunks = new Map();
const uncached = [];

// Every file is read into this one buffer. Memory touched for the first time is what costs most in a short
// command here (a page fault is ~10 us in a VM): a buffer per file would touch twice the shell's size again.
let buffer = Buffer.allocUnsafeSlow(256 * 1024);

/** Reads a whole file into `buffer`, grown if needed; returns its length. */
function readBytes(path) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > buffer.length) buffer = Buffer.allocUnsafeSlow(size);
    let length = 0;
    while (length < size) {
      const n = readSync(fd, buffer, length, size - length, length);
      if (n === 0) break;
      length += n;
    }
    return length;
  } finally {
    closeSync(fd);
  }
}

function readFile(name) {
  const file = join(dir, name);
  // The source is copied into a string before the cache's bytes take the buffer (ASCII: scripts/build-cli.mjs).
  // Each read comes first: it may replace `buffer`.
  const sourceLength = readBytes(file);
  const source = buffer.toString('latin1', 0, sourceLength);
  let cachedData;
  try {
    const cacheLength = readBytes(`${file}.cache`);
    cachedData = buffer.subarray(0, cacheLength);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) uncached.push([file, script]);
  const contents = script.runInThisContext();
  if (contents.groups) fileOf = contents.groups;
  for (const [chunk, wrapper] of Object.entries(contents.chunks)) unrun.set(chunk, wrapper);
}

function requireChunk(name) {
  const loaded = chunks.get(name);
  if (loaded) return loaded.exports;
  if (!unrun.has(name)) readFile(fileOf[name] ?? name);
  const wrapper = unrun.get(name);
  unrun.delete(name);
  const chunk = { exports: {} };
  chunks.set(name, chunk);
  wrapper.call(chunk.exports, chunk.exports, requireFromChunk, chunk, join(dir, name), dir);
  return chunk.exports;
}

function requireFromChunk(id) {
  return id.startsWith('./') ? requireChunk(id.slice(2)) : requireOutside(id);
}

requireChunk('tsvirsh.cjs')
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
