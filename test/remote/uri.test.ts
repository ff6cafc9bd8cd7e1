// Which socket, host or command a remote URI reaches and the name CONNECT_OPEN gives the daemon, as libvirt's
// remote driver decides them; and qemu URIs through a private libvirtd, qemu:///session found through
// XDG_RUNTIME_DIR. ssh's command line is compared with the real virsh's in ssh.test.ts.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBVIRTD_TCP_PORT, LIBVIRTD_TLS_PORT, remoteTarget, SYSTEM_SOCKET, SYSTEM_SOCKET_RO } from '../../src/ts/drivers/remote/uri.js';
import { connect } from '../../src/ts/index.js';
import { ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

const target = (uri: string) => remoteTarget(new URL(uri), uri);
const socketOf = (uri: string, readOnly = false) => {
  const { transport } = remoteTarget(new URL(uri), uri, readOnly);
  return transport.kind === 'unix' ? transport.path : `not a socket: ${transport.kind}`;
};

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
    expect(target(uri)).toEqual({ transport: { kind: 'unix', path: socket }, openName: name, uri, secure: true });
  });

  it('a read-only open of the system daemon uses its read-only socket', () => {
    expect(socketOf('qemu:///system', true)).toBe(SYSTEM_SOCKET_RO);
    expect(socketOf('qemu+unix:///system?socket=/s', true)).toBe('/s');
  });

  it.each([
    ['qemu+tcp://host.example/system', 'host.example', LIBVIRTD_TCP_PORT, 'qemu:///system'],
    ['qemu+tcp://10.0.0.2:16600/session?foo=bar&no_tty=1', '10.0.0.2', 16600, 'qemu:///session?foo=bar'],
    ['test+tcp://[::1]:1234/default', '::1', 1234, 'test:///default'],
    ['test+tcp:///default', 'localhost', LIBVIRTD_TCP_PORT, 'test:///default'],
  ])('%s: TCP to %s port %d, opens %s', (uri, host, port, name) => {
    expect(target(uri)).toEqual({ transport: { kind: 'tcp', host, port }, openName: name, uri, secure: false });
  });

  it('TLS: +tls, or a host without transport; port 16514; the files of pkipath=, no_verify=1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvirt-pki-'));
    try {
      for (const file of ['cacert.pem', 'clientcert.pem', 'clientkey.pem']) writeFileSync(join(dir, file), '');
      const files = { caCert: join(dir, 'cacert.pem'), caCrl: undefined, cert: join(dir, 'clientcert.pem'), key: join(dir, 'clientkey.pem') };
      expect(target(`qemu://host.example/system?pkipath=${dir}`)).toEqual({
        transport: { kind: 'tls', host: 'host.example', port: LIBVIRTD_TLS_PORT, pki: files, verify: true },
        openName: 'qemu:///system',
        uri: `qemu://host.example/system?pkipath=${dir}`,
        secure: true,
      });
      expect(target(`qemu+tls://h:1234/system?pkipath=${dir}&no_verify=1`).transport).toMatchObject({ kind: 'tls', host: 'h', port: 1234, verify: false });
      // Without a client certificate (or without its key) the client presents none; the CA is read, or fails, at the open.
      rmSync(join(dir, 'clientkey.pem'));
      expect(target(`qemu+tls://h/system?pkipath=${dir}`).transport).toMatchObject({ pki: { caCert: files.caCert, cert: undefined, key: undefined } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ext runs the command= given, as it is', () => {
    expect(target('qemu+ext:///system?command=/usr/local/bin/my%20tunnel').transport).toEqual({ kind: 'command', argv: ['/usr/local/bin/my tunnel'] });
    expect(() => target('qemu+ext:///system')).toThrow("remote_open: for 'ext' transport, command is required");
  });

  it('qemu:///session is the session daemon under XDG_RUNTIME_DIR', () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = '/run/user/4242';
    try {
      expect(socketOf('qemu:///session')).toBe('/run/user/4242/libvirt/libvirt-sock');
      expect(socketOf('tsvirt+unix:///session')).toBe('/run/user/4242/tsvirt/tsvirt-sock');
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it.each(['qemu+libssh://host/system', 'qemu+libssh2://host/system', 'qemu+quic://host/system', 'test+unix:///default?auth=sasl'])(
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
