/**
 * Builds tsvirsh (src/ts/cli) into dist/tsvirsh/: CommonJS chunks that bin/tsvirsh.cjs loads on demand, each
 * through its own V8 code cache (Node 20 caches compiled code for scripts only, not for ES modules).
 *
 * Why chunks: reading the shell's code and deserializing its code cache are most of a short command's start-up,
 * and both grow with the code loaded. esbuild splits the shell at its dynamic imports (the runtime behind the
 * first connection, the remote driver's open, each local driver), so `tsvirsh -c test+unix:///…?socket=S list`
 * never reads the local drivers and `tsvirsh -c test:///default list` never reads the RPC protocol. esbuild splits
 * ES modules only: each chunk is then rewritten as CommonJS, which keeps modules shared by several chunks in one
 * place (one VirError class, one driver registry).
 *
 * The shell registers its drivers with drivers/builtin-on-demand.ts instead of drivers/builtin.ts (the same drivers, loaded on
 * first open). Run by tsup after the library build (tsup.config.ts), or alone: node scripts/build-cli.mjs
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIR = join(repo, 'dist', 'tsvirsh');

/** The shell's driver list in place of the library's (see the header). */
const shellDrivers = {
  name: 'shell-drivers',
  setup(b) {
    b.onResolve({ filter: /\/drivers\/builtin\.js$/ }, () => ({ path: join(repo, 'src/ts/drivers/builtin-on-demand.ts') }));
  },
};

export async function buildCli() {
  const split = await build({
    absWorkingDir: repo,
    entryPoints: { tsvirsh: 'src/ts/cli/main.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: CLI_DIR,
    outExtension: { '.js': '.cjs' },
    chunkNames: '[name]-[hash]',
    external: ['koffi', 'node-gyp-build'],
    // Whitespace and syntax minified, names kept: error stacks stay readable, and the bytes read at start-up shrink.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [shellDrivers],
    write: false,
    logLevel: 'warning',
  });
  rmSync(CLI_DIR, { recursive: true, force: true });
  mkdirSync(CLI_DIR, { recursive: true });
  for (const file of split.outputFiles) {
    const cjs = await transform(file.text, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minifyWhitespace: true,
      // import() of a chunk becomes require() through the launcher's loader, on first use as before.
      supported: { 'dynamic-import': false },
      // Each chunk's own location, for createRequire() and the package root (src/ts/native/library.ts).
      define: { 'import.meta.url': '__chunkUrl' },
      banner: "const __chunkUrl = require('node:url').pathToFileURL(__filename).href;",
      sourcefile: basename(file.path),
      logLevel: 'warning',
    });
    // Written as the function Node's Module.wrap() would make of it, so the launcher compiles the file's text
    // as it is: wrapping it at start-up would copy every chunk's source once more before V8 compiles it.
    writeFileSync(file.path, `(function (exports, require, module, __filename, __dirname) {${cjs.code}\n})`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
