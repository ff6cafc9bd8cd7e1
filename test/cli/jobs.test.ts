import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './harness.js';

/**
 * Long operations in tsvirsh: virsh's progress line, cancelling with signals, and the tsvirt extensions
 * (--async in an interactive session, domjobinfo / domjobabort on the running job, --verbose on volumes).
 * The test driver moves the domain's 2 GiB of memory at TSVIRT_TEST_RATE bytes per second.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsvirsh-jobs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const URI = ['-c', 'test:///default'];
/** 2 GiB at 1 GiB/s: long enough to see progress and to act on a running job, short for a test. */
const SLOW = { TSVIRT_TEST_RATE: '1G' };

describe('--verbose progress', () => {
  it('prints only [100 %] when the job ends before the first refresh, as virsh on the test driver', async () => {
    const r = await runInProcess([...URI, `save --verbose test ${dir}/a.save`]);
    expect(r).toEqual({ status: 0, stdout: `\nDomain 'test' saved to ${dir}/a.save\n\n`, stderr: '\rSave: [100 %]' });
  });

  it('refreshes about twice a second, never shows 100 before success, and ends with [100 %]', async () => {
    const r = await runInProcess([...URI, `save --verbose test ${dir}/a.save`], { env: SLOW });
    expect(r.status).toBe(0);
    const frames = r.stderr.split('\r').slice(1);
    // ~2 s of work refreshed every 500 ms: 3 or 4 running frames, then the final one.
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(frames.at(-1)).toBe('Save: [100 %]');
    const running = frames.slice(0, -1).map((f) => Number(/^Save: \[ *(\d+) %\]$/.exec(f)![1]));
    expect(running.every((p) => p < 100)).toBe(true);
    expect(running).toEqual([...running].sort((a, b) => a - b));
    expect(existsSync(`${dir}/a.save`)).toBe(true);
  });

  it('shows no ETA or terminal control codes when stderr is not a terminal', async () => {
    const r = await runInProcess([...URI, `dump --verbose test ${dir}/a.core`], { env: SLOW });
    expect(r.stderr).toMatch(/^(\rDump: \[ {0,2}\d{1,2} %\])+\rDump: \[100 %\]$/);
  });

  it('labels restore and the volume jobs (tsvirt extensions)', async () => {
    const r = await runInProcess([
      ...URI,
      `save test ${dir}/a.save; restore --verbose ${dir}/a.save; vol-create-as default-pool v 1M --verbose; vol-clone v w --pool default-pool --verbose; vol-wipe w --pool default-pool --verbose`,
    ]);
    // Their messages do not start on a new line as save's and dump's do, so the progress line ends itself.
    expect(r.stderr).toBe('\rRestore: [100 %]\n\rCreate: [100 %]\n\rClone: [100 %]\n\rWipe: [100 %]\n');
    expect(r.stdout).toContain('Vol w wiped\n');
  });

  it('prints no 100 % for a job that fails', async () => {
    const r = await runInProcess([...URI, `destroy test; save --verbose test ${dir}/a.save`]);
    expect(r.stderr).toBe(`error: Failed to save domain 'test' to ${dir}/a.save\nerror: Requested operation is not valid: domain is not running\n`);
  });
});

/** Delivers `signal` to the shell 200 ms into its job (once the shell listens for it), `times` times. */
function signalDuringJob(signals: EventEmitter, signal: string, times = 1): void {
  const poll = setInterval(() => {
    if (signals.listenerCount(signal) === 0) return;
    clearInterval(poll);
    setTimeout(() => {
      for (let i = 0; i < times; i++) signals.emit(signal);
    }, 200);
  }, 10);
}

describe('signals during a job', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    it(`${signal} cancels the job, waits for it, leaves no file and fails with "operation aborted"`, async () => {
      const signals = new EventEmitter();
      signalDuringJob(signals, signal);
      const r = await runInProcess([...URI, `save test ${dir}/a.save; list --all`], { env: SLOW, signals });
      expect(r.status).toBe(1);
      // The batch stops: `list` does not run.
      expect(r.stdout).toBe('\n');
      expect(r.stderr).toBe(
        `error: Failed to save domain 'test' to ${dir}/a.save\nerror: operation aborted: domain save job: canceled by client\n`,
      );
      expect(readdirSync(dir)).toEqual([]);
      expect(signals.listenerCount(signal)).toBe(0);
    });
  }

  it('SIGINT during vol-clone: when tsvirsh reports the abort, no partial file is left', async () => {
    const poolDir = join(dir, 'pool');
    const uri = ['-c', `tsvirt:///embed?root=${join(dir, 'state')}`];
    const setup = await runInProcess([...uri, `pool-define-as p dir --target ${poolDir}; pool-build p; pool-start p`]);
    expect(setup.status).toBe(0);
    // 1 GiB of data (not fallocated: a clone copies data extents only), long enough to be interrupted.
    const fd = openSync(join(poolDir, 'src'), 'w');
    const chunk = Buffer.alloc(64 * 2 ** 20, 0xab);
    for (let i = 0; i < 16; i++) writeSync(fd, chunk);
    closeSync(fd);
    const signals = new EventEmitter();
    signalDuringJob(signals, 'SIGINT');
    const r = await runInProcess([...uri, 'pool-refresh p; vol-clone src dst --pool p'], { signals });
    const left = readdirSync(poolDir).filter((n) => n !== 'src');
    expect(r.stderr).toContain('error: operation aborted: volume clone job: canceled by client\n');
    expect(r.status).toBe(1);
    expect(left).toEqual([]);
  });

  it('a second signal exits at once', async () => {
    const signals = new EventEmitter();
    signalDuringJob(signals, 'SIGINT', 2);
    const r = await runInProcess([...URI, `save test ${dir}/a.save`], { env: SLOW, signals });
    expect(r.status).toBe(130);
    // The abandoned shell's job still ends (cancelled) in this process; let it, before other tests run.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('the domain is still running after a cancelled save', async () => {
    const signals = new EventEmitter();
    signalDuringJob(signals, 'SIGINT');
    await runInProcess([...URI, `save test ${dir}/a.save`], { env: SLOW, signals });
    const r = await runInProcess([...URI, 'domstate test --reason']);
    expect(r.stdout).toBe('running (unknown)\n\n');
  });

  it('leaves signals alone when no job runs', async () => {
    const signals = new EventEmitter();
    await runInProcess([...URI, 'list; domstate test'], { signals });
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => signals.listenerCount(s))).toEqual([0, 0, 0]);
  });
});

/** Time and amounts of a running job vary from run to run; the layout does not. */
function maskJobFigures(text: string): string {
  return text
    .replace(/^(Time (?:elapsed|remaining): +)\d+ +ms$/gm, (_, label: string) => `${label}<n> ms`)
    .replace(/^((?:Data|Memory) (?:processed|remaining|total): +)[0-9.]+ [KMGTPE]?i?B$/gm, '$1<size>');
}

describe('--async, domjobinfo and domjobabort (tsvirt extensions)', () => {
  it('shows the running job in virsh format and aborts it from the same interactive session', async () => {
    const input = [`save --async test ${dir}/a.save`, 'domjobinfo test', 'domjobabort test', 'domstate test'].join('\n');
    const r = await runInProcess(['-q', ...URI], { stdin: `${input}\n`, env: SLOW });
    expect(r.status).toBe(0);
    expect(maskJobFigures(r.stdout)).toContain(
      [
        'Job type:         Bounded     ',
        'Operation:        Save        ',
        'Time elapsed:     <n> ms',
        'Time remaining:   <n> ms',
        'Data processed:   <size>',
        'Data remaining:   <size>',
        'Data total:       <size>',
        'Memory processed: <size>',
        'Memory remaining: <size>',
        'Memory total:     <size>',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/Data total: +2\.000 GiB\n/);
    expect(r.stderr).toBe(
      `error: Failed to save domain 'test' to ${dir}/a.save\nerror: operation aborted: domain save job: canceled by client\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a background job that succeeds, and refuses work on the busy domain meanwhile', async () => {
    const input = [`dump --async test ${dir}/a.core`, 'suspend test', 'domstate test'].join('\n');
    const r = await runInProcess(URI, { stdin: `${input}\n`, env: SLOW });
    expect(r.stdout).toContain(`Domain 'test' is being dumped to ${dir}/a.core\n`);
    expect(r.stdout).toContain(`\nDomain 'test' dumped to ${dir}/a.core\n`);
    expect(r.stderr).toBe("error: Failed to suspend domain 'test'\nerror: Requested operation is not valid: domain 'test' has an active dump job\n");
    expect(existsSync(`${dir}/a.core`)).toBe(true);
  });

  it('waits for background jobs at the end of a batch; their failure fails the batch', async () => {
    const r = await runInProcess([...URI, `save --async test ${dir}/a.save; domjobabort test`], { env: SLOW });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: operation aborted: domain save job: canceled by client\n');
  });

  it('says there is no job when none runs', async () => {
    const r = await runInProcess([...URI, 'domjobinfo test; domjobabort test']);
    expect(r).toEqual({
      status: 1,
      stdout: 'Job type:         None        \n\n\n',
      stderr: 'error: Requested operation is not valid: no job is active on the domain\n',
    });
  });

  it('refuses --verbose together with --async', async () => {
    const r = await runInProcess([...URI, `save --async --verbose test ${dir}/a.save`]);
    expect(r.stderr).toBe('error: Options --verbose and --async are mutually exclusive\n');
    expect(r.status).toBe(1);
  });
});

describe('argument errors of dump (virsh itself can hang on these; see compare-cases.txt)', () => {
  it('checks --format the way virsh does', async () => {
    const r = await runInProcess([
      ...URI,
      `dump --format elf test ${dir}/a; dump --memory-only --format bogus test ${dir}/a; dump --memory-only --format elf nosuch ${dir}/a`,
    ]);
    expect(r.stderr).toBe(
      [
        'error: --format only works with --memory-only',
        "error: format 'bogus' is not supported, expecting 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'",
        "error: failed to get domain 'nosuch'",
        '',
      ].join('\n'),
    );
  });
});
