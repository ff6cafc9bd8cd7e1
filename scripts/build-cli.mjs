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
    metafile: true,
    logLevel: 'warning',
  });
  const code = new Map();
  for (const file of split.outputFiles) {
    const cjs = await transform(file.text, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minifyWhitespace: true,
      // import() of a chunk becomes require() through the launcher's loader, on first use as before.
      supported: { 'dynamic-import': false },
      // Each chunk's own location, for createRequire() and the package root (src/ts/native/library.ts); only the
      // modules that ask for it compute it.
      define: { 'import.meta': '__chunkMeta' },
      banner: "const __chunkMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
      sourcefile: basename(file.path),
      logLevel: 'warning',
    });
    code.set(basename(file.path), plainExportShim(cjs.code));
  }
  rmSync(CLI_DIR, { recursive: true, force: true });
  mkdirSync(CLI_DIR, { recursive: true });
  const groups = groupChunks(split.metafile);
  const groupOf = Object.fromEntries([...groups].flatMap(([group, members]) => members.map((chunk) => [chunk, group])));
  for (const [group, members] of groups) {
    // Each chunk as the function Node's Module.wrap() would make of it: the launcher calls it on first require.
    const functions = members.map(
      (chunk) => `${JSON.stringify(chunk)}: function (exports, require, module, __filename, __dirname) {${code.get(chunk)}\n}`,
    );
    const manifest = group === ENTRY ? `groups: ${JSON.stringify(groupOf)},\n` : '';
    const text = `({\n${manifest}chunks: {\n${functions.join(',\n')}\n}})`;
    // bin/tsvirsh.cjs reads the files as Latin-1, which is ASCII here: esbuild escapes every other character.
    if (/[^\x00-\x7f]/.test(text)) throw new Error(`${group}: not ASCII`);
    writeFileSync(join(CLI_DIR, group), text);
  }
}

/**
 * esbuild's CommonJS shim for a module's exports defines each export as a getter, from a descriptor object and an
 * arrow function apiece (`__export`), then copies them all, as getters again, into the object it exports
 * (`__toCommonJS`): about 600 bytes of young objects per export, and the shell's chunks export a few hundred names,
 * which a short command pays in young-generation collections (docs/benchmarks.md, "Memory touched first"). The
 * same getters (live bindings, and a chunk still readable while a cycle loads it) are written here as one object
 * literal that is exported as it is. Code that does not have esbuild's exact shape is left as esbuild wrote it.
 */
export function plainExportShim(code) {
  const exported = /module\.exports=__toCommonJS\((\w+)\);/.exec(code)?.[1];
  let exportedRewritten = false;
  const rewritten = code.replace(/var (\w+)=\{\};__export\(\1,\{([^}]*)\}\);/g, (shim, name, list) => {
    const pairs = list.split(',').map((pair) => /^([\w$]+):\(\)=>([\w$]+(?:\.[\w$]+)?)$/.exec(pair));
    if (pairs.some((pair) => !pair)) return shim;
    const getters = pairs.map(([, key, value]) => `get ${key}(){return ${value}}`);
    if (name === exported) {
      // The flag __toCommonJS sets, that esbuild's import of a chunk (__toESM) reads.
      getters.unshift('__esModule:true');
      exportedRewritten = true;
    }
    return `var ${name}={${getters.join(',')}};`;
  });
  if (!exportedRewritten) return rewritten;
  return rewritten.replace(`module.exports=__toCommonJS(${exported});`, `module.exports=${exported};`);
}

const ENTRY = 'tsvirsh.cjs';
/** Below this size (bytes of code), a dynamic import's chunks go in the file of the root that loads it. */
const OWN_FILE_MIN = 32 * 1024;
/**
 * The runtime behind a first connection is read with the entry too: every command but help and --version
 * connects, the read of a file and its cache is saved, and the one source string of both is over V8's 128 KB
 * large-object size, so it is not allocated in the young generation (the runtime's own 97 KB were, and brought a
 * scavenge of ~3 ms into a socket `list`; docs/benchmarks.md, "Memory touched first").
 */
const WITH_ENTRY = /^runtime-/;

/**
 * The files the chunks are written in, as Map<file, chunks>. A file per chunk would cost a read of the chunk and
 * one of its code cache each, about 0.2 ms apiece here, for chunks of 1 to 30 KB: so each chunk goes in the
 * file of the entry or dynamic import that is sure to be loaded before everything that needs it (the nearest
 * common one in the tree of dynamic imports). A chunk read early but never run costs little: V8 compiles a
 * function only when it is first called. A dynamic import of less than OWN_FILE_MIN bytes has no file of its own
 * either: measured on a socket `list` (docs/benchmarks.md, "The shell in chunks"), the command group's own file
 * cost more (two more reads, and an entry file under V8's 128 KB large-object size, whose source then filled the
 * young generation: a second scavenge) than reading the other groups' code without running it.
 */
function groupChunks(metafile) {
  const outputs = new Map(Object.entries(metafile.outputs).map(([path, out]) => [basename(path), out]));
  const imports = (chunk, kind) =>
    outputs.get(chunk).imports.filter((i) => !i.external && (kind === 'dynamic-import') === (i.kind === 'dynamic-import')).map((i) => basename(i.path));
  // The chunks a root loads at once: itself and its static imports, transitively.
  const closure = (root) => {
    const seen = new Set([root]);
    for (const chunk of seen) for (const next of imports(chunk, 'static')) seen.add(next);
    return seen;
  };
  // The tree of roots: the entry, then each dynamic import under the first root (breadth first) that loads its importer.
  const parent = new Map([[ENTRY, null]]);
  const closures = new Map();
  for (const root of parent.keys()) {
    closures.set(root, closure(root));
    for (const chunk of closures.get(root)) for (const target of imports(chunk, 'dynamic-import')) if (!parent.has(target)) parent.set(target, root);
  }
  const ancestors = (root) => (root === null ? [] : [root, ...ancestors(parent.get(root))]);
  const nearestCommon = (roots) => roots.map(ancestors).reduce((common, line) => common.filter((r) => line.includes(r)))[0];
  const groups = new Map([...parent.keys()].map((root) => [root, []]));
  for (const chunk of outputs.keys()) {
    const needers = [...closures].filter(([, members]) => members.has(chunk)).map(([root]) => root);
    groups.get(nearestCommon(needers)).push(chunk);
  }
  // Small dynamic imports (the command groups, the XPath engine, the interactive shell) stay in the file of the
  // root that loads them, children first, so that their parents' sizes count them.
  const size = (members) => members.reduce((sum, chunk) => sum + outputs.get(chunk).bytes, 0);
  for (const root of [...parent.keys()].reverse()) {
    if (root === ENTRY || (size(groups.get(root)) >= OWN_FILE_MIN && !WITH_ENTRY.test(root))) continue;
    groups.get(parent.get(root)).push(...groups.get(root));
    groups.delete(root);
  }
  return groups;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
