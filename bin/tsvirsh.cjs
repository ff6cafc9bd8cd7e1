#!/usr/bin/env node
// tsvirsh: the virsh-compatible shell of tsvirt (src/ts/cli, built into dist/tsvirsh/ by scripts/build-cli.mjs).
//
// A CommonJS launcher, so a short command never starts Node's ESM loader. The shell is CommonJS chunks that
// load on first use (a remote command never reads the local drivers, a local one never reads the RPC protocol),
// kept in a few files, each compiled through a V8 code cache kept beside it (FILE.cjs.cache): with the compiled
// code at hand, `tsvirsh list` starts almost as fast as Node itself. A cache holds the code of the chunks that had
// run when it was written, and says which they were: it is written again after a run that read its file without
// one, had it rejected by V8 (another Node version, a rebuilt shell) or ran a chunk it does not hold (a local
// command after a remote one wrote it), then holding the chunks of both. Where the folder is read-only the shell
// simply runs without caches.
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
// Per file read: its cache's path, its script, the chunks its cache holds (null without a usable one) and those
// this run ran.
const files = new Map();

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

// A cache file: the byte length of a header, the header (the names of the chunks it holds, one per line), then
// V8's cached data.
function readFile(name) {
  const file = join(dir, name);
  const cache = `${file}.cache`;
  // The source is copied into a string before the cache's bytes take the buffer (ASCII: scripts/build-cli.mjs).
  // Each read comes first: it may replace `buffer`.
  const sourceLength = readBytes(file);
  const source = buffer.toString('latin1', 0, sourceLength);
  let cachedData;
  let held = null;
  try {
    const cacheLength = readBytes(cache);
    const headerEnd = 4 + buffer.readUInt32BE(0);
    if (headerEnd <= cacheLength) {
      held = new Set(buffer.toString('latin1', 4, headerEnd).split('\n'));
      cachedData = buffer.subarray(headerEnd, cacheLength);
    }
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: file, cachedData });
  if (script.cachedDataRejected) held = null;
  files.set(name, { cache, script, held, ran: new Set() });
  const contents = script.runInThisContext();
  if (contents.groups) fileOf = contents.groups;
  for (const [chunk, wrapper] of Object.entries(contents.chunks)) unrun.set(chunk, wrapper);
}

/** Writes the cache of each file this run read whose cache is missing or does not hold a chunk that ran. */
function writeCaches() {
  for (const { cache, script, held, ran } of files.values()) {
    if (held && [...ran].every((chunk) => held.has(chunk))) continue;
    const header = Buffer.from([...new Set([...(held ?? []), ...ran])].join('\n'), 'latin1');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    try {
      writeFileSync(cache, Buffer.concat([length, header, script.createCachedData()]));
    } catch {
      // A read-only installation: run without the cache.
    }
  }
}

function requireChunk(name) {
  const loaded = chunks.get(name);
  if (loaded) return loaded.exports;
  const file = fileOf[name] ?? name;
  if (!unrun.has(name)) readFile(file);
  files.get(file).ran.add(name);
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
    writeCaches();
    process.exit(status);
  });
