// bin/tsvirsh.cjs with timestamps, for bench/startup-phases.mjs: the launcher's steps, each timed, printed to
// stderr as one line of `name ms` pairs. `start` is the time from the process's own start to this file's first
// line (Node's bootstrap, the part no change of ours can make shorter). TSVIRSH_ROOT names the checkout to run,
// in either layout: dist/tsvirsh/ (files of chunks loaded on first use, scripts/build-cli.mjs) or an older build's
// single dist/tsvirsh.cjs. Files are read while the command runs, so their reading and compiling are summed apart:
// readCache, readSource and compile are totals over every file read, `files` counts them (not a time), and `run`
// is everything else (the chunks' top levels and the command).
'use strict';
const started = performance.now();
const { existsSync, readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const totals = { readCache: 0, readSource: 0, compile: 0 };
const requiresDone = performance.now();
const root = process.env.TSVIRSH_ROOT;
const chunked = existsSync(join(root, 'dist', 'tsvirsh'));
const dir = chunked ? join(root, 'dist', 'tsvirsh') : join(root, 'dist');
const requireOutside = Module.createRequire(join(dir, 'tsvirsh.cjs'));
let fileOf = {};
const unrun = new Map();
const chunks = new Map();
let files = 0;
let rejected = false;

function readFile(name) {
  const file = join(dir, name);
  let t = performance.now();
  const lap = (step) => {
    const now = performance.now();
    totals[step] += now - t;
    t = now;
  };
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  lap('readCache');
  // An older build's single bundle is a plain CommonJS file: wrapped here as Node would.
  const source = chunked ? readFileSync(file, 'utf8') : Module.wrap(readFileSync(file, 'utf8'));
  lap('readSource');
  const script = new Script(source, { filename: file, cachedData });
  lap('compile');
  files++;
  rejected ||= !cachedData || script.cachedDataRejected;
  const contents = chunked ? script.runInThisContext() : { chunks: { [name]: script.runInThisContext() } };
  if (contents.groups) fileOf = contents.groups;
  for (const [chunk, wrapper] of Object.entries(contents.chunks)) unrun.set(chunk, wrapper);
}

function requireChunk(name) {
  const loaded = chunks.get(name);
  if (loaded) return loaded.exports;
  if (!unrun.has(name)) readFile(fileOf[name] ?? name);
  const wrapper = unrun.get(name);
  const chunk = { exports: {} };
  chunks.set(name, chunk);
  wrapper.call(chunk.exports, chunk.exports, requireFromChunk, chunk, join(dir, name), dir);
  return chunk.exports;
}

function requireFromChunk(id) {
  return chunked && id.startsWith('./') ? requireChunk(id.slice(2)) : requireOutside(id);
}

requireChunk('tsvirsh.cjs')
  .main()
  .then((status) => {
    const after = performance.now() - requiresDone;
    const loading = totals.readCache + totals.readSource + totals.compile;
    const steps = { start: started, requires: requiresDone - started, ...totals, run: after - loading };
    const parts = Object.entries(steps).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
    process.stderr.write(`PHASES cacheRejected=${rejected} files=${files} ${parts.join(' ')}\n`);
    process.exit(status);
  });
