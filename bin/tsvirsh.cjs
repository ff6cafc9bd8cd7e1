#!/usr/bin/env node
// tsvirsh: the virsh-compatible shell of tsvirt (src/ts/cli, built into dist/tsvirsh.cjs).
//
// A CommonJS launcher, so a short command never starts Node's ESM loader, and the bundle is loaded through
// a V8 code cache kept beside it (dist/tsvirsh.cjs.cache): with the compiled code at hand, `tsvirsh list`
// starts almost as fast as Node itself. The cache is written after a run whenever it was missing or V8
// rejected it (another Node version, a rebuilt bundle); where the folder is read-only the shell simply runs
// without one.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'tsvirsh.cjs');
const cacheFile = `${bundle}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
const shell = { exports: {} };
script.runInThisContext()(shell.exports, Module.createRequire(bundle), shell, bundle, dirname(bundle));

shell.exports.main().then((status) => {
  if (!cachedData || script.cachedDataRejected) {
    try {
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // A read-only installation: run without the cache.
    }
  }
  process.exit(status);
});
