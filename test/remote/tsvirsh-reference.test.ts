// tsvirsh through a real libvirtd's socket prints what the real virsh prints through the same socket, for
// every case of the reference transcripts (../shared/reference/libvirt-9.0/cases.tsv). Each invocation gets a
// fresh test driver, as each reference case does: the daemon serves a custom driver file made from its own
// test:///default (libvirtd gives every connection to a custom file its own state, but shares test:///default).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedChunks, chunksRun, ensureBuilt, installShellCopy, normalise, tablesDefined } from '../cli/harness.js';
import { REFERENCE } from '../reference.js';
import { run } from '../daemon/helpers.js';
import { CLIENT_ENV, REPO, type Libvirtd } from '../support/libvirtd.mjs';
import { startRemoteFixture, type RemoteFixture } from './helpers.js';

let fixture: RemoteFixture;
let daemon: Libvirtd;

function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push((m[1] ?? m[2] ?? m[3]!).replaceAll('$PWD', REFERENCE));
  return words;
}

/** The reference cases, their URIs pointed at the daemon's socket and their /tmp files at a private folder. */
async function cases(): Promise<{ name: string; args: string[] }[]> {
  const lines = (await readFile(join(REFERENCE, 'cases.tsv'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  return lines.map((line) => {
    const [name, command] = line.split('\t');
    const args = shellWords(command).map((word) => word.replace(/\/tmp\/ref-/g, `${daemon.filesDir}/ref-`));
    const c = args.indexOf('-c');
    const uri = args[c + 1];
    const socket = `socket=${daemon.socket}`;
    if (uri === 'test:///default') args[c + 1] = fixture.freshUri;
    else args[c + 1] = uri.replace(/^([a-z]+):\/\//, '$1+unix://') + `?${socket}`;
    return { name, args };
  });
}

beforeAll(async () => {
  ensureBuilt();
  fixture = await startRemoteFixture();
  daemon = fixture.daemon;
}, 180_000);

afterAll(async () => {
  await fixture?.stop();
});

const tsvirsh = (args: string[]) =>
  run(process.execPath, [join(REPO, 'bin/tsvirsh.cjs'), ...args], { cwd: REFERENCE, env: CLIENT_ENV, timeoutMs: 60_000 });
const realVirsh = (args: string[]) => run('virsh', args, { cwd: REFERENCE, env: CLIENT_ENV, timeoutMs: 60_000 });

/** What may differ between two runs of the same case: CPU time moves, new objects get new UUIDs. */
const same = (text: string) => normalise(text);

describe('tsvirsh through a libvirtd socket prints what virsh prints through it', async () => {
  const all = await (async () => {
    // cases() needs the daemon: build the list lazily inside each test.
    const lines = (await readFile(join(REFERENCE, 'cases.tsv'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
    return lines.map((l) => l.split('\t')[0]);
  })();
  for (const name of all) {
    it(name, async () => {
      const c = (await cases()).find((x) => x.name === name)!;
      const theirs = await realVirsh(c.args);
      const mine = await tsvirsh(c.args);
      // The daemon really served the case: virsh through it ends as the direct run in the transcript did.
      const golden = await readFile(join(REFERENCE, 'virsh', `${name}.txt`), 'utf8');
      expect(theirs.status).toBe(Number(/\[exit status: (\d+)\]/.exec(golden)![1]));
      expect({ status: mine.status, stdout: same(mine.stdout), stderr: same(mine.stderr) }).toEqual({
        status: theirs.status,
        stdout: same(theirs.stdout),
        stderr: same(theirs.stderr),
      });
    });
  }
});

it('through the socket, tsvirsh reads the remote driver and none of the local drivers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsvirsh-chunks-'));
  try {
    const { launcher, chunks } = installShellCopy(dir);
    const listed = await run(process.execPath, [launcher, '-c', `test+unix:///default?socket=${daemon.socket}`, 'list'], { env: CLIENT_ENV });
    expect(listed.stdout).toContain(' Id   Name   State\n');
    expect(cachedChunks(chunks)).toEqual(expect.arrayContaining(['tsvirsh', 'open']));
    expect(cachedChunks(chunks).filter((c) => c === 'test-driver' || c === 'storage-dir')).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('through the socket, a list runs neither the XML parser nor the other command groups', async () => {
  const listed = await chunksRun(['-c', `test+unix:///default?socket=${daemon.socket}`, 'list'], CLIENT_ENV);
  expect(listed.stdout).toContain(' Id   Name   State\n');
  expect(tablesDefined(listed.ran)).toEqual(['monitorCommands']);
  expect(listed.ran.filter((code) => code.includes('function parseXml('))).toEqual([]);
  // The parser's chunk is told by that name: --title parses each domain's XML.
  const titled = await chunksRun(['-c', `test+unix:///default?socket=${daemon.socket}`, 'list', '--title'], CLIENT_ENV);
  expect(titled.ran.filter((code) => code.includes('function parseXml(')).length).toBe(1);
});
