// Debian's python3-libvirt through tsvirtd: lists, lookups, define, start, save, restore, errors, keepalive.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE } from '../reference.js';
import { run, startDaemon, type TestDaemon } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const hasBinding = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import libvirt'])).status === 0;

describe.skipIf(!hasBinding)('python3-libvirt through tsvirtd', () => {
  let d: TestDaemon;
  // Keepalive made short, so a client that did not answer pings would be dropped during the idle second.
  beforeAll(async () => {
    d = await startDaemon({ limits: { keepaliveIntervalMs: 200, keepaliveCount: 2 } });
  });
  afterAll(() => d.stop());

  it('does what libvirt applications do, and keeps its connection alive by answering pings', async () => {
    const uri = `test+unix:///default?rate=0&socket=${d.socket}`;
    const r = await run(PYTHON, [join(import.meta.dirname, 'python-client.py'), uri, d.dir, REFERENCE, '1.5']);
    // The binding's default error handler prints each error, as it does against libvirtd.
    expect(r.stderr).toBe('libvirt: Test Driver error : Domain not found\n');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      type: 'TEST',
      names: ['test'],
      info: [1, 8388608, 2097152, 2],
      uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
      by_uuid: 'test',
      by_id: 'test',
      defined: ['vm1', 0, 1],
      started: [1, 1],
      after_save: [5, 5], // shut off, VIR_DOMAIN_SHUTOFF_SAVED
      after_restore: [1, 3], // running, VIR_DOMAIN_RUNNING_RESTORED
      error: [42, 12, 'Domain not found'],
      alive_after_idle: 1,
      names_after_idle: ['test', 'vm1'],
    });
    const calls = [...d.calls.values()].find((c) => c.includes('REMOTE_PROC_DOMAIN_RESTORE'))!;
    expect(calls).toContain('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE');
    expect(calls.at(-1)).toBe('REMOTE_PROC_CONNECT_CLOSE');
  });
});
