// The tiny guest of the real-QEMU tests: Debian's cloud kernel and a busybox initramfs (scripts/vm/
// build-guest.sh builds both, once, into a cache outside the repo) booted under TCG by a private libvirtd
// (libvirtd.mjs). Its /init fills `fillMiB` of RAM with non-zero bytes, so saves and dumps have real data to
// write, and reports on the serial console when it is done. Types in guest.d.mts.
import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, virsh } from './libvirtd.mjs';

const execFileAsync = promisify(execFile);

/** What the guest's /init prints on the serial console once its memory is filled. */
export const READY_LINE = 'tsvirt-guest: ready';

let built;
/** Builds (or finds in the cache) the guest's kernel and initramfs: { cacheDir, kernel, initrd }. */
export function buildGuest() {
  built ??= execFileAsync(join(REPO, 'scripts', 'vm', 'build-guest.sh'), [], { maxBuffer: 1 << 20 })
    .then(({ stdout }) => {
      const cacheDir = stdout.trim().split('\n').pop();
      return { cacheDir, kernel: join(cacheDir, 'vmlinuz'), initrd: join(cacheDir, 'initrd.img') };
    });
  return built;
}

const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');

/**
 * Domain XML for the guest: TCG (type 'qemu'), direct kernel boot, no disk and no network, one vCPU, the
 * serial console appended to `consoleLog`, and nothing libvirt would add by default that the guest does not
 * need (USB controller, balloon), so QEMU starts and saves quickly.
 */
export function guestXml({ name, memoryMiB = 256, fillMiB = 32, kernel, initrd, consoleLog }) {
  if (fillMiB > memoryMiB - 96) throw new Error(`fillMiB ${fillMiB} leaves too little of ${memoryMiB} MiB for the kernel`);
  return `<domain type='qemu'>
  <name>${escapeXml(name)}</name>
  <memory unit='MiB'>${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${escapeXml(kernel)}</kernel>
    <initrd>${escapeXml(initrd)}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 init_on_free=1 tsvirt.fill_mib=${fillMiB}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <serial type='file'>
      <source path='${escapeXml(consoleLog)}' append='on'/>
      <target port='0'/>
    </serial>
  </devices>
</domain>
`;
}

/**
 * Boots a guest on `daemon` (from startLibvirtd) and waits until its /init reports the fill done. Transient
 * (`virsh create`) unless `persistent` (define + start). Resolves with what a test needs to drive it:
 * { name, uri, xml, xmlFile, consoleLog, bootMs }.
 */
export async function bootGuest(daemon, { name = 'tsvirt-guest', memoryMiB = 256, fillMiB = 32, persistent = false, timeoutMs = 180_000 } = {}) {
  const { kernel, initrd } = await buildGuest();
  // The daemon's account cannot read the cache under root's home: each run gets its own copies.
  const files = { kernel: join(daemon.filesDir, 'vmlinuz'), initrd: join(daemon.filesDir, 'initrd.img') };
  for (const [from, to] of [[kernel, files.kernel], [initrd, files.initrd]]) {
    await copyFile(from, to);
    await daemon.giveToDaemon(to);
  }
  const consoleLog = join(daemon.filesDir, `${name}.console.log`);
  const xml = guestXml({ name, memoryMiB, fillMiB, consoleLog, ...files });
  const xmlFile = join(daemon.filesDir, `${name}.xml`);
  await writeFile(xmlFile, xml);

  const uri = daemon.uris.qemu;
  const started = performance.now();
  const steps = persistent ? [['define', xmlFile], ['start', name]] : [['create', xmlFile]];
  for (const args of steps) {
    const r = await virsh(uri, args);
    if (r.status !== 0) throw new Error(`virsh ${args.join(' ')} failed: ${r.stderr}`);
  }
  await waitForConsole(consoleLog, READY_LINE, timeoutMs, async () => {
    const state = await virsh(uri, ['domstate', name]);
    return state.stdout.trim() === 'running' ? null : `domain is ${state.stdout.trim() || state.stderr.trim()}`;
  });
  return { name, uri, xml, xmlFile, consoleLog, bootMs: performance.now() - started };
}

/** Waits until `file` contains `text`; `check` may report why waiting is pointless (the guest died). */
export async function waitForConsole(file, text, timeoutMs, check = async () => null) {
  const deadline = Date.now() + timeoutMs;
  for (let polls = 0; ; polls++) {
    const content = await readFile(file, 'utf8').catch(() => '');
    if (content.includes(text)) return content;
    const problem = polls % 10 === 9 ? await check() : null;
    if (problem || Date.now() > deadline) {
      throw new Error(`${problem ?? 'timed out'} waiting for "${text}" in ${file}; console so far:\n${content.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `virsh domjobinfo` as a record: { type: 'Unbounded', operation: 'Save', dataProcessedBytes, ... } with
 * every row by its label, and sizes also in bytes. `null` when the domain is gone.
 */
export async function domjobinfo(uri, name, extraArgs = []) {
  const r = await virsh(uri, ['domjobinfo', name, ...extraArgs]);
  if (r.status !== 0) return null;
  const rows = {};
  for (const line of r.stdout.split('\n')) {
    const match = /^([A-Za-z ]+):\s+(.*?)\s*$/.exec(line);
    if (match) rows[match[1]] = match[2];
  }
  const bytes = (label) => {
    const m = /^([\d.]+) (B|KiB|MiB|GiB|TiB)$/.exec(rows[label] ?? '');
    return m ? Math.round(Number(m[1]) * 1024 ** ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(m[2])) : undefined;
  };
  return {
    type: rows['Job type'],
    operation: rows['Operation'],
    dataProcessedBytes: bytes('Data processed'),
    dataRemainingBytes: bytes('Data remaining'),
    dataTotalBytes: bytes('Data total'),
    rows,
    text: r.stdout,
  };
}

/** Polls domjobinfo until `until(info)` holds (info may be null: domain gone); resolves with that info. */
export async function waitForJob(uri, name, until, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await domjobinfo(uri, name);
    if (until(info)) return info;
    if (Date.now() > deadline) throw new Error(`timed out waiting for a job on ${name}; last domjobinfo:\n${info?.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
