// Which socket a remote URI reaches and the name CONNECT_OPEN gives the daemon, as libvirt's remote driver
// decides them; and qemu URIs through a private libvirtd, qemu:///session found through XDG_RUNTIME_DIR.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteTarget, SYSTEM_SOCKET, SYSTEM_SOCKET_RO } from '../../src/ts/drivers/remote/uri.js';
import { connect } from '../../src/ts/index.js';
import { ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

const target = (uri: string) => remoteTarget(new URL(uri), uri);

describe('remote URIs', () => {
  it.each([
    ['test+unix:///default?socket=/s/sock', '/s/sock', 'test:///default'],
    ['qemu+unix:///system?socket=/run/x', '/run/x', 'qemu:///system'],
    ['qemu+unix:///system', SYSTEM_SOCKET, 'qemu:///system'],
    ['qemu:///system', SYSTEM_SOCKET, 'qemu:///system'],
    ['tsvirt+unix:///embed?root=/data/x&socket=/s/t', '/s/t', 'tsvirt:///embed?root=/data/x'],
    ['test+unix:///default?mode=legacy&socket=/s&no_tty=1', '/s', 'test:///default'],
    ['test+unix:///default?socket=/s&name=test:///other', '/s', 'test:///other'],
  ])('%s: socket %s, opens %s', (uri, socket, name) => {
    expect(target(uri)).toEqual({ socketPath: socket, openName: name, uri });
  });

  it('a read-only open of the system daemon uses its read-only socket', () => {
    expect(remoteTarget(new URL('qemu:///system'), 'qemu:///system', true).socketPath).toBe(SYSTEM_SOCKET_RO);
    expect(remoteTarget(new URL('qemu+unix:///system?socket=/s'), 'qemu+unix:///system?socket=/s', true).socketPath).toBe('/s');
  });

  it('qemu:///session is the session daemon under XDG_RUNTIME_DIR', () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = '/run/user/4242';
    try {
      expect(target('qemu:///session').socketPath).toBe('/run/user/4242/libvirt/libvirt-sock');
      expect(target('tsvirt+unix:///session').socketPath).toBe('/run/user/4242/tsvirt/tsvirt-sock');
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it.each(['qemu+ssh://host/system', 'qemu+tls://host/system', 'qemu+tcp://host/system', 'test+unix:///default?auth=sasl'])(
    '%s is refused clearly',
    async (uri) => {
      const err = (await connect(uri).catch((e: unknown) => e)) as VirError;
      expect(err).toBeInstanceOf(VirError);
      expect(err.code).toBe(ErrorNumber.VIR_ERR_NO_SUPPORT);
      expect(err.message).toMatch(/not supported by tsvirt's remote driver/);
    },
  );
});

describe('qemu through a private libvirtd', () => {
  let daemon: Libvirtd;
  let runtime: string;
  beforeAll(async () => {
    daemon = await startLibvirtd();
    runtime = mkdtempSync(join(tmpdir(), 'tsvirt-remote-xdg-'));
    mkdirSync(join(runtime, 'libvirt'));
    symlinkSync(daemon.socket, join(runtime, 'libvirt', 'libvirt-sock'));
  });
  afterAll(async () => {
    await daemon?.stop();
    if (runtime) rmSync(runtime, { recursive: true, force: true });
  });

  it('qemu:///session and qemu+unix:///session?socket= reach the QEMU driver as virsh does', async () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = runtime;
    try {
      for (const uri of ['qemu:///session', daemon.uris.qemu]) {
        const conn = await connect(uri);
        try {
          expect(conn.type).toBe('QEMU');
          expect(conn.uri).toBe(uri);
          const version = (await virsh(daemon.uris.qemu, ['version'])).stdout;
          const hv = /Running hypervisor: QEMU (\d+)\.(\d+)\.(\d+)/.exec(version)!;
          expect(await conn.version()).toBe(Number(hv[1]) * 1_000_000 + Number(hv[2]) * 1_000 + Number(hv[3]));
          expect((await conn.listDomains()).length).toBe(0);
          expect(await conn.hostname()).toBe((await virsh(daemon.uris.qemu, ['hostname'])).stdout.trim());
          const cpus = /^CPU\(s\): +(\d+)$/m.exec((await virsh(daemon.uris.qemu, ['nodeinfo'])).stdout)![1];
          expect((await conn.nodeInfo()).cpus).toBe(Number(cpus));
        } finally {
          await conn.close();
        }
      }
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });
});
