import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedChunks, chunksRun, ensureBuilt, GROUP_TABLES, installShellCopy, LAUNCHER, REPO, runProcess, tablesDefined } from './harness.js';

/**
 * tsvirsh as a real process (bin/tsvirsh.cjs on the built dist/tsvirsh/): exit statuses, the interactive
 * shell on a pipe, signals, and Ctrl-C pressed on a real pseudo-terminal during `save --verbose`.
 */

let dir: string;
beforeAll(() => ensureBuilt(), 180_000);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsvirsh-proc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('exit statuses', () => {
  it('is 0 on success and 1 when the last command failed or the line does not parse', () => {
    expect(runProcess(['-c', 'test:///default', 'uri']).status).toBe(0);
    expect(runProcess(['-c', 'test:///default', 'domstate nosuch; uri']).status).toBe(0);
    expect(runProcess(['-c', 'test:///default', 'uri; domstate nosuch']).status).toBe(1);
    expect(runProcess(['-c', 'test:///default', 'uri; nosuchcmd']).status).toBe(1);
    expect(runProcess(['--bogus']).status).toBe(1);
    expect(runProcess(['-c', 'bogus:///x', 'uri']).status).toBe(1);
  });

  it('prints the version and the usage', () => {
    expect(runProcess(['--version'])).toEqual({ status: 0, stdout: '9.0.0\n', stderr: '' });
    const usage = runProcess(['-h']);
    expect(usage.status).toBe(0);
    expect(usage.stdout).toContain('\ntsvirsh [options]... [<command_string>]\n');
    expect(usage.stdout).toContain(' Storage Volume (help keyword \'volume\')\n    vol-clone ');
  });
});

describe('file names that are not UTF-8', () => {
  /** Runs the launcher through sh, whose printf puts raw bytes in the argument (Node's spawn writes UTF-8). */
  const saveAs = (octal: string) =>
    spawnSync('sh', ['-c', `"$0" "$1" -c test:///default save test "$(printf 'caf\\${octal}.save')"`, process.execPath, LAUNCHER], { cwd: dir });

  it('are refused rather than decoded into one name (caf\\xe9 and caf\\xe8 would both become caf\\ufffd)', () => {
    for (const octal of ['351', '350']) {
      const r = saveAs(octal);
      expect(r.status).toBe(1);
      expect(r.stderr.toString('latin1')).toBe(
        `error: invalid argument: 'caf${String.fromCharCode(parseInt(octal, 8))}.save' is not valid UTF-8, which tsvirsh cannot pass on unchanged\n`,
      );
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('are refused on a line of the interactive shell too, the rest of the session going on', () => {
    const input = Buffer.from('save test caf\xe9.save\nsave test caf\xe8.save\ndomstate test\n', 'latin1');
    const r = spawnSync(process.execPath, [LAUNCHER, '-q', '-c', 'test:///default'], { cwd: dir, input });
    expect(r.status).toBe(0);
    expect(r.stderr.toString('latin1')).toBe(
      ['\xe9', '\xe8'].map((c) => `error: invalid argument: 'save test caf${c}.save' is not valid UTF-8, which tsvirsh cannot pass on unchanged\n`).join(''),
    );
    expect(r.stdout.toString('latin1')).toContain('virsh # domstate test\nrunning\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('while UTF-8 names pass', () => {
    const r = spawnSync(process.execPath, [LAUNCHER, '-c', 'test:///default', 'save', 'test', 'café.save'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toBe("\nDomain 'test' saved to café.save\n\n");
    expect(readdirSync(dir)).toEqual(['café.save']);
  });
});

describe('interactive shell on a pipe', () => {
  it("prints virsh's banner and prompt, echoes each line, and always succeeds", () => {
    const r = runProcess(['-c', 'test:///default'], { input: 'domstate test\nnosuch\ndominfo nosuch\nquit\nuri\n' });
    expect(r).toEqual({
      status: 0,
      stdout:
        "Welcome to virsh, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n" +
        'virsh # domstate test\nrunning\n\nvirsh # nosuch\nvirsh # dominfo nosuch\n\nvirsh # quit\n\n',
      stderr: "error: unknown command: 'nosuch'\nerror: failed to get domain 'nosuch'\n",
    });
  });

  it('drops NUL bytes from a line, as virsh does (measured: `\\0\\0list` runs list)', () => {
    const r = runProcess(['-q', '-c', 'test:///default'], { input: '\0\0uri\nli\0st --na\0me\n\0\n' });
    expect(r).toEqual({ status: 0, stdout: 'virsh # uri\ntest:///default\nvirsh # list --name\ntest\nvirsh # \nvirsh # \n', stderr: '' });
  });

  it('shows the read-only prompt and stops at end of input', () => {
    const r = runProcess(['-q', '-r', '-c', 'test:///default'], { input: 'uri' });
    expect(r.stdout).toBe('virsh > uri\ntest:///default\nvirsh > \n');
  });
});

describe('signals to the process', () => {
  it('SIGTERM during save cancels the job, removes the partial file and exits 1', async () => {
    const child = spawn(process.execPath, [LAUNCHER, '-c', 'test:///default', `save --verbose test ${dir}/a.save`], {
      cwd: REPO,
      env: { ...process.env, TSVIRT_TEST_RATE: '256M' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait for the first progress line: the job is running and writing.
    await new Promise<void>((resolve) => child.stderr.on('data', () => stderr.includes('%]') && resolve()));
    child.kill('SIGTERM');
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(1);
    expect(stderr).toContain(`error: Failed to save domain 'test' to ${dir}/a.save\n`);
    expect(stderr).toContain('error: operation aborted: domain save job: canceled by client\n');
    expect(stderr).not.toContain('[100 %]');
    expect(readdirSync(dir)).toEqual([]);
  });
});

/**
 * Runs tsvirsh on a pseudo-terminal with python's pty module, presses Ctrl-C once the progress line shows,
 * and reports the exit status and everything the terminal showed.
 */
const PTY_DRIVER = `
import os, pty, sys, time, json, select
argv = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.environ['TSVIRT_TEST_RATE'] = '64M'
    os.execv(argv[0], argv)
out = b''
pressed = False
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not pressed and b'%]' in out:
        os.write(fd, b'\\x03')
        pressed = True
_, status = os.waitpid(pid, 0)
print(json.dumps({'status': os.waitstatus_to_exitcode(status), 'pressed': pressed, 'output': out.decode('utf-8', 'replace')}))
`;

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pty'], { encoding: 'utf8' }).status === 0);

describe.skipIf(!python)('Ctrl-C on a real terminal', () => {
  it('cancels save --verbose, leaves no file, prints the abort error and exits non-zero', () => {
    const target = join(dir, 'a.save');
    const argv = [process.execPath, LAUNCHER, '-c', 'test:///default', `save --verbose test ${target}`];
    const r = spawnSync(python!, ['-c', PTY_DRIVER, JSON.stringify(argv)], { cwd: REPO, encoding: 'utf8', timeout: 90_000 });
    const result = JSON.parse(r.stdout) as { status: number; pressed: boolean; output: string };
    expect(result.pressed).toBe(true);
    expect(result.status).toBe(1);
    // On a terminal the progress line carries an ETA and is erased to its end; the error starts a new line.
    expect(result.output).toMatch(/Save: \[ *\d+ %\]/);
    expect(result.output).toContain("error: Failed to save domain 'test' to ");
    expect(result.output).toContain('error: operation aborted: domain save job: canceled by client');
    expect(result.output).not.toContain('[100 %]');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});

describe("the shell's chunks and their code caches", () => {
  const run = (launcher: string, argv: string[]) =>
    spawnSync(process.execPath, [launcher, ...argv], { encoding: 'utf8', env: { ...process.env, TSVIRT_TEST_RATE: '0' } });

  it('load on first use: --version runs no runtime and reads no driver, a local list reads the test driver but not the RPC protocol', () => {
    const { launcher, chunks } = installShellCopy(dir);
    // The entry file holds the runtime too: its cache names the chunks that ran.
    const ranInEntry = () => {
      const cache = readFileSync(join(chunks, 'tsvirsh.cjs.cache'));
      return cache.toString('latin1', 4, 4 + cache.readUInt32BE(0)).split('\n');
    };
    expect(run(launcher, ['--version']).stdout).toBe('9.0.0\n');
    expect(cachedChunks(chunks)).toEqual(['tsvirsh']);
    expect(ranInEntry().some((c) => c.startsWith('runtime-'))).toBe(false);
    const listed = run(launcher, ['-c', 'test:///default', 'list']);
    expect(listed.stdout).toBe(' Id   Name   State\n----------------------\n 1    test   running\n\n');
    expect(ranInEntry().some((c) => c.startsWith('runtime-'))).toBe(true);
    expect(cachedChunks(chunks)).toEqual(expect.arrayContaining(['tsvirsh', 'test-driver']));
    expect(cachedChunks(chunks).some((c) => c.startsWith('open') || c.startsWith('storage-dir'))).toBe(false);
  });

  it("load Node's own modules on first use: a local list loads no streams, sockets, promise fs or crypto", () => {
    // Each of these costs a short command ~1 ms; a local list on the test driver uses none of them.
    const preload = join(dir, 'modules-loaded.cjs');
    // Written with writeSync: process.stderr on a pipe would load node:net and node:stream itself.
    writeFileSync(preload, "process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(process.moduleLoadList)));\n");
    const listed = spawnSync(process.execPath, ['-r', preload, LAUNCHER, '-c', 'test:///default', 'list'], {
      encoding: 'utf8',
      env: { ...process.env, TSVIRT_TEST_RATE: '0' },
    });
    expect(listed.stdout).toBe(' Id   Name   State\n----------------------\n 1    test   running\n\n');
    const loaded = (JSON.parse(listed.stderr) as string[]).filter((m) => m.startsWith('NativeModule '));
    expect(loaded).toContain('NativeModule fs'); // the probe sees Node's modules
    for (const name of ['stream', 'net', 'fs/promises', 'crypto']) expect(loaded).not.toContain(`NativeModule ${name}`);
  });

  it('run the command group of the command only: a list evaluates no other group', async () => {
    const listed = await chunksRun(['-c', 'test:///default', 'list'], { ...process.env, TSVIRT_TEST_RATE: '0' });
    expect(listed.stdout).toBe(' Id   Name   State\n----------------------\n 1    test   running\n\n');
    expect(tablesDefined(listed.ran)).toEqual(['monitorCommands']);
    // help lists every command, so it evaluates every group: what the probe sees.
    expect(tablesDefined((await chunksRun(['help'])).ran)).toEqual(GROUP_TABLES);
    expect(tablesDefined((await chunksRun(['--version'])).ran)).toEqual([]);
  });

  it('replace a code cache V8 rejects, and run the same', () => {
    const { launcher, chunks } = installShellCopy(dir);
    const first = run(launcher, ['-c', 'test:///default', 'list']);
    const entryCache = join(chunks, 'tsvirsh.cjs.cache');
    const good = readFileSync(entryCache);
    writeFileSync(entryCache, Buffer.alloc(good.length, 0x5a));
    expect(run(launcher, ['-c', 'test:///default', 'list'])).toMatchObject({ status: 0, stdout: first.stdout, stderr: '' });
    expect(readFileSync(entryCache).equals(Buffer.alloc(good.length, 0x5a))).toBe(false);
  });

  it('write a cache again after a run of chunks it does not hold, holding both runs, then keep it', () => {
    const { launcher, chunks } = installShellCopy(dir);
    const entryCache = join(chunks, 'tsvirsh.cjs.cache');
    const held = (cache: Buffer) => cache.toString('latin1', 4, 4 + cache.readUInt32BE(0)).split('\n');
    expect(run(launcher, ['--version']).stdout).toBe('9.0.0\n');
    const first = readFileSync(entryCache);
    expect(held(first)).toContain('tsvirsh.cjs');
    // A list runs the command groups and the XML reading that --version never ran.
    expect(run(launcher, ['-c', 'test:///default', 'list']).status).toBe(0);
    const second = readFileSync(entryCache);
    expect(held(second)).toEqual(expect.arrayContaining(held(first)));
    expect(held(second).length).toBeGreaterThan(held(first).length);
    expect(run(launcher, ['--version']).stdout).toBe('9.0.0\n');
    expect(run(launcher, ['-c', 'test:///default', 'list']).status).toBe(0);
    expect(readFileSync(entryCache).equals(second)).toBe(true);
  });

  it('read files larger than the launcher first reads into, with their caches, and run the same', () => {
    const { launcher, chunks } = installShellCopy(dir);
    const entry = join(chunks, 'tsvirsh.cjs');
    // 1 MiB of comment: the source outgrows the one buffer every file is read into, and its cache comes after.
    writeFileSync(entry, `${readFileSync(entry, 'latin1')}\n/*${'x'.repeat(1 << 20)}*/\n`);
    const first = run(launcher, ['-c', 'test:///default', 'list']);
    expect(first).toMatchObject({ status: 0, stdout: ' Id   Name   State\n----------------------\n 1    test   running\n\n', stderr: '' });
    const cache = readFileSync(join(chunks, 'tsvirsh.cjs.cache'));
    expect(run(launcher, ['-c', 'test:///default', 'list'])).toMatchObject({ status: 0, stdout: first.stdout, stderr: '' });
    // Accepted, so not written again.
    expect(readFileSync(join(chunks, 'tsvirsh.cjs.cache')).equals(cache)).toBe(true);
  });
});
