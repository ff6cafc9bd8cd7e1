import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, normalise, REFERENCE, runInProcess, runProcess, type RunResult } from './harness.js';

/**
 * Every case of the reference transcripts (libvirt-9.0/cases.tsv, captured from real virsh 9.0 on the test
 * driver), run through tsvirsh and compared byte for byte after blanking the volatile fields.
 */

interface Case {
  name: string;
  argv: string[];
  expected: RunResult;
}

/** The shell words of a cases.tsv line: quotes and $PWD (the reference folder), as `eval` sees them. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push((m[1] ?? m[2] ?? m[3]!).replaceAll('$PWD', REFERENCE));
  return words;
}

/** Splits a transcript into exit status, stdout and stderr (either may lack a final newline). */
function parseTranscript(text: string): RunResult {
  const status = Number(/^\[exit status: (\d+)\]$/m.exec(text)![1]);
  const out = text.indexOf('--- stdout ---\n') + '--- stdout ---\n'.length;
  const err = text.lastIndexOf('--- stderr ---\n');
  const end = text.lastIndexOf('--- end ---\n');
  return { status, stdout: text.slice(out, err), stderr: text.slice(err + '--- stderr ---\n'.length, end) };
}

function loadCases(): Case[] {
  return readFileSync(join(REFERENCE, 'cases.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, args] = line.split('\t') as [string, string];
      return { name, argv: shellWords(args), expected: parseTranscript(readFileSync(join(REFERENCE, 'virsh', `${name}.txt`), 'utf8')) };
    });
}

/**
 * Where tsvirt is meant to differ from libvirt 9.0: the transcript tsvirsh must produce instead, and why.
 */
const DEVIATIONS: Record<string, { why: string; expected: RunResult }> = {
  '12-domjobinfo': {
    why: "libvirt 9.0's test driver has no job API; tsvirt's has one, so an idle domain shows 'None' and there is no job to abort",
    expected: {
      status: 1,
      stdout: 'Job type:         None        \n\n\n',
      stderr: 'error: Requested operation is not valid: no job is active on the domain\n',
    },
  },
};

/** Removes the files the cases write (as `capture` does), leaving virsh-compare.test.ts's `ref-c.*` alone. */
function clean(): void {
  for (const f of readdirSync('/tmp')) if (/^ref-(?!c\.).*\.(save|core)$/.test(f)) rmSync(join('/tmp', f), { force: true });
}

/** What tsvirsh printed, in the transcript's terms (the reference folder shows as ABSDIR). */
function asTranscript(r: RunResult): RunResult {
  const fix = (t: string) => normalise(t.replaceAll(REFERENCE, 'ABSDIR'));
  return { status: r.status, stdout: fix(r.stdout), stderr: fix(r.stderr) };
}

function expectedFor(c: Case): RunResult {
  const e = DEVIATIONS[c.name]?.expected ?? c.expected;
  return { status: e.status, stdout: normalise(e.stdout), stderr: normalise(e.stderr) };
}

const cases = loadCases();
const cwd = process.cwd();

/** Cases whose output includes what the library itself writes to the process's stderr (libxml2's warning). */
const ONLY_AS_PROCESS = new Set(['23-err-missing-file-uri']);

describe('reference transcripts, in process', () => {
  beforeAll(() => process.chdir(REFERENCE));
  afterAll(() => {
    process.chdir(cwd);
    clean();
  });

  it('has every case of cases.tsv', () => {
    expect(cases.length).toBeGreaterThanOrEqual(37);
  });

  for (const c of cases.filter((x) => !ONLY_AS_PROCESS.has(x.name))) {
    it(c.name, async () => {
      clean();
      expect(asTranscript(await runInProcess(c.argv))).toEqual(expectedFor(c));
    });
  }
});

describe('reference transcripts, as a process', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(clean);

  // A spawned process is slow; a sample covering exit statuses, the quiet flag, progress and errors.
  for (const name of ['10-save-verbose', '22-err-bad-uri', '29-err-parse', '32-batch-continues', '33-quiet', ...ONLY_AS_PROCESS]) {
    it(name, () => {
      const c = cases.find((x) => x.name === name)!;
      clean();
      expect(asTranscript(runProcess(c.argv, { cwd: REFERENCE }))).toEqual(expectedFor(c));
    });
  }
});
