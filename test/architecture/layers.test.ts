// The layering of docs/architecture.md, enforced: a module under src/ may import its own layer and the layers
// below it, never one above. Type-only imports (`import type`, `import { type X }` lists made only of types)
// are erased when compiling and do not order module loading, so handles may name the driver table's types.
// tsvirsh has a narrower rule of its own (cliImportProblems): the public idiomatic API, loaded lazily.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The layers, bottom first, as docs/architecture.md draws them; a module belongs to its longest matching prefix. */
const LAYERS: { name: string; paths: string[] }[] = [
  { name: 'errors', paths: ['src/ts/errors/'] },
  { name: 'foundations', paths: ['src/ts/core/', 'src/ts/xml/', 'src/ts/rpc/', 'src/ts/native/'] },
  { name: 'model', paths: ['src/ts/jobs/', 'src/ts/conf/'] },
  { name: 'drivers', paths: ['src/ts/drivers/'] },
  { name: 'entry points', paths: ['src/ts/api/'] },
  { name: 'faces', paths: ['src/ffi/', 'src/ts/cstyle/', 'src/ts/tsvirt/', 'src/ts/libvirt.ts', 'src/ts/index.ts'] },
  { name: 'programs', paths: ['src/ts/cli/', 'src/ts/daemon/', 'src/ts/run/'] },
];

/** The layer index of a repository-relative path, or -1 when no layer claims it. */
export function layerOf(path: string): number {
  let best = -1;
  let bestLength = 0;
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.paths)
      if (path.startsWith(prefix) && prefix.length > bestLength) {
        best = index;
        bestLength = prefix.length;
      }
  });
  return best;
}

/** The relative modules a source file loads as soon as it is loaded: static imports, re-exports, side-effect imports. */
export function staticImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?'(\.[^']+)'/gm;
  for (const [, , typeOnly, clause, specifier] of source.matchAll(statement)) {
    if (typeOnly) continue;
    // `import { type A, type B } from` is erased too; `import { type A, b } from` is not.
    const braces = /^\{([^}]*)\}$/.exec(clause?.trim() ?? '');
    if (braces && braces[1]!.split(',').every((name) => !name.trim() || /^type\s/.test(name.trim()))) continue;
    found.push(specifier!);
  }
  return found;
}

/** The relative modules a source file loads when it asks for them: `import('...')`, not `typeof import('...')`. */
export function dynamicImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g))
    if (!/typeof\s+$/.test(source.slice(0, match.index))) found.push(match[1]!);
  return found;
}

/** The relative modules a source file loads at run time: static imports, re-exports, side-effect and dynamic imports. */
export function runtimeImports(source: string): string[] {
  return [...staticImports(source), ...dynamicImports(source)];
}

/** Every relative module a source file names, type-only imports and `typeof import('...')` included. */
export function allImports(source: string): string[] {
  const statements = source.matchAll(/^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gm);
  return [...[...statements].map((m) => m[1]!), ...[...source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!)];
}

/** The repository-relative path of the module `specifier` names from `file`. */
function resolveFrom(file: string, specifier: string): string {
  return relative(repoRoot, resolve(repoRoot, dirname(file), specifier)).replace(/\.js$/, '.ts');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import of `files` that reaches a layer above the importer's own, as "importer -> imported (layers)". */
export function upwardImports(files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, source] of files) {
    const own = layerOf(file);
    for (const specifier of runtimeImports(source)) {
      const target = resolveFrom(file, specifier);
      const theirs = layerOf(target);
      if (theirs > own) problems.push(`${file} -> ${target} (${LAYERS[own]!.name} imports ${LAYERS[theirs]!.name})`);
    }
  }
  return problems;
}

/**
 * tsvirsh stands on one public API, the idiomatic one (src/ts/index.ts), and loads it only when a command
 * first needs a connection: cli/runtime.ts re-exports it and is itself reached only by a dynamic import, so
 * `help`, parse errors and `--version` never load the drivers. Below the API, the CLI may use only what has
 * no behaviour of a driver or an entry point: errors, the headers' enums, XML and unit parsing.
 */
const CLI_MAY_NAME = ['src/ts/cli/', 'src/ts/index.ts', 'src/ts/errors/', 'src/ts/core/enums.generated.ts', 'src/ts/xml/', 'src/ts/conf/units.ts'];
const CLI_RUNTIME = 'src/ts/cli/runtime.ts';
const PUBLIC_API = 'src/ts/index.ts';

/** Every import of a CLI module in `files` that breaks the rule above, as "importer -> imported (why)". */
export function cliImportProblems(files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, source] of files) {
    if (!file.startsWith('src/ts/cli/')) continue;
    for (const target of allImports(source).map((specifier) => resolveFrom(file, specifier)))
      if (!CLI_MAY_NAME.some((allowed) => target.startsWith(allowed))) problems.push(`${file} -> ${target} (not the public API)`);
    for (const target of staticImports(source).map((specifier) => resolveFrom(file, specifier))) {
      if (target === PUBLIC_API && file !== CLI_RUNTIME) problems.push(`${file} -> ${target} (loaded only through ${CLI_RUNTIME})`);
      if (target === CLI_RUNTIME) problems.push(`${file} -> ${target} (loaded only by a dynamic import)`);
    }
  }
  return problems;
}

describe('the layers of src/', () => {
  const files = new Map(['src/ts', 'src/ffi'].flatMap(sourceFiles).map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')]));

  it('place every module in exactly one layer', () => {
    expect(files.size).toBeGreaterThan(100);
    expect([...files.keys()].filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('import only their own layer and the layers below', () => {
    const imports = [...files.values()].flatMap(runtimeImports);
    expect(imports.length).toBeGreaterThan(300); // the parser sees the imports, so an empty result means something
    expect(upwardImports(files)).toEqual([]);
  });

  it('are checked by a rule that catches an upward import, and lets type-only ones pass', () => {
    const sample = new Map([
      ['src/ts/drivers/x/a.ts', "import { checkConnect } from '../../api/check.js';\n"],
      ['src/ts/drivers/x/b.ts', "export { nativeAbi } from '../../../ffi/native-abi.js';\n"],
      ['src/ts/core/c.ts', "import type { ConnectionDrivers } from '../drivers/driver.js';\n"],
      ['src/ts/core/d.ts', "import { type VirJob, type JobInfo } from '../jobs/job.js';\n"],
      ['src/ts/core/e.ts', "import { type VirJob, jobState } from '../jobs/job.js';\n"],
      ['src/ts/errors/f.ts', "const m = await import('../cli/main.js');\n"],
      ['src/ts/cli/g.ts', "import '../drivers/builtin.js';\n"],
    ]);
    expect(upwardImports(sample)).toEqual([
      'src/ts/drivers/x/a.ts -> src/ts/api/check.ts (drivers imports entry points)',
      'src/ts/drivers/x/b.ts -> src/ffi/native-abi.ts (drivers imports faces)',
      'src/ts/core/e.ts -> src/ts/jobs/job.ts (foundations imports model)',
      'src/ts/errors/f.ts -> src/ts/cli/main.ts (errors imports programs)',
    ]);
  });
});

describe('tsvirsh', () => {
  const files = new Map(sourceFiles('src/ts/cli').map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')]));

  it('stands on the public API alone, and loads it lazily', () => {
    expect(files.size).toBeGreaterThan(20);
    expect(dynamicImports(files.get('src/ts/cli/session.ts')!)).toEqual(['./runtime.js']);
    expect(cliImportProblems(files)).toEqual([]);
  });

  it('is checked by a rule that catches the entry points, the drivers and an eager load of the API', () => {
    const sample = new Map([
      ['src/ts/cli/a.ts', "import * as domainApi from '../api/domain.js';\n"],
      ['src/ts/cli/commands/b.ts', "import type { NodeInfo } from '../../drivers/driver.js';\n"],
      ['src/ts/cli/c.ts', "import { connect } from '../index.js';\n"],
      ['src/ts/cli/d.ts', "import { connect } from './runtime.js';\n"],
      ['src/ts/cli/e.ts', "type R = typeof import('../tsvirt/domain.js');\n"],
      ['src/ts/cli/commands/ok.ts', "import type { Domain } from '../../index.js';\nimport { virDomainState } from '../../core/enums.generated.js';\n"],
      ['src/ts/cli/ok.ts', "const rt = await import('./runtime.js');\nimport { parseXml } from '../xml/index.js';\n"],
      ['src/ts/cli/runtime.ts', "export { connect } from '../index.js';\n"],
    ]);
    expect(cliImportProblems(sample)).toEqual([
      'src/ts/cli/a.ts -> src/ts/api/domain.ts (not the public API)',
      'src/ts/cli/commands/b.ts -> src/ts/drivers/driver.ts (not the public API)',
      'src/ts/cli/c.ts -> src/ts/index.ts (loaded only through src/ts/cli/runtime.ts)',
      'src/ts/cli/d.ts -> src/ts/cli/runtime.ts (loaded only by a dynamic import)',
      'src/ts/cli/e.ts -> src/ts/tsvirt/domain.ts (not the public API)',
    ]);
  });
});
