import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/ts/index.ts',
      libvirt: 'src/ts/libvirt.ts',
      run: 'src/ts/run/main.ts',
      tsvirtd: 'src/ts/daemon/main.ts',
    },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: { index: 'src/ts/index.ts', libvirt: 'src/ts/libvirt.ts' } },
    sourcemap: true,
    splitting: true,
  },
  {
    // tsvirsh as one CommonJS file, so bin/tsvirsh.cjs can load it through a V8 code cache: compiling the
    // bundle is most of a short command's start-up, and Node 20 caches compiled code only for scripts.
    entry: { tsvirsh: 'src/ts/cli/main.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    target: 'node20',
    platform: 'node',
    // No source map: the CLI is one bundle, and its map alone would double the package.
    sourcemap: false,
    splitting: false,
    // Whitespace and syntax minified, names kept: reading the bundle into a string and deserializing its code
    // cache are most of a short command's start-up, and both grow with its size (docs/benchmarks.md).
    minifyWhitespace: true,
    minifySyntax: true,
    define: { 'import.meta.url': '__tsvirshModuleUrl' },
    banner: { js: "const __tsvirshModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
]);
