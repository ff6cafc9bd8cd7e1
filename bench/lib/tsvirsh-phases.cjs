// bin/tsvirsh.cjs with timestamps, for bench/startup-phases.mjs: the same steps (read the code cache, read the
// bundle, compile it through the cache, run its top level, run the command), each timed, printed to stderr as
// one line of `name ms` pairs; `start` is the time from the process's own start to this file's first line
// (Node's bootstrap, the part no change of ours can make shorter). TSVIRSH_ROOT names the checkout to run.
'use strict';
const marks = [['start', performance.now()]];
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const mark = (name) => marks.push([name, performance.now()]);
mark('requires');
const bundle = join(process.env.TSVIRSH_ROOT, 'dist', 'tsvirsh.cjs');
let cachedData;
try {
  cachedData = readFileSync(`${bundle}.cache`);
} catch {
  cachedData = undefined;
}
mark('readCache');
const source = readFileSync(bundle, 'utf8');
mark('readBundle');
const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
mark('compile');
const shell = { exports: {} };
script.runInThisContext()(shell.exports, Module.createRequire(bundle), shell, bundle, dirname(bundle));
mark('topLevel');
shell.exports.main().then((status) => {
  mark('command');
  const parts = marks.map(([name, t], i) => `${name} ${(i ? t - marks[i - 1][1] : t).toFixed(2)}`);
  process.stderr.write(`PHASES cacheRejected=${!cachedData || script.cachedDataRejected} ${parts.join(' ')}\n`);
  process.exit(status);
});
