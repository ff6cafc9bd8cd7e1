// The remote driver against tsvirt's own daemon (tsvirtd, as a separate process): the same checks as against
// libvirtd. tsvirsh through the socket prints what the real virsh prints through it for every reference
// case, a C program prints what it prints linked with the real libvirt, errors and events come through.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/ts/index.js';
import { VirError } from '../../src/ts/errors/index.js';
import { ensureBuilt, normalise } from '../cli/harness.js';
import { run } from '../daemon/helpers.js';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { REFERENCE } from '../reference.js';
import { CLIENT_ENV, python, REPO } from '../support/libvirtd.mjs';

let dir: string;
let socket: string;
let daemon: ChildProcess;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-remote-tsvirtd-'));
  socket = join(dir, 'sock');
  daemon = spawn(process.execPath, [join(REPO, 'bin/tsvirtd.js'), '--listen', socket, '--no-readonly'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TSVIRT_TEST_RATE: '0' },
  });
  await new Promise<void>((resolve, reject) => {
    daemon.stderr!.on('data', (c) => String(c).includes('listening on') && resolve());
    daemon.once('exit', (code) => reject(new Error(`tsvirtd exited with ${code}`)));
  });
}, 180_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    daemon.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const uri = () => `test+unix:///default?socket=${socket}`;

function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push((m[1] ?? m[2] ?? m[3]!).replaceAll('$PWD', REFERENCE));
  return words;
}

const caseLines = (await readFile(join(REFERENCE, 'cases.tsv'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));

describe('tsvirsh through tsvirtd prints what virsh prints through it', () => {
  for (const line of caseLines) {
    const [name, command] = line.split('\t');
    it(name, async () => {
      const args = shellWords(command).map((w) => w.replace(/\/tmp\/ref-/g, `${dir}/ref-`));
      const c = args.indexOf('-c');
      args[c + 1] = args[c + 1].replace(/^([a-z]+):\/\//, '$1+unix://') + `?socket=${socket}`;
      const opts = { cwd: REFERENCE, env: { ...CLIENT_ENV, TSVIRT_TEST_RATE: '0' }, timeoutMs: 60_000 };
      const theirs = await run('virsh', args, opts);
      const mine = await run(process.execPath, [join(REPO, 'bin/tsvirsh.cjs'), ...args], opts);
      const golden = await readFile(join(REFERENCE, 'virsh', `${name}.txt`), 'utf8');
      // tsvirtd really served it: the test driver there has jobs, so only 12-domjobinfo ends otherwise.
      if (name !== '12-domjobinfo') expect(theirs.status).toBe(Number(/\[exit status: (\d+)\]/.exec(golden)![1]));
      expect({ status: mine.status, stdout: normalise(mine.stdout), stderr: normalise(mine.stderr) }).toEqual({
        status: theirs.status,
        stdout: normalise(theirs.stdout),
        stderr: normalise(theirs.stderr),
      });
    });
  }
});

describe('tsvirt storage through tsvirtd', () => {
  it('tsvirsh on tsvirt+unix:///embed?root=...&socket=... prints what it prints on the local tsvirt:///embed', async () => {
    const script = (pool: string) =>
      `pool-create-as p1 dir --target ${pool}; pool-list --all; vol-create-as p1 v1 10M; vol-clone v1 v2 --pool p1; ` +
      `vol-list p1; vol-info v2 --pool p1; vol-delete v1 --pool p1; vol-info v1 --pool p1; pool-destroy p1`;
    const pool = join(dir, 'pool');
    mkdirSync(pool);
    const opts = { env: { ...CLIENT_ENV }, timeoutMs: 60_000 };
    const tsvirsh = join(REPO, 'bin/tsvirsh.cjs');
    const remote = await run(process.execPath, [tsvirsh, '-c', `tsvirt+unix:///embed?root=${join(dir, 'state-remote')}&socket=${socket}`, script(pool)], opts);
    rmSync(pool, { recursive: true, force: true });
    mkdirSync(pool);
    const local = await run(process.execPath, [tsvirsh, '-c', `tsvirt:///embed?root=${join(dir, 'state-local')}`, script(pool)], opts);
    expect(local.stdout).toContain('Vol v2 cloned from v1');
    expect(remote).toEqual(local);
  });
});

describe('the idiomatic API through tsvirtd', () => {
  it('errors arrive as python3-libvirt sees them', async () => {
    const conn = await connect(uri());
    try {
      const e = (await conn.lookupDomainByName('nosuch').catch((x: unknown) => x)) as VirError;
      expect(e).toBeInstanceOf(VirError);
      const theirs = JSON.parse(
        await python(
          `import sys, json, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
try:
    libvirt.open(sys.argv[1]).lookupByName('nosuch')
except libvirt.libvirtError as e:
    print(json.dumps([e.get_error_code(), e.get_error_domain(), e.get_error_message(), e.get_error_level()]))`,
          [uri()],
        ),
      );
      expect([e.code, e.domain, e.message, e.level]).toEqual(theirs);
    } finally {
      await conn.close();
    }
  });

  it('domain events of its own operations, and a save job with the blocking call behind it', async () => {
    const conn = await connect(uri());
    try {
      const events = conn.domainEvents();
      await events.ready;
      const dom = await conn.lookupDomain('test');
      await dom.suspend();
      await dom.resume();
      const seen: string[] = [];
      for await (const e of events) {
        e.domain.free();
        if (seen.push(`${e.domain.name}:${e.name}`) === 2) break;
      }
      expect(seen).toEqual(['test:suspended', 'test:resumed']);
      await dom.save(join(dir, 'idiomatic.save'));
      expect((await dom.state()).state).toBe(5);
      const restored = await conn.restore(join(dir, 'idiomatic.save'));
      expect(restored.name).toBe('test');
      expect((await restored.state()).state).toBe(1);
      // Every handle released: the daemon's shared test:///default goes once its last connection does.
      dom.free();
      restored.free();
    } finally {
      await conn.close();
    }
  });
});

describe.skipIf(!hasCc || !hasRealLibvirt)('a C program through tsvirt-run against tsvirtd', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());

  it('prints what the same program linked with the real libvirt prints', async () => {
    const source = new URL('./c/remote-client.c', import.meta.url).pathname;
    const args = [uri(), dir];
    const env = { ...CLIENT_ENV };
    const theirs = await ws.runLibvirt(ws.buildForLibvirt(source), args, env);
    const mine = await ws.runTsvirt(ws.buildForTsvirt(source), args, env);
    expect(theirs.status).toBe(0);
    expect(theirs.stdout).toContain('save=0');
    expect({ status: mine.status, stdout: mine.stdout.split('\n'), stderr: mine.stderr }).toEqual({ status: theirs.status, stdout: theirs.stdout.split('\n'), stderr: theirs.stderr });
  });
});
