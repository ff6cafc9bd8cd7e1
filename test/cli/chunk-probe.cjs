'use strict';
// Preloaded (`node -r`) before bin/tsvirsh.cjs by chunksRun() in harness.ts: appends the code of each chunk of
// the shell that runs to the file named by TSVIRSH_CHUNK_LOG, one JSON string a line. A chunk is one of the
// functions in the `chunks` object that a file of dist/tsvirsh/ evaluates to.
const { appendFileSync } = require('node:fs');
const { Script } = require('node:vm');

const log = process.env.TSVIRSH_CHUNK_LOG;
const runInThisContext = Script.prototype.runInThisContext;
Script.prototype.runInThisContext = function (...args) {
  const contents = runInThisContext.apply(this, args);
  for (const [name, chunk] of Object.entries(contents.chunks ?? {})) {
    contents.chunks[name] = function (...chunkArgs) {
      appendFileSync(log, `${JSON.stringify(chunk.toString())}\n`);
      return chunk.apply(this, chunkArgs);
    };
  }
  return contents;
};
