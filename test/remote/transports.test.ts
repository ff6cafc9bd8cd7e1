// The remote driver's transports besides unix sockets, each against the real virsh through the same path to a
// private libvirtd: ssh (its command line compared argument for argument with the one libvirt runs, then a real
// sshd on the loopback), TLS and TCP (libvirtd listening on the loopback, with a throwaway PKI) and ext (a
// command of the URI's). The failures too: what tsvirt reports when ssh cannot connect, when nothing listens on
// the port, when the host has no address, when a certificate is not trusted either way, is what virsh reports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteDefaults } from '../../src/ts/drivers/remote/index.js';
import { remoteTarget } from '../../src/ts/drivers/remote/uri.js';
import { connect } from '../../src/ts/index.js';
import * as virt from '../../src/ts/libvirt.js';
import { VirError } from '../../src/ts/errors/index.js';
import { runInProcess } from '../cli/harness.js';
import { hasCc, hasRealLibvirt, Workspace } from '../native/abi/harness.js';
import { CLIENT_ENV, python, startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';
import { makePki, type Pki } from '../support/pki.mjs';
import { freePort } from '../support/ports.mjs';
import { startRemoteFixture, type RemoteFixture } from './helpers.js';

const virshInstalled = existsSync('/usr/bin/virsh') && existsSync('/usr/sbin/libvirtd');
const sshInstalled = existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/ssh') && existsSync('/usr/bin/nc');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tsvirt-transports-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * tsvirsh's and virsh's output for the same command line: the same, byte for byte, failures included. libvirt's
 * own log lines (a warning it prints on stderr when a certificate check fails) are not virsh's output and are left
 * out of it.
 */
async function expectLikeVirsh(uri: string, command: string[]): Promise<string> {
  const theirs = await virsh(uri, command);
  const ours = await runInProcess(['-c', uri, ...command]);
  const withoutLog = (text: string) => text.replace(/^\d{4}-\d\d-\d\d \S+: \d+: (info|warning) : .*\n/gm, '');
  expect({ status: ours.status, stdout: ours.stdout, stderr: ours.stderr }).toEqual({ status: theirs.status, stdout: theirs.stdout, stderr: withoutLog(theirs.stderr) });
  return ours.stdout;
}

describe.skipIf(!virshInstalled)("ssh's command line is libvirt's", () => {
  // A stand-in for ssh, first in PATH, that records its arguments and fails as an unreachable host would.
  let fakeBin: string;
  let log: string;
  beforeAll(() => {
    fakeBin = join(work, 'fake-bin');
    mkdirSync(fakeBin);
    log = join(work, 'ssh-argv.json');
    writeFileSync(
      join(fakeBin, 'ssh'),
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(255);\n`,
      { mode: 0o755 },
    );
  });

  const libvirtsArgv = async (uri: string, readOnly: boolean): Promise<string[]> => {
    rmSync(log, { force: true });
    await new Promise<void>((resolve) => {
      const child = spawn('virsh', [...(readOnly ? ['-r'] : []), '-c', uri, 'uri'], {
        env: { ...CLIENT_ENV, PATH: `${fakeBin}:${CLIENT_ENV.PATH}` },
        stdio: 'ignore',
      });
      child.on('exit', () => resolve());
    });
    return JSON.parse(readFileSync(log, 'utf8')) as string[];
  };

  it.each([
    'qemu+ssh://host1/system',
    'qemu+ssh://bob@host2:2222/session?keyfile=/k/id&no_verify=1&no_tty=1',
    'qemu+ssh://host3/system?socket=/s/sock&netcat=/bin/nc2',
    'test+ssh://host4/default?proxy=netcat',
    'qemu+ssh://host5/system?proxy=native',
    'qemu+ssh://h/system?proxy=auto&socket=/s',
    "qemu+ssh://h/system?socket=/s%20p/it's",
    "qemu+ssh://h/system?netcat=/x%20y/n'c",
    "qemu+ssh://h/sys'tem?foo=1&mode=legacy",
    'qemu+ssh://h/system?name=qemu:///session',
    'qemu+ssh://h/system?no_tty=0&no_verify=0&keyfile=',
    'qemu+ssh:///system',
    'qemu+ssh://[::1]:2200/system',
    'qemu+ssh://b%40x@h:22/system',
  ])('%s', async (uri) => {
    for (const readOnly of [false, true]) {
      const ours = remoteTarget(new URL(uri), uri, readOnly).transport;
      expect(ours.kind).toBe('command');
      expect((ours as { argv: readonly string[] }).argv).toEqual(['ssh', ...(await libvirtsArgv(uri, readOnly))]);
    }
  });

  it.each([
    ['qemu+ssh://h/system?proxy=bogus', "invalid argument: Unnkown proxy type 'bogus'"],
    ['qemu+ssh://h/system?proxy=native&netcat=/x', 'invalid argument: netcat path not valid with native proxy mode'],
  ])('%s is refused as libvirt refuses it', async (uri, message) => {
    await expectLikeVirsh(uri, ['uri']);
    const err = (await connect(uri).catch((e: unknown) => e)) as VirError;
    expect(err.message).toBe(message);
  });
});

/** A private sshd on the loopback that lets this user in with a key of its own; null where sshd cannot run. */
async function startSshd(dir: string): Promise<{ port: number; sshWrapper: string; keyfile: string; stop(): void } | null> {
  mkdirSync(dir);
  for (const key of ['host', 'client']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${userInfo().username}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd's privilege separation folder (Debian creates it when its service starts, which it has not here).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sshd.stderr!.on('data', (d: Buffer) => (stderr += d));
  // The URI's `command=`: ssh with this test's own known_hosts, so the user's is never written.
  const sshWrapper = join(dir, 'ssh');
  writeFileSync(sshWrapper, `#!/bin/sh\nexec ssh -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o LogLevel=ERROR "$@"\n`, { mode: 0o755 });
  const stop = () => sshd.kill();
  for (let tries = 0; tries < 100; tries++) {
    if (sshd.exitCode !== null) {
      console.warn(`sshd did not start: ${stderr}`);
      return null;
    }
    if (await accepts(port)) return { port, sshWrapper, keyfile: join(dir, 'client'), stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop();
  return null;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(!virshInstalled)('through a private libvirtd', () => {
  let fixture: RemoteFixture;
  let daemon: Libvirtd;
  let sshd: Awaited<ReturnType<typeof startSshd>> = null;
  let pki: Pki;
  let tcpPort: number;
  let tlsPort: number;
  beforeAll(async () => {
    pki = await makePki(join(work, 'pki'));
    [tcpPort, tlsPort] = [await freePort(), await freePort()];
    const tls = { port: tlsPort, caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey };
    // No keepalive from the daemon: its PINGs would hide a call left unread for seconds (below, TLS).
    fixture = await startRemoteFixture({ listen: { tcpPort, tls }, keepalive: { interval: -1, count: 5 } });
    daemon = fixture.daemon;
    if (sshInstalled) sshd = await startSshd(join(work, 'sshd'));
  }, 120_000);
  afterAll(async () => {
    sshd?.stop();
    await fixture?.stop();
  });

  /** The idiomatic API through `uri`: the daemon's test domain saved to a file of the daemon's, then restored. */
  async function saveAndRestoreThrough(uri: string, name: string): Promise<void> {
    const conn = await connect(uri);
    try {
      expect(conn.type).toBe('TEST');
      expect(conn.uri).toBe(uri);
      const dom = await conn.lookupDomain('test');
      expect((await dom.info()).state).toBe(1);
      const file = join(daemon.filesDir, name);
      await dom.save(file);
      expect((await dom.info()).state).toBe(5);
      await conn.restore(file);
      expect((await dom.info()).state).toBe(1);
      dom.free();
    } finally {
      await conn.close();
    }
  }

  const sshUri = (path: string, extra = '') =>
    `${path.split(':')[0]}+ssh://${userInfo().username}@127.0.0.1:${sshd!.port}${path.slice(path.indexOf(':') + 3)}?socket=${daemon.socket}&keyfile=${sshd!.keyfile}&command=${sshd!.sshWrapper}&no_tty=1&no_verify=1${extra}`;

  it.skipIf(!sshInstalled)('ssh: tsvirsh prints what virsh prints; the idiomatic API lists, reads, saves and restores', async (ctx) => {
    // sshd runs as root in CI; elsewhere it may not run at all (privilege separation), which is no failure of ours.
    if (!sshd && process.getuid?.() !== 0) return ctx.skip();
    expect(sshd, 'sshd started').not.toBeNull();
    const uri = sshUri('test:///default');
    expect(await expectLikeVirsh(uri, ['list', '--all'])).toContain('test');
    await expectLikeVirsh(uri, ['domstate', 'test']);
    await expectLikeVirsh(uri, ['domuuid', 'test']);
    await expectLikeVirsh(uri, ['domstate', 'nosuch']);
    await saveAndRestoreThrough(uri, 'through-ssh.save');
  }, 60_000);

  it.skipIf(!sshInstalled)('ssh to a port where nothing listens: the error virsh reports, ssh’s own words in it', async () => {
    const closed = await freePort();
    const uri = `test+ssh://127.0.0.1:${closed}/default?socket=${daemon.socket}&no_tty=1`;
    await expectLikeVirsh(uri, ['uri']);
    const err = (await connect(uri).catch((e: unknown) => e)) as VirError;
    expect(err).toBeInstanceOf(VirError);
    expect([err.code, err.domain]).toEqual([38, 7]); // VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC
    expect(err.message).toBe(`Cannot recv data: ssh: connect to host 127.0.0.1 port ${closed}: Connection refused: Connection reset by peer`);
  });

  it('tcp: tsvirsh prints what virsh prints through libvirtd\'s TCP port', async () => {
    const uri = `test+tcp://127.0.0.1:${tcpPort}/default`;
    expect(await expectLikeVirsh(uri, ['list', '--all'])).toContain('test');
    await expectLikeVirsh(uri, ['domstate', 'test']);
    await expectLikeVirsh(uri, ['domuuid', 'test']);
    const conn = await connect(uri);
    try {
      expect((await conn.listDomains()).map((d) => d.name)).toEqual(['test']);
    } finally {
      await conn.close();
    }
  });

  it.each([
    ['nothing listening', async () => `test+tcp://127.0.0.1:${await freePort()}/default`],
    ['no such host', async () => 'test+tcp://tsvirt-no-such-host.invalid/default'],
  ])('tcp, %s: the error virsh reports', async (_, uriOf) => {
    await expectLikeVirsh(await uriOf(), ['uri']);
  });

  const tlsUri = (pkipath: string, host = '127.0.0.1', extra = '') => `test+tls://${host}:${tlsPort}/default?pkipath=${pkipath}${extra}`;

  it('tls: tsvirsh prints what virsh prints; the idiomatic API reads and saves; a host without transport is TLS', async () => {
    const uri = tlsUri(pki.clientDir);
    expect(await expectLikeVirsh(uri, ['list', '--all'])).toContain('test');
    await expectLikeVirsh(uri, ['domstate', 'test']);
    await expectLikeVirsh(`test://127.0.0.1:${tlsPort}/default?pkipath=${pki.clientDir}`, ['domuuid', 'test']);
    await expectLikeVirsh(tlsUri(pki.clientDir, 'localhost'), ['domuuid', 'test']);
    await saveAndRestoreThrough(uri, 'through-tls.save');
  }, 60_000);

  it('tls: many calls at once are all answered (one TLS record per message: libvirtd reads one message per wake-up)', async () => {
    // Neither side sends keepalive PINGs here, so a call whose bytes waited inside the daemon's TLS layer would
    // never be answered, and the test would time out.
    const saved = { ...remoteDefaults };
    Object.assign(remoteDefaults, { keepaliveIntervalMs: 0 });
    try {
      const conn = await connect(tlsUri(pki.clientDir));
      try {
        const dom = await conn.lookupDomain('test');
        const infos = await Promise.all(Array.from({ length: 50 }, () => dom.info()));
        expect(infos.every((info) => info.state === 1)).toBe(true);
        dom.free();
      } finally {
        await conn.close();
      }
    } finally {
      for (const key of Object.keys(remoteDefaults)) delete (remoteDefaults as Record<string, unknown>)[key];
      Object.assign(remoteDefaults, saved);
    }
  }, 20_000);

  it.each([
    ["our own certificate not signed by our CA (checked before connecting)", () => tlsUri(pki.otherCaDir)],
    ['a server our CA did not sign', () => tlsUri(pki.alienDir)],
    ['a server our CA did not sign, no_verify=1: the server refuses us in turn', () => tlsUri(pki.alienDir, '127.0.0.1', '&no_verify=1')],
    ['a server certificate for other names', () => tlsUri(pki.clientDir, '127.1')],
    ['a server certificate for other names, no_verify=1: accepted', () => tlsUri(pki.clientDir, '127.1', '&no_verify=1')],
    ['no client certificate: the server refuses us', () => tlsUri(pki.anonymousDir)],
    ['no CA certificate', () => tlsUri(join(work, 'no-such-pki'))],
    ['nothing listening', () => `test+tls://127.0.0.1:1/default?pkipath=${pki.clientDir}`],
    ['a daemon that does not speak TLS there', () => tlsUri(pki.clientDir).replace(`:${tlsPort}/`, `:${tcpPort}/`)],
  ])('tls, %s: as virsh', async (_, uriOf) => {
    await expectLikeVirsh(uriOf(), ['domuuid', 'test']);
  });

  /**
   * An ext command that carries the packets to the daemon's socket (a Node one-liner: no netcat needed), as
   * `test+ext:///default?command=...`; it writes its pid to `pidFile` when given.
   */
  function extUri(name: string, pidFile?: string): string {
    const script = join(work, `${name}.sh`);
    const forward = "const s=require('net').createConnection(process.argv[1]);process.stdin.pipe(s).pipe(process.stdout);s.on('close',()=>process.exit(0))";
    const pid = pidFile ? `echo $$ > ${pidFile}\n` : '';
    writeFileSync(script, `#!/bin/sh\n${pid}exec ${process.execPath} -e "${forward}" ${daemon.socket}\n`, { mode: 0o755 });
    return `test+ext:///default?command=${script}`;
  }

  it('virConnectIsSecure and virConnectIsEncrypted answer per transport as python3-libvirt reads them', async () => {
    const uris = [daemon.uris.test, `test+tcp://127.0.0.1:${tcpPort}/default`, tlsUri(pki.clientDir), extUri('flags')];
    if (sshd) uris.push(sshUri('test:///default'));
    const theirs = await python(
      'import libvirt, sys\nfor u in sys.argv[1:]:\n    c = libvirt.open(u); print(c.isSecure(), c.isEncrypted()); c.close()',
      uris,
    );
    const ours: string[] = [];
    for (const uri of uris) {
      const conn = (await virt.virConnectOpen.async(uri))!;
      ours.push(`${virt.virConnectIsSecure(conn)} ${virt.virConnectIsEncrypted(conn)}`);
      await virt.virConnectClose.async(conn);
    }
    expect(ours.join('\n')).toBe(theirs.trim());
  });

  it.skipIf(!hasCc || !hasRealLibvirt)('a C program through tsvirt-run prints what it prints linked with libvirt, over TLS and ssh', async () => {
    // The program's calls block its own thread while the TLS session or the ssh process works on the event loop.
    const ws = new Workspace();
    try {
      const source = new URL('./c/remote-client.c', import.meta.url).pathname;
      const [forLibvirt, forTsvirt] = [ws.buildForLibvirt(source), ws.buildForTsvirt(source)];
      const uris = [`test+tls://127.0.0.1:${tlsPort}${fixture.freshFile}?pkipath=${pki.clientDir}`];
      if (sshd) uris.push(sshUri(`test://${fixture.freshFile}`));
      for (const uri of uris) {
        const args = [uri, daemon.filesDir];
        const theirs = await ws.runLibvirt(forLibvirt, args, { ...CLIENT_ENV });
        const mine = await ws.runTsvirt(forTsvirt, args, { ...CLIENT_ENV });
        expect(theirs.stdout, uri).toContain('save=0');
        expect(mine, uri).toMatchObject({ status: theirs.status, stdout: theirs.stdout, stderr: theirs.stderr });
      }
    } finally {
      ws.dispose();
    }
  }, 120_000);

  it('ext: the command given in the URI carries the packets, as with virsh', async () => {
    const uri = extUri('to-daemon');
    expect(await expectLikeVirsh(uri, ['list', '--all'])).toContain('test');
    await expectLikeVirsh('test+ext:///default?command=/bin/false', ['uri']);
    await expectLikeVirsh('test+ext:///default', ['uri']);
  });

  it('ext: a command that dies fails the calls with what it said, and the close callback hears it', async () => {
    const pidFile = join(work, 'dying-command.pid');
    const conn = await connect(extUri('dying-command', pidFile));
    let heard!: (reason: number) => void;
    const closed = new Promise<number>((resolve) => (heard = resolve));
    await conn.onClose(heard); // registered with the daemon before the command dies
    expect((await conn.listDomains()).length).toBe(1);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    const err = (await conn.lookupDomain('test').catch((e: unknown) => e)) as VirError;
    expect(err).toBeInstanceOf(VirError);
    expect([err.code, err.domain, err.message]).toEqual([38, 7, 'Cannot recv data: : Connection reset by peer']);
    expect(await closed).toBe(0); // VIR_CONNECT_CLOSE_REASON_ERROR
    await conn.close().catch(() => {});
  });
});
