// The tsvirtd program: default socket, logs on stderr, a stale socket replaced, a live one refused,
// clean shutdown on SIGTERM (sockets removed, exit status 0).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO } from '../cli/harness.js';
import { RawClient } from './raw-client.js';

const BIN = join(REPO, 'bin/tsvirtd.js');
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tsvirtd-proc-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startProcess(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForLog = async (text: string) => {
    for (let i = 0; i < 200 && !stderr.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    return stderr;
  };
  return { child, exited, waitForLog, stderr: () => stderr };
}

describe('tsvirtd process', () => {
  it('listens by default under $XDG_RUNTIME_DIR/tsvirt, serves a call, and shuts down cleanly on SIGTERM', async () => {
    const runtime = join(dir, 'run');
    const p = startProcess([], { ...process.env, XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: join(dir, 'state'), TSVIRT_STATE_DIR: '' });
    const sock = join(runtime, 'tsvirt', 'tsvirt-sock');
    await p.waitForLog('(read-only)');
    expect(p.stderr()).toContain(`tsvirtd: listening on ${sock}, mode 0600`);
    expect(p.stderr()).toContain(`tsvirtd: listening on ${sock}-ro (read-only), mode 0600`);
    const c = await RawClient.open(sock);
    await c.openConnection();
    expect((await c.call('REMOTE_PROC_CONNECT_NUM_OF_DOMAINS')).value).toEqual({ num: 1 });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toContain('tsvirtd: SIGTERM: shutting down');
    await c.waitFor(() => c.closed);
    expect(existsSync(sock)).toBe(false);
  });

  it('replaces a stale socket file and refuses one a live server answers on', async () => {
    const sock = join(dir, 'stale-sock');
    // A socket file with nobody behind it: what a killed daemon leaves.
    const killed = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('up'))", sock]);
    await new Promise((r) => killed.stdout!.once('data', r));
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('exit', r));
    expect(existsSync(sock)).toBe(true);
    const p = startProcess(['--listen', sock, '--no-readonly']);
    await p.waitForLog('listening on');
    expect(p.stderr()).toContain(`listening on ${sock}, mode 0600`);
    const second = startProcess(['--listen', sock, '--no-readonly']);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`${sock} is in use by another daemon`);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('refuses bad options with a clear message', async () => {
    const p = startProcess(['--listen', join(dir, 's'), '--socket-mode', '999']);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain("--socket-mode must be an octal mode such as 0600, not '999'");
  });
});
