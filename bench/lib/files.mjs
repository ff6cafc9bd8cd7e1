// Helpers shared by the storage benchmarks (bench/clone.mjs, bench/storage-jobs.mjs): test files with data
// where asked and holes elsewhere, the `cp` + `sync` baseline, peak memory, and tsvirt's sources bundled
// on the fly the way tsup builds them.
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

export const run = promisify(execFile);
export const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export const allocated = async (file) => (await stat(file)).blocks * 512;
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n, digits = 2) => n.toFixed(digits);

/** A fresh folder for a run's files: under the first argument, or ./tmp. */
export async function workDirFor(name) {
  const base = process.argv[2] ?? join(root, 'tmp');
  await mkdir(base, { recursive: true });
  return mkdtemp(join(base, `${name}-`));
}

/** A file of `size` bytes with random data in `extents` ([offset, length] pairs) and holes elsewhere. */
export async function writeFileWithData(file, size, extents) {
  const chunk = randomFillSync(Buffer.allocUnsafe(16 * MiB));
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.truncate(size);
    for (const [offset, length] of extents)
      for (let done = 0; done < length; done += chunk.length)
        await fh.write(chunk, 0, Math.min(chunk.length, length - done), offset + done);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Samples this process's RSS every 5 ms while fn runs: the peak above the level before it started. */
export async function peakExtraRss(fn) {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const result = await fn();
    return { result, extra: Math.max(peak, process.memoryUsage.rss()) - base };
  } finally {
    clearInterval(timer);
  }
}

/** The baseline: `cp` then `sync FILE`, so the copy is as durable as a finished clone; cp's peak RSS too. */
export async function timeCp(src, dst) {
  const t0 = performance.now();
  // GNU time reports cp's peak RSS in KiB on stderr.
  const { stderr } = await run('/usr/bin/time', ['-f', '%M', 'cp', '--sparse=auto', src, dst]);
  await run('sync', [dst]);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rss: Number(stderr.trim().split('\n').pop()) * 1024, alloc: await allocated(dst) };
}

/** Bundles `contents` (TypeScript importing tsvirt's sources by path) into workDir and imports it. */
export async function bundleSources(workDir, name, contents) {
  const outfile = join(workDir, `${name}.bundle.mjs`);
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['koffi', 'node-gyp-build'],
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}
