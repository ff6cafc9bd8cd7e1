// The layering of docs/architecture.md, enforced: a module under src/ may import its own layer and the layers
// below it, never one above. Type-only imports (`import type`, `import { type X }` lists made only of types)
// are erased when compiling and do not order module loading, so handles may name the driver table's types.
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

/** The relative modules a source file loads at run time: static imports, re-exports, side-effect and dynamic imports. */
export function runtimeImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?'(\.[^']+)'/gm;
  for (const [, , typeOnly, clause, specifier] of source.matchAll(statement)) {
    if (typeOnly) continue;
    // `import { type A, type B } from` is erased too; `import { type A, b } from` is not.
    const braces = /^\{([^}]*)\}$/.exec(clause?.trim() ?? '');
    if (braces && braces[1]!.split(',').every((name) => !name.trim() || /^type\s/.test(name.trim()))) continue;
    found.push(specifier!);
  }
  for (const [, specifier] of source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g))
    if (!/typeof\s+$/.test(source.slice(0, source.indexOf(`import('${specifier}')`)))) found.push(specifier!);
  return found;
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
      const target = relative(repoRoot, resolve(repoRoot, dirname(file), specifier)).replace(/\.js$/, '.ts');
      const theirs = layerOf(target);
      if (theirs > own) problems.push(`${file} -> ${target} (${LAYERS[own]!.name} imports ${LAYERS[theirs]!.name})`);
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
