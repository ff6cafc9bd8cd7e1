// Shared by the remote driver's tests: a private libvirtd and a URI on it whose every connection starts from a
// fresh copy of test:///default (libvirtd shares test:///default between clients, but gives each connection to
// a custom driver file its own state, as every reference case expects).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLibvirtd, virsh, type Libvirtd } from '../support/libvirtd.mjs';

export interface RemoteFixture {
  daemon: Libvirtd;
  /** test+unix:///…/default.xml?socket=…: a fresh test:///default per connection. */
  freshUri: string;
  /** That custom driver file, for URIs through other transports (test+tls://HOST/FILE, ...). */
  freshFile: string;
  stop(): Promise<void>;
}

/** `options` are the daemon's (startLibvirtd's: keepalive, TCP and TLS listeners). */
export async function startRemoteFixture(options?: Parameters<typeof startLibvirtd>[0]): Promise<RemoteFixture> {
  const daemon = await startLibvirtd(options);
  const work = await mkdtemp(join(tmpdir(), 'tsvirt-remote-'));
  try {
    await chmod(work, 0o755);
    const shared = daemon.uris.test;
    const parts = await Promise.all([
      virsh(shared, ['dumpxml', 'test']),
      virsh(shared, ['net-dumpxml', 'default']),
      virsh(shared, ['pool-dumpxml', 'default-pool']),
    ]);
    for (const p of parts) if (p.status !== 0) throw new Error(`virsh failed: ${p.stderr}`);
    const file = join(work, 'default.xml');
    await writeFile(file, `<node>\n${parts.map((p) => p.stdout).join('')}</node>\n`);
    await chmod(file, 0o644);
    return {
      daemon,
      freshUri: `test+unix://${file}?socket=${daemon.socket}`,
      freshFile: file,
      async stop() {
        await daemon.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await daemon.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
