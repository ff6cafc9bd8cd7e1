import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise, REFERENCE, runInProcess, runVirsh, virshInstalled, type RunResult } from './harness.js';

/**
 * tsvirsh against the real virsh (libvirt 9.0) on the cases of compare-cases.txt: both run in the reference
 * folder and must print the same bytes and exit with the same status. Skipped where virsh is not installed.
 */

/** Shell words: quotes (with \" inside double quotes), as the shell would split the line. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let m = re.exec(line); m && m[0].trim() !== ''; m = re.exec(line)) {
    words.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!));
  }
  return words;
}

const cases = readFileSync(new URL('./compare-cases.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'));

/** Removes the files the cases write; they are all `/tmp/ref-c.*`, apart from reference.test.ts's files. */
function clean(): void {
  for (const f of readdirSync('/tmp')) if (/^ref-c\.(save|core)$/.test(f)) rmSync(join('/tmp', f), { force: true });
}

const normalised = (r: RunResult): RunResult => ({ status: r.status, stdout: normalise(r.stdout), stderr: normalise(r.stderr) });

describe.skipIf(!virshInstalled)('tsvirsh and virsh print the same', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(REFERENCE));
  afterAll(() => {
    process.chdir(cwd);
    clean();
  });

  for (const line of cases) {
    it(line, { timeout: 60_000 }, async () => {
      const argv = shellWords(line);
      const expected = normalised(runVirsh(argv, { cwd: REFERENCE, before: clean }));
      clean();
      expect(normalised(await runInProcess(argv))).toEqual(expected);
    });
  }
});
