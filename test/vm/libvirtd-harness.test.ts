// The private libvirtd itself: it serves the test driver exactly as the in-process one does (the side-by-side
// benches with tsvirtd rely on that), and nothing of it outlives a test, not even when the test process dies.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { processesUsing, python, REPO, startLibvirtd, virsh } from '../support/libvirtd.mjs';

async function eventually(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

test('serves the test driver as virsh sees it in process, to virsh and python3-libvirt', async () => {
  const daemon = await startLibvirtd();
  try {
    for (const args of [['list', '--all'], ['dominfo', 'test'], ['pool-list', '--all']]) {
      const remote = await virsh(daemon.uris.test, args);
      const local = await virsh('test:///default', args);
      expect(remote.status).toBe(0);
      expect(remote.stdout.replace(/^CPU time: .*$/m, '')).toBe(local.stdout.replace(/^CPU time: .*$/m, ''));
    }
    const info = await python(
      'import sys, libvirt\nprint(libvirt.open(sys.argv[1]).lookupByName("test").info()[1])',
      [daemon.uris.test],
    );
    expect(info.trim()).toBe('8388608');
    // The same socket serves the QEMU driver.
    expect((await virsh(daemon.uris.qemu, ['version'])).stdout).toMatch(/^Running hypervisor: QEMU \d+\.\d+\.\d+$/m);
  } finally {
    await daemon.stop();
  }
  expect(await processesUsing(daemon.dir)).toEqual([]);
  expect(existsSync(daemon.dir)).toBe(false);
});

test('runs unprivileged: libvirtd is not root and the socket is in the private folder', async () => {
  const daemon = await startLibvirtd();
  try {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))![1]);
    if (process.getuid!() === 0) expect(uid).not.toBe(0);
    else expect(uid).toBe(process.getuid!());
    expect(daemon.socket.startsWith(daemon.dir + '/')).toBe(true);
  } finally {
    await daemon.stop();
  }
});

test('a test process killed before teardown leaves no libvirtd or QEMU behind (the watchdog reaps them)', async () => {
  // A child process starts a daemon and a paused guest (QEMU running, guest not booted), reports the folder,
  // then is killed with SIGKILL: no afterAll, no exit handler runs.
  const script = `
    import { startLibvirtd, virsh } from ${JSON.stringify(join(REPO, 'test/support/libvirtd.mjs'))};
    import { buildGuest, guestXml } from ${JSON.stringify(join(REPO, 'test/support/guest.mjs'))};
    import { copyFile, writeFile } from 'node:fs/promises';
    const daemon = await startLibvirtd();
    const { kernel, initrd } = await buildGuest();
    const files = { kernel: daemon.filesDir + '/vmlinuz', initrd: daemon.filesDir + '/initrd.img' };
    await copyFile(kernel, files.kernel); await daemon.giveToDaemon(files.kernel);
    await copyFile(initrd, files.initrd); await daemon.giveToDaemon(files.initrd);
    const xml = daemon.filesDir + '/orphan.xml';
    await writeFile(xml, guestXml({ name: 'orphan', consoleLog: daemon.filesDir + '/orphan.log', ...files }));
    const r = await virsh(daemon.uris.qemu, ['create', '--paused', xml]);
    if (r.status !== 0) throw new Error(r.stderr);
    console.log(JSON.stringify({ dir: daemon.dir, pid: daemon.pid }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before starting its guest`)));
  });
  const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
  const before = await processesUsing(dir);
  expect(before).toContain(pid);
  expect(before.length).toBeGreaterThanOrEqual(2); // libvirtd and QEMU
  child.kill('SIGKILL');

  expect(await eventually(async () => (await processesUsing(dir)).length === 0 && !existsSync(dir), 30_000)).toBe(true);
  // Every one of them ended (a zombie is an ended process its new parent, init, has yet to collect).
  for (const orphan of before) expect(['gone', 'Z']).toContain(stateOf(orphan));
});

function stateOf(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
  } catch {
    return 'gone';
  }
}
