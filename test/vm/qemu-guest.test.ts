// The real-QEMU reference: Debian's virsh and python3-libvirt drive a tiny TCG guest on a private libvirtd.
// What they print here is what tsvirt's remote driver must reproduce on the same VM (issue 11). Saves and full
// dumps go through gzip (startLibvirtd's imageFormat) so they last long enough to be watched and aborted.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootGuest, domjobinfo, waitForJob, type Guest } from '../support/guest.mjs';
import { processesUsing, python, startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

let daemon: Libvirtd;
let guest: Guest;

beforeAll(async () => {
  daemon = await startLibvirtd({ imageFormat: 'gzip' });
  guest = await bootGuest(daemon);
  console.log(`guest booted and filled in ${Math.round(guest.bootMs)} ms`);
});

afterAll(async () => {
  await daemon?.stop();
});

const file = (name: string) => join(daemon.filesDir, name);
const head = (path: string, bytes: number) => readFileSync(path).subarray(0, bytes);
const progressOf = (stderr: string, label: string) =>
  [...stderr.matchAll(new RegExp(`\\r${label}: \\[ *(\\d+) %\\]`, 'g'))].map((m) => Number(m[1]));

/** State and CPU time through python3-libvirt: a second, independent client of the same daemon. */
async function pyInfo(name: string): Promise<{ state: number; running: number; cpuTime: number; maxMemKiB: number }> {
  const out = await python(
    `import json, sys, libvirt
c = libvirt.open(sys.argv[1]); d = c.lookupByName(sys.argv[2]); i = d.info()
print(json.dumps({"state": i[0], "running": libvirt.VIR_DOMAIN_RUNNING, "cpuTime": i[4], "maxMemKiB": i[1]}))`,
    [guest.uri, name],
  );
  return JSON.parse(out);
}

async function expectRunning(name: string) {
  expect((await virsh(guest.uri, ['domstate', name])).stdout.trim()).toBe('running');
  const first = await pyInfo(name);
  expect(first.state).toBe(first.running);
  // The guest really executes: its CPU time moves. libvirt counts it in clock ticks (10 ms) and an idle guest
  // uses a few percent of a core, so give it up to 20 s rather than a fixed pause.
  const deadline = Date.now() + 20_000;
  let cpuTime = first.cpuTime;
  while (cpuTime === first.cpuTime && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    cpuTime = (await pyInfo(name)).cpuTime;
  }
  expect(cpuTime).toBeGreaterThan(first.cpuTime);
}

describe('a real QEMU guest on a private libvirtd', () => {
  test('boots and runs, seen alike by virsh and python3-libvirt', async () => {
    const list = await virsh(guest.uri, ['list', '--name']);
    expect(list.stdout.split('\n')).toContain(guest.name);
    await expectRunning(guest.name);
    expect((await pyInfo(guest.name)).maxMemKiB).toBe(256 * 1024);
    expect(readFileSync(guest.consoleLog, 'utf8')).toContain('tsvirt-guest: ready fill_mib=32');
  });

  test('a save aborted with domjobabort leaves no file and the domain running', async () => {
    const target = file('aborted.save');
    const save = virsh(guest.uri, ['save', '--verbose', guest.name, target]);
    const during = await waitForJob(guest.uri, guest.name, (info) => (info?.dataProcessedBytes ?? 0) > 0);
    expect(during).toMatchObject({ type: 'Unbounded', operation: 'Save' });
    const abort = await virsh(guest.uri, ['domjobabort', guest.name]);
    expect(abort.status).toBe(0);
    const result = await save;
    console.log(`aborted save: ${JSON.stringify(result.stderr)}`);
    expect(result.status).toBe(1);
    // virsh ends its progress line (if it printed one yet) with the error itself, no newline between.
    expect(result.stderr).toMatch(/^(\rSave: \[ *\d+ %\])*error: /);
    expect(result.stderr.slice(result.stderr.lastIndexOf(']') + 1)).toBe(
      `error: Failed to save domain '${guest.name}' to ${target}\n` +
        "error: operation aborted: job 'domain save' canceled by client\n",
    );
    expect(existsSync(target)).toBe(false);
    await expectRunning(guest.name);
  });

  test('virsh save --verbose shows live progress; domjobinfo and python3-libvirt see the job', async () => {
    const target = file('guest.save');
    const save = virsh(guest.uri, ['save', '--verbose', guest.name, target]);
    const seen = await waitForJob(guest.uri, guest.name, (info) => (info?.dataProcessedBytes ?? 0) > 0);
    expect(seen).toMatchObject({ type: 'Unbounded', operation: 'Save' });
    expect(seen!.rows['Time elapsed']).toMatch(/^\d+ +ms$/);
    expect(seen!.dataTotalBytes).toBeGreaterThan(0);
    const stats = JSON.parse(await python(
      `import json, sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName(sys.argv[2]); s = d.jobStats()
print(json.dumps({"type": s["type"], "unbounded": libvirt.VIR_DOMAIN_JOB_UNBOUNDED, "operation": s["operation"],
                  "save": libvirt.VIR_DOMAIN_JOB_OPERATION_SAVE, "processed": s.get("data_processed", 0)}))`,
      [guest.uri, guest.name],
    ));
    expect(stats.type).toBe(stats.unbounded);
    expect(stats.operation).toBe(stats.save);

    const result = await save;
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`\nDomain '${guest.name}' saved to ${target}\n\n`);
    const percents = progressOf(result.stderr, 'Save');
    console.log(`save took ${Math.round(result.ms)} ms, progress ${percents.join(' ')}`);
    expect(percents.at(-1)).toBe(100);
    expect(percents.filter((p) => p > 0 && p < 100).length).toBeGreaterThan(1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // libvirt's save header, then the gzip-compressed QEMU stream.
    expect(head(target, 16).toString('latin1')).toBe('LibvirtQemudSave');
    // A transient domain is gone once saved.
    expect((await virsh(guest.uri, ['list', '--all', '--name'])).stdout.trim()).toBe('');
    expect(await domjobinfo(guest.uri, guest.name)).toBeNull();
  });

  test('virsh restore brings the saved domain back, running', async () => {
    const result = await virsh(guest.uri, ['restore', file('guest.save')]);
    console.log(`restore took ${Math.round(result.ms)} ms`);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`Domain restored from ${file('guest.save')}\n\n`);
    await expectRunning(guest.name);
  });

  test('virsh dump --memory-only writes an ELF core and the domain keeps running', async () => {
    const target = file('guest.core');
    const result = await virsh(guest.uri, ['dump', '--memory-only', guest.name, target]);
    console.log(`memory-only dump took ${Math.round(result.ms)} ms`);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`\nDomain '${guest.name}' dumped to ${target}\n\n`);
    expect(head(target, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(statSync(target).size).toBeGreaterThan(256 * 1024 * 1024);
    await expectRunning(guest.name);
  });

  test('virsh dump --verbose (a full dump) shows progress, compresses, and the domain keeps running', async () => {
    const target = file('guest.dump');
    const result = await virsh(guest.uri, ['dump', '--verbose', guest.name, target]);
    const percents = progressOf(result.stderr, 'Dump');
    console.log(`full dump took ${Math.round(result.ms)} ms, progress ${percents.join(' ')}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`\nDomain '${guest.name}' dumped to ${target}\n\n`);
    expect(percents.at(-1)).toBe(100);
    expect(head(target, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await expectRunning(guest.name);
  });

  test('virsh destroy ends the domain and its QEMU process', async () => {
    const result = await virsh(guest.uri, ['destroy', guest.name]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`Domain '${guest.name}' destroyed\n\n`);
    expect((await virsh(guest.uri, ['list', '--all', '--name'])).stdout.trim()).toBe('');
    // Only libvirtd itself still names the run folder.
    expect(await processesUsing(daemon.dir)).toEqual([daemon.pid]);
  });
});
