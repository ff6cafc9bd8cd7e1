// Jobs through tsvirtd with the real virsh: `save --verbose` shows live progress (virsh polls
// DOMAIN_GET_JOB_INFO on the same connection while DOMAIN_SAVE runs), and a second virsh sees the job
// with domjobinfo and cancels it with domjobabort, leaving no file.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startDaemon, type TestDaemon } from './helpers.js';

const virshInstalled = existsSync('/usr/bin/virsh');
const scriptInstalled = existsSync('/usr/bin/script');

describe.skipIf(!virshInstalled)('virsh jobs through tsvirtd', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(() => d.stop());

  const uri = (rate: string) => `test+unix:///default?rate=${rate}&socket=${d.socket}`;

  it('save --verbose shows progress while the save runs, then 100 %', async () => {
    const file = join(d.dir, 'progress.save');
    const r = await run('virsh', ['-c', uri('1G'), 'save', '--verbose', 'test', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`\nDomain 'test' saved to ${file}\n\n`);
    const percents = [...r.stderr.matchAll(/\rSave: \[ *(\d+) %\]/g)].map((m) => Number(m[1]));
    expect(percents.at(-1)).toBe(100);
    const live = percents.slice(0, -1);
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((p) => p >= 0 && p < 100)).toBe(true); // never 100 before the end
    expect([...live].sort((a, b) => a - b)).toEqual(live);
    expect(readFileSync(file).subarray(0, 15).toString('latin1')).toBe('TestGuestMagic\0');
    // Each poll was a DOMAIN_GET_JOB_INFO on the saving connection while its DOMAIN_SAVE was outstanding.
    const calls = [...d.calls.values()].find((c) => c.includes('REMOTE_PROC_DOMAIN_SAVE'))!;
    expect(calls.filter((c) => c === 'REMOTE_PROC_DOMAIN_GET_JOB_INFO').length).toBeGreaterThanOrEqual(live.length);
  });

  it('a second virsh sees the running save with domjobinfo and aborts it with domjobabort', async () => {
    const file = join(d.dir, 'aborted.save');
    const seen = d.calls.size;
    const saving = run('virsh', ['-c', uri('128M'), 'save', '--verbose', 'test', file]);
    // Wait for the first virsh's DOMAIN_SAVE to reach the daemon.
    for (let i = 0; i < 400 && ![...d.calls.entries()].some(([id, c]) => id > seen && c.includes('REMOTE_PROC_DOMAIN_SAVE')); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const info = await run('virsh', ['-c', uri('128M'), 'domjobinfo', 'test']);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/^Job type: +Bounded/m);
    expect(info.stdout).toMatch(/^Data total: +2\.000 GiB/m);
    const abort = await run('virsh', ['-c', uri('128M'), 'domjobabort', 'test']);
    expect(abort).toMatchObject({ status: 0, stderr: '' });
    const r = await saving;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: Failed to save domain 'test' to ${file}\nerror: operation aborted:`);
    expect(existsSync(file)).toBe(false);
  });

  it.skipIf(!scriptInstalled)('Ctrl-C on a terminal aborts the save through the daemon and leaves no file', async () => {
    const file = join(d.dir, 'interrupted.save');
    const seen = d.calls.size;
    // script(1) gives virsh a pseudo-terminal, where Ctrl-C is the interrupt character virsh handles.
    const child = spawn('script', ['-qfec', `virsh -c '${uri('128M')}' save --verbose test ${file}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    const exited = new Promise((r) => child.on('exit', r));
    // virsh handles the interrupt once it watches the job: its first DOMAIN_GET_JOB_INFO poll says so.
    for (let i = 0; i < 400 && ![...d.calls.entries()].some(([id, c]) => id > seen && c.includes('REMOTE_PROC_DOMAIN_GET_JOB_INFO')); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    // Pressed again until virsh exits: on a loaded machine the first one can reach the terminal before virsh
    // reads it as an interrupt (virsh handles each as the same request to abort).
    const press = () => child.stdin!.write('\x03');
    press();
    const again = setInterval(press, 500);
    await exited.finally(() => clearInterval(again));
    expect(output).toContain('error: operation aborted:');
    const calls = [...d.calls.entries()].find(([id, c]) => id > seen && c.includes('REMOTE_PROC_DOMAIN_SAVE'))![1];
    expect(calls).toContain('REMOTE_PROC_DOMAIN_ABORT_JOB');
    expect(existsSync(file)).toBe(false);
  });
});
