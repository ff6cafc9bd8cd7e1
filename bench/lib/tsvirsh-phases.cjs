// Runs a build's own bin/tsvirsh.cjs with its steps timed, for bench/startup-phases.mjs: the file functions and
// vm.Script the launcher takes from Node are wrapped before it loads, so any build's launcher (files of chunks,
// or an older single bundle) is timed as it is, without a copy of it here. Printed to stderr as one line of
// `name ms` pairs when the command exits:
//   start       Node's bootstrap, from the process's start to this file's first line (no change of ours shortens it)
//   readCache   reading code caches (*.cache), summed over every file read
//   readSource  reading the shell's code
//   compile     new vm.Script: V8 checks and deserializes the cache, or compiles
//   run         everything else: the launcher's own start, the chunks' top levels, the command
// `files` counts the scripts compiled and `faults` the minor page faults after the bootstrap (not times: memory
// touched for the first time costs ~10 us a page in this VM). TSVIRSH_ROOT names the checkout to run.
'use strict';
const started = performance.now();
const faultsBefore = process.resourceUsage().minorPageFault;
const fs = require('node:fs');
const { join } = require('node:path');
const vm = require('node:vm');

const totals = { readCache: 0, readSource: 0, compile: 0 };
let files = 0;
let rejected = false;
const stepOf = (path) => (String(path).endsWith('.cache') ? 'readCache' : 'readSource');

// A whole-file read, or an open ... close of one (the reads between belong to it).
const { readFileSync, openSync, closeSync } = fs;
fs.readFileSync = function (path, ...rest) {
  const t = performance.now();
  try {
    return readFileSync.call(this, path, ...rest);
  } finally {
    totals[stepOf(path)] += performance.now() - t;
  }
};
const opened = new Map();
fs.openSync = function (path, ...rest) {
  const t = performance.now();
  const fd = openSync.call(this, path, ...rest);
  opened.set(fd, [stepOf(path), t]);
  return fd;
};
fs.closeSync = function (fd) {
  closeSync.call(this, fd);
  const open = opened.get(fd);
  if (!open) return;
  opened.delete(fd);
  totals[open[0]] += performance.now() - open[1];
};
vm.Script = class extends vm.Script {
  constructor(...args) {
    const t = performance.now();
    super(...args);
    totals.compile += performance.now() - t;
    files++;
    rejected ||= !args[1]?.cachedData || this.cachedDataRejected;
  }
};

const exit = process.exit;
process.exit = function (status) {
  const after = performance.now() - started;
  const steps = { start: started, ...totals };
  steps.run = after - totals.readCache - totals.readSource - totals.compile;
  const parts = Object.entries(steps).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
  const faults = process.resourceUsage().minorPageFault - faultsBefore;
  process.stderr.write(`PHASES cacheRejected=${rejected} files=${files} faults=${faults} ${parts.join(' ')}\n`);
  exit.call(process, status);
};

const root = process.env.TSVIRSH_ROOT;
process.argv[1] = join(root, 'bin', 'tsvirsh.cjs');
require(process.argv[1]);
