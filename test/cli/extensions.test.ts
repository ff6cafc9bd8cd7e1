import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './harness.js';

/**
 * What tsvirsh does where real virsh on libvirt 9.0's test driver cannot be the reference: the test driver
 * there has no volume resize or wipe, and tsvirsh adds options of its own. The expected output follows
 * virsh's code for these paths (messages, blank lines, order).
 */

const URI = ['-c', 'test:///default'];
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsvirsh-ext-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('volumes on a driver that can resize and wipe them', () => {
  it('resizes to a size, by a delta, and shrinks with a negative size and --shrink', async () => {
    const r = await runInProcess([
      ...URI,
      'vol-create-as default-pool v1 1M; vol-resize v1 2M --pool default-pool; vol-resize v1 1M --pool default-pool --delta; ' +
        'vol-resize --pool default-pool v1 --shrink -- -2M; vol-info v1 --pool default-pool --bytes; vol-resize v1 1K --pool default-pool',
    ]);
    expect(r).toEqual({
      status: 1,
      stdout:
        'Vol v1 created\n\n' +
        "Size of volume 'v1' successfully changed to 2M\n\n" +
        "Size of volume 'v1' successfully changed by 1M\n\n" +
        "Size of volume 'v1' successfully changed by 2M\n\n" +
        'Name:           v1\nType:           file\nCapacity:       1048576 bytes\nAllocation:     1048576 bytes\n\n\n',
      stderr:
        "error: Failed to change size of volume 'v1' to 1K\n" +
        "error: invalid argument: can't shrink capacity below existing allocation\n",
    });
  });

  it('wipes with the named algorithm', async () => {
    const r = await runInProcess([...URI, 'vol-create-as default-pool v1 1M; vol-wipe v1 --pool default-pool --algorithm trim; vol-wipe /default-pool/v1']);
    expect(r).toEqual({ status: 0, stdout: 'Vol v1 created\n\nVol v1 wiped\n\nVol /default-pool/v1 wiped\n\n', stderr: '' });
  });

  it('undefine --remove-all-storage --wipe-storage wipes and removes the managed volumes, and names the others', async () => {
    const xml = join(dir, 'vm3.xml');
    writeFileSync(
      xml,
      `<domain type='test'>
  <name>vm3</name>
  <memory>1048576</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/default-pool/v1'/><target dev='vda'/></disk>
    <disk type='file' device='disk'><source file='/other/x.img'/><target dev='vdb'/></disk>
    <disk type='volume' device='disk'><source pool='default-pool' volume='v2'/><target dev='vdc'/></disk>
    <disk type='volume' device='disk'><source pool='nopool' volume='v9'/><target dev='vdd'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc'/></disk>
  </devices>
</domain>
`,
    );
    const r = await runInProcess([
      ...URI,
      `vol-create-as default-pool v1 1M; vol-create-as default-pool v2 1M; define ${xml}; ` +
        'undefine vm3 --storage vda,vdx,/nothere; undefine vm3 --remove-all-storage --wipe-storage; vol-list default-pool',
    ]);
    expect(r).toEqual({
      status: 0,
      stdout:
        `Vol v1 created\n\nVol v2 created\n\nDomain 'vm3' defined from ${xml}\n\n\n` +
        "Domain 'vm3' has been undefined\n" +
        "Wiping volume 'vda'(/default-pool/v1) ... Done.\nVolume 'vda'(/default-pool/v1) removed.\n" +
        "Wiping volume 'vdc'(v2) ... Done.\nVolume 'vdc'(v2) removed.\n\n" +
        ' Name   Path\n--------------\n\n',
      stderr:
        "error: Volume 'vdx' was not found in domain's definition.\n\n" +
        "error: Volume '/nothere' was not found in domain's definition.\n\n" +
        "error: Storage volume 'vdb'(/other/x.img) is not managed by libvirt. Remove it manually.\n\n" +
        "error: Storage pool 'nopool' for volume 'vdd' not found.\n",
    });
  });
});

describe("tsvirsh's own options", () => {
  it('documents --async and --verbose in the help of the commands that have them', async () => {
    const r = await runInProcess(['help save; help vol-clone']);
    expect(r.stdout).toContain('    save <domain> <file> [--bypass-cache] [--xml <string>] [--running] [--paused] [--verbose] [--async]\n');
    expect(r.stdout).toContain('    --async          run the save in the background (tsvirt extension; see domjobinfo, domjobabort)\n');
    expect(r.stdout).toContain('    --verbose        display the progress of the clone (tsvirt extension)\n');
  });

  it('keeps the positional order of virsh (the extensions are flags)', async () => {
    const r = await runInProcess([...URI, `save test ${dir}/a.save xml/none.xml --async`]);
    expect(r.stderr).toBe("error: Failed to open file 'xml/none.xml': No such file or directory\n");
  });

  it('says which library it reproduces', async () => {
    expect((await runInProcess(['-v'])).stdout).toBe('9.0.0\n');
    expect((await runInProcess(['-V'])).stdout).toMatch(/^Virsh command line tool of libvirt 9\.0\.0 \(tsvirsh, on tsvirt\)\n/);
  });
});

describe('interactive shell', () => {
  it('reports a background job once it has ended, before a later prompt or at the end', async () => {
    const r = await runInProcess(URI, { stdin: `save --async test ${dir}/a.save\nuri\nuri\n` });
    const started = r.stdout.indexOf(`Domain 'test' is being saved to ${dir}/a.save\n`);
    const ended = r.stdout.indexOf(`\nDomain 'test' saved to ${dir}/a.save\n`);
    expect(started).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(started);
    expect(r.stdout.split(`\nDomain 'test' saved to`).length).toBe(2);
    expect(r.stderr).toBe('');
  });

  it('ends on quit or exit, skipping the rest of the line', async () => {
    const r = await runInProcess(['-q', ...URI], { stdin: 'uri; exit; uri\nuri\n' });
    expect(r.stdout).toBe('virsh # uri; exit; uri\ntest:///default\n\n');
  });

  it('keeps going after errors and connection failures', async () => {
    const r = await runInProcess(['-q'], { stdin: 'connect bogus:///x\nconnect test:///default\nuri\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('virsh # connect bogus:///x\nvirsh # connect test:///default\nvirsh # uri\ntest:///default\nvirsh # \n');
    expect(r.stderr).toBe(
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
    );
  });
});

describe('timing (-t)', () => {
  it("follows each command with virsh's timing line instead of the blank line", async () => {
    const r = await runInProcess(['-t', ...URI, 'uri; domstate nosuch']);
    expect(r.stdout).toMatch(/^test:\/\/\/default\n\n\(Time: \d+\.\d{3} ms\)\n\n\n\(Time: \d+\.\d{3} ms\)\n\n$/);
  });
});

describe('connections', () => {
  it('connects to the default URI when the first command needs it, and not for help', async () => {
    const r = await runInProcess(['help uri; uri']);
    expect(r.stdout).toBe('  NAME\n    uri - print the hypervisor canonical URI\n\n  SYNOPSIS\n    uri\n\n\ntest:///default\n\n');
  });

  it('starts the test driver afresh on connect, as closing the last connection resets it', async () => {
    const r = await runInProcess([...URI, 'destroy test; connect test:///default; domstate test']);
    expect(r.stdout).toBe("Domain 'test' destroyed\n\n\nrunning\n\n");
  });

  it('honours VIRSH_DEFAULT_CONNECT_URI, connecting before anything runs', async () => {
    const r = await runInProcess(['help uri'], { env: { VIRSH_DEFAULT_CONNECT_URI: 'bogus:///x' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });
});
