// bin/tsvirsh.cjs with timestamps, for bench/startup-phases.mjs: the launcher's steps, each timed, printed to
// stderr as one line of `name ms` pairs. `start` is the time from the process's own start to this file's first
// line (Node's bootstrap, the part no change of ours can make shorter). TSVIRSH_ROOT names the checkout to run,
// in either layout: dist/tsvirsh/ (chunks loaded on first use, scripts/build-cli.mjs) or an older build's single
// dist/tsvirsh.cjs. The chunks load while the command runs, so their reading and compiling are summed apart:
// readCache, readSource and compile are totals over every chunk loaded, `chunks` counts them (not a time), and
// `run` is everything else (the chunks' top levels and the command).
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
const entry = join(dir, 'tsvirsh.cjs');
const requireOutside = Module.createRequire(entry);
const chunks = new Map();
let rejected = false;

function loadChunk(file) {
  const loaded = chunks.get(file);
  if (loaded) return loaded.exports;
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    totals[name] += now - t;
    t = now;
  };
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  lap('readCache');
  // Chunks are written wrapped (scripts/build-cli.mjs); an older build's single bundle is not.
  const source = chunked ? readFileSync(file, 'utf8') : Module.wrap(readFileSync(file, 'utf8'));
  lap('readSource');
  const script = new Script(source, { filename: file, cachedData });
  lap('compile');
  rejected ||= !cachedData || script.cachedDataRejected;
  const chunk = { exports: {} };
  chunks.set(file, chunk);
  script.runInThisContext()(chunk.exports, requireFromChunk, chunk, file, dir);
  return chunk.exports;
}

function requireFromChunk(id) {
  return chunked && id.startsWith('./') ? loadChunk(join(dir, id)) : requireOutside(id);
}

loadChunk(entry)
  .main()
  .then((status) => {
    const after = performance.now() - requiresDone;
    const loading = totals.readCache + totals.readSource + totals.compile;
    const steps = { start: started, requires: requiresDone - started, ...totals, run: after - loading };
    const parts = Object.entries(steps).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
    process.stderr.write(`PHASES cacheRejected=${rejected} chunks=${chunks.size} ${parts.join(' ')}\n`);
    process.exit(status);
  });
