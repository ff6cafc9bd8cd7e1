// The real Debian virsh (libvirt 9.0) against tsvirtd, for every case of the reference transcripts: the
// output must be what virsh printed against libvirtd (the golden transcript, with the differences
// rpc/output-diffs.txt records for going through a daemon), and the calls those of the captured sessions.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../cli/harness.js';
import { REFERENCE } from '../reference.js';
import { run, startDaemon, throughSocket, type ProcessResult, type TestDaemon } from './helpers.js';

const virshInstalled = (() => {
  try {
    readFileSync('/usr/bin/virsh');
    return true;
  } catch {
    return false;
  }
})();

function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push((m[1] ?? m[2] ?? m[3]!).replaceAll('$PWD', REFERENCE));
  return words;
}

/** rpc/output-diffs.txt: per case, `diff` hunks (NcN, NdN, NaN) from the direct run to the run through libvirtd. */
function outputDiffs(): Map<string, string[]> {
  const diffs = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of readFileSync(join(REFERENCE, 'rpc', 'output-diffs.txt'), 'utf8').split('\n')) {
    const m = /^=== (\S+)/.exec(line);
    if (m) diffs.set(m[1], (current = []));
    else if (current && line) current.push(line);
  }
  return diffs;
}

/** Applies normal-format diff hunks to a text, hunks in increasing line order. */
function applyDiff(text: string, hunks: string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let next = 0; // index into `lines` of the first line not yet copied
  for (let i = 0; i < hunks.length; ) {
    const m = /^(\d+)(?:,(\d+))?([acd])(\d+)(?:,(\d+))?$/.exec(hunks[i++]);
    if (!m) throw new Error(`bad diff line ${hunks[i - 1]}`);
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    const added: string[] = [];
    while (i < hunks.length && /^[<>-]/.test(hunks[i])) {
      if (hunks[i].startsWith('> ')) added.push(hunks[i].slice(2));
      i++;
    }
    const keepUntil = m[3] === 'a' ? from : from - 1;
    out.push(...lines.slice(next, keepUntil), ...added);
    next = m[3] === 'a' ? from : to;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

function parseTranscript(text: string): ProcessResult {
  const status = Number(/^\[exit status: (\d+)\]$/m.exec(text)![1]);
  const out = text.indexOf('--- stdout ---\n') + '--- stdout ---\n'.length;
  const err = text.lastIndexOf('--- stderr ---\n');
  const end = text.lastIndexOf('--- end ---\n');
  return { status, stdout: text.slice(out, err), stderr: text.slice(err + '--- stderr ---\n'.length, end) };
}

/** rpc/procedures.tsv: the REMOTE calls of each captured session, connection 1 only. */
function capturedCalls(): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  for (const line of readFileSync(join(REFERENCE, 'rpc', 'procedures.tsv'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, list = ''] = line.split('\t');
    calls.set(name, list.split(' ').filter((w) => w && !w.startsWith('conn')).map((w) => `REMOTE_PROC_${w.replace(/\(\d+\)$/, '')}`));
  }
  return calls;
}

/**
 * Where tsvirt means to differ from libvirt 9.0's test driver (as in test/cli/reference.test.ts): its test
 * driver has the job API, so an idle domain's job is 'None' and there is no job to abort.
 */
const DEVIATIONS: Record<string, ProcessResult> = {
  '12-domjobinfo': {
    status: 1,
    stdout: 'Job type:         None        \n\n\n',
    stderr: 'error: Requested operation is not valid: no job is active on the domain\n',
  },
};

const cases = readFileSync(join(REFERENCE, 'cases.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [name, args] = line.split('\t') as [string, string];
    return { name, argv: shellWords(args) };
  });

function clean(): void {
  for (const f of readdirSync('/tmp')) if (/^ref-(?!c\.).*\.(save|core)$/.test(f)) rmSync(join('/tmp', f), { force: true });
}

describe.skipIf(!virshInstalled)('real virsh through tsvirtd: every reference case', () => {
  let d: TestDaemon;
  const diffs = outputDiffs();
  const captured = capturedCalls();

  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d.stop();
    clean();
  });

  for (const c of cases) {
    it(c.name, async () => {
      clean();
      const argv = c.argv.map((a, i) => (c.argv[i - 1] === '-c' ? throughSocket(a, d.socket) : a));
      const before = new Set(d.calls.keys());
      const got = await run('virsh', argv, { cwd: REFERENCE });
      const golden = readFileSync(join(REFERENCE, 'virsh', `${c.name}.txt`), 'utf8');
      const expected = DEVIATIONS[c.name] ?? parseTranscript(applyDiff(golden, diffs.get(c.name) ?? []).replaceAll('SOCKDIR/proxy-sock', d.socket));
      const fix = (t: string) => normalise(t.replaceAll(REFERENCE, 'ABSDIR'));
      expect({ status: got.status, stdout: fix(got.stdout), stderr: fix(got.stderr) }).toEqual({
        status: expected.status,
        stdout: normalise(expected.stdout),
        stderr: normalise(expected.stderr),
      });
      const clients = [...d.calls.keys()].filter((k) => !before.has(k));
      const calls = clients.length ? d.calls.get(clients[0])! : [];
      expect(calls).toEqual(captured.get(c.name));
    });
  }
});
