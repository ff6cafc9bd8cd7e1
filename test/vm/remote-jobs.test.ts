// tsvirt's jobs on a real QEMU guest, through the remote driver: save with live progress checked against what
// the real virsh's domjobinfo reports for the same job, a save cancelled (DOMAIN_ABORT_JOB), restore (an
// unbounded job libvirt cannot abort), memory-only and full core dumps, and one save job from C through
// tsvirt-run. Saves and full dumps go through gzip (startLibvirtd's imageFormat) so they last long enough.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { virDomainCoreDumpFlags } from '../../src/ts/core/enums.generated.js';
import { jobCompletedEvents } from '../../src/ts/drivers/remote/job-watch.js';
import { ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { connect, type Connection, type JobProgress } from '../../src/ts/index.js';
import { bootGuest, domjobinfo, type Guest, type JobInfo } from '../support/guest.mjs';
import { CLIENT_ENV, REPO, startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';
import { Workspace } from '../native/abi/harness.js';

let daemon: Libvirtd;
let guest: Guest;
let conn: Connection;

beforeAll(async () => {
  daemon = await startLibvirtd({ imageFormat: 'gzip' });
  guest = await bootGuest(daemon);
  console.log(`guest booted and filled in ${Math.round(guest.bootMs)} ms`);
  conn = await connect(guest.uri);
});

afterAll(async () => {
  await conn?.close();
  await daemon?.stop();
});

const file = (name: string) => join(daemon.filesDir, name);
const head = (path: string, bytes: number) => readFileSync(path).subarray(0, bytes);

interface Sample extends JobProgress {
  at: number;
}

/** Every progress snapshot of a job with the time it was read. */
async function collect(job: AsyncIterable<JobProgress>, samples: Sample[]): Promise<void> {
  for await (const p of job) samples.push({ ...p, at: performance.now() });
}

/** Resolves once the job reported data processed (the daemon's job is under way). */
async function progressUntilData(job: AsyncIterable<JobProgress>): Promise<void> {
  for await (const p of job) if (p.state !== 'running' || p.processed > 0) return;
}

/** tsvirsh (the built bin/tsvirsh.cjs: `npm run build:ts` first) with the environment virsh gets. */
function tsvirsh(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/tsvirsh.cjs'), ...args], { env: CLIENT_ENV, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function domstate(name: string): Promise<string> {
  return (await virsh(guest.uri, ['domstate', name])).stdout.trim();
}

function virError(err: unknown): { code: number; message: string } {
  expect(err).toBeInstanceOf(VirError);
  return { code: (err as VirError).code, message: (err as VirError).message };
}

/** Checks the invariants of a job's snapshots: processed never goes down, percent grows and stays below 100 while running. */
function expectHonest(samples: Sample[], type: 'bounded' | 'unbounded') {
  const running = samples.filter((s) => s.state === 'running');
  for (const s of running) {
    expect(s.type).toBe(type);
    if (type === 'bounded') expect(s.percent).toBeGreaterThanOrEqual(0), expect(s.percent).toBeLessThan(100);
    else expect(s.percent).toBe(-1);
  }
  const processed = samples.map((s) => s.processed);
  expect(processed).toEqual([...processed].sort((a, b) => a - b));
  const percents = running.map((s) => s.percent);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
}

describe('tsvirt jobs on a real QEMU guest (remote driver)', () => {
  test('a save cancelled through tsvirt leaves no file and the domain running, as domjobabort does', async () => {
    const dom = await conn.lookupDomainByName(guest.name);
    const target = file('cancelled.save');
    const job = dom.save(target);
    const samples: Sample[] = [];
    let cancelled = false;
    for await (const p of job) {
      samples.push({ ...p, at: performance.now() });
      // Cancel as soon as the daemon reported data moved, as the virsh reference aborts.
      if (!cancelled && p.state === 'running' && p.processed > 0) {
        cancelled = true;
        job.cancel();
      }
    }
    console.log(`cancelled save: ${samples.map((s) => `${s.state}:${s.percent}`).join(' ')}`);
    expect(cancelled).toBe(true);
    const err = await job.then(
      () => null,
      (e: unknown) => e,
    );
    expect(virError(err)).toEqual({ code: ErrorNumber.VIR_ERR_OPERATION_ABORTED, message: 'operation aborted: domain save job: canceled by client' });
    expect(samples.at(-1)!.state).toBe('cancelled');
    expect(job.cancelError).toBeNull();
    expectHonest(samples, 'bounded');
    expect(existsSync(target)).toBe(false);
    expect(await domstate(guest.name)).toBe('running');
    // libvirt has no job left on the domain: it ended there too.
    expect((await domjobinfo(guest.uri, guest.name))?.type).toBe('None');
  });

  test('a save aborted by the real virsh domjobabort ends the tsvirt job cancelled', async () => {
    const dom = await conn.lookupDomainByName(guest.name);
    const target = file('aborted-by-virsh.save');
    const job = dom.save(target);
    await progressUntilData(job);
    const abort = await virsh(guest.uri, ['domjobabort', guest.name]);
    expect(abort.status).toBe(0);
    const err = await job.then(
      () => null,
      (e: unknown) => e,
    );
    expect(virError(err).code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect(job.progress()!.state).toBe('cancelled');
    expect(existsSync(target)).toBe(false);
    expect(await domstate(guest.name)).toBe('running');
  });

  test('a save shows live progress that matches what virsh domjobinfo reports for the same job', async () => {
    const dom = await conn.lookupDomainByName(guest.name);
    const target = file('guest.save');
    const events = jobCompletedEvents();
    const job = dom.save(target);
    const samples: Sample[] = [];
    const collecting = collect(job, samples);
    // Read the same job with the real virsh while tsvirt watches it, between two of tsvirt's own polls.
    const readings: { before: number; after: number; info: JobInfo }[] = [];
    while (readings.length < 2) {
      const before = performance.now();
      const info = await domjobinfo(guest.uri, guest.name);
      const after = performance.now();
      if (!info || info.type !== 'Unbounded') {
        if (samples.at(-1)?.state !== 'running' && samples.length) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if ((info.dataProcessedBytes ?? 0) > 0) readings.push({ before, after, info });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await job;
    await collecting;
    const running = samples.filter((s) => s.state === 'running' && s.total > 0);
    console.log(`job-completed events during the save: ${jobCompletedEvents() - events}`);
    console.log(`save: ${samples.map((s) => `${s.state}:${s.percent}%/${s.processed}`).join(' ')}; virsh saw ${readings.map((r) => r.info.rows['Data remaining']).join(', ')}`);
    expectHonest(samples, 'bounded');
    expect(samples.at(-1)).toMatchObject({ state: 'completed', percent: 100 });
    // Live progress: several distinct percents while running, not a jump from 0 to 100.
    expect(new Set(running.map((s) => s.percent)).size).toBeGreaterThan(1);
    expect(readings.length).toBeGreaterThan(0);
    for (const { before, after, info } of readings) {
      // The same total as libvirt reports (virsh rounds to 1/1000 of a MiB)...
      const total = running[0].total;
      expect(Math.abs(info.dataTotalBytes! - total)).toBeLessThan(1100);
      // ...and what virsh saw done lies between what tsvirt had reported before and after it asked.
      const done = info.dataTotalBytes! - info.dataRemainingBytes!;
      const earlier = samples.filter((s) => s.at <= before).at(-1)?.processed ?? 0;
      const later = samples.find((s) => s.at >= after)?.processed ?? total;
      expect(done).toBeGreaterThanOrEqual(earlier - 1100);
      expect(done).toBeLessThanOrEqual(later + 1100);
    }
    expect(head(target, 16).toString('latin1')).toBe('LibvirtQemudSave');
    expect((await virsh(guest.uri, ['list', '--all', '--name'])).stdout.trim()).toBe('');
  });

  test('restore is an unbounded job that refuses a cancel, and brings the domain back running', async () => {
    const job = conn.restore(file('guest.save'));
    expect(await job.started()).toBe(true);
    expect(job.progress()).toMatchObject({ state: 'running', type: 'unbounded', percent: -1 });
    let refusal: unknown = null;
    try {
      job.cancel();
    } catch (e) {
      refusal = e;
    }
    expect(virError(refusal)).toEqual({
      code: ErrorNumber.VIR_ERR_OPERATION_INVALID,
      message: 'Requested operation is not valid: domain restore cannot be aborted: libvirt has no abort for it once it started',
    });
    const samples: Sample[] = [];
    await collect(job, samples);
    const dom = await job;
    expect(dom.name).toBe(guest.name);
    expectHonest(samples, 'unbounded');
    expect(samples.at(-1)).toMatchObject({ state: 'completed', percent: 100 });
    expect(await domstate(guest.name)).toBe('running');
  });

  test('a memory-only dump cannot be aborted: cancel says so, the dump completes', async () => {
    const dom = await conn.lookupDomainByName(guest.name);
    const target = file('guest.core');
    const job = dom.coreDump(target, { flags: virDomainCoreDumpFlags.VIR_DUMP_MEMORY_ONLY });
    expect(await job.started()).toBe(true);
    let refusal: unknown = null;
    try {
      job.cancel();
    } catch (e) {
      refusal = e;
    }
    expect(virError(refusal)).toEqual({ code: ErrorNumber.VIR_ERR_OPERATION_INVALID, message: 'Requested operation is not valid: cannot abort memory-only dump' });
    const samples: Sample[] = [];
    await collect(job, samples);
    await job;
    console.log(`memory-only dump: ${samples.map((s) => `${s.state}:${s.percent}`).join(' ')}`);
    expectHonest(samples, 'bounded');
    expect(head(target, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(statSync(target).size).toBeGreaterThan(256 * 1024 * 1024);
    expect(await domstate(guest.name)).toBe('running');
  });

  test('a full dump shows live progress and the domain keeps running', async () => {
    const dom = await conn.lookupDomainByName(guest.name);
    const target = file('guest.dump');
    const events = jobCompletedEvents();
    const job = dom.coreDump(target);
    const samples: Sample[] = [];
    await collect(job, samples);
    await job;
    console.log(`job-completed events during the full dump: ${jobCompletedEvents() - events}`);
    console.log(`full dump: ${samples.map((s) => `${s.state}:${s.percent}`).join(' ')}`);
    expectHonest(samples, 'bounded');
    expect(new Set(samples.filter((s) => s.state === 'running' && s.total > 0).map((s) => s.percent)).size).toBeGreaterThan(1);
    expect(head(target, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await domstate(guest.name)).toBe('running');
  });

  test('from C through tsvirt-run: virDomainSaveJob with progress read by virJobGetInfo', async () => {
    const ws = new Workspace();
    try {
      const program = ws.buildForTsvirt(join(import.meta.dirname, 'c', 'remote-save-job.c'));
      const target = file('c.save');
      const r = await ws.runTsvirt(program, [guest.uri, guest.name, target]);
      console.log(`C save job: ${r.stdout.replace(/\n/g, ' ')}`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      const running = lines.filter((l) => l.startsWith('running ')).map((l) => l.split(' ').map(Number).slice(1));
      // type 0 = VIR_JOB_BOUNDED; percent within 0..99 while running; bytes never go down.
      for (const [type, percent] of running) expect(type).toBe(0), expect(percent).toBeGreaterThanOrEqual(0), expect(percent).toBeLessThan(100);
      const processed = running.map((v) => v[2]);
      expect(processed).toEqual([...processed].sort((a, b) => a - b));
      expect(running.some(([, percent]) => percent > 0)).toBe(true);
      expect(lines.at(-1)).toBe('end state=1 percent=100');
      expect(head(target, 16).toString('latin1')).toBe('LibvirtQemudSave');
    } finally {
      ws.dispose();
    }
  });
  test('tsvirsh restore, then save --verbose: live progress printed as virsh prints it', async () => {
    const restored = await tsvirsh(['-c', guest.uri, 'restore', file('c.save')]);
    expect(restored).toEqual({ status: 0, stdout: `Domain restored from ${file('c.save')}\n\n`, stderr: '' });
    const target = file('tsvirsh.save');
    const r = await tsvirsh(['-c', guest.uri, 'save', '--verbose', guest.name, target]);
    console.log(`tsvirsh save --verbose: ${JSON.stringify(r.stderr)}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`\nDomain '${guest.name}' saved to ${target}\n\n`);
    expect(r.stderr).toMatch(/^(\rSave: \[ *\d+ %\])+$/);
    const percents = [...r.stderr.matchAll(/\[ *(\d+) %\]/g)].map((m) => Number(m[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(percents.filter((p) => p > 0 && p < 100).length).toBeGreaterThan(1);
    expect(head(target, 16).toString('latin1')).toBe('LibvirtQemudSave');
  });
});
