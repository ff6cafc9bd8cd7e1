import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/ts/index.js';

/**
 * A test-driver node of its own: every connection to its file starts from the file's state, so each test
 * gets a fresh domain, network, pool and volume. `rate` is the simulated transfer rate (bytes/s; 0: instant).
 */
export function testNode(): { dir: string; open: (rate?: string) => Promise<Connection>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-faces-'));
  const file = join(dir, 'node.xml');
  writeFileSync(
    file,
    `<node>
  <domain type='test'><name>vm1</name><uuid>5a2c0ef2-1c8e-4c07-9d61-1f6b0f1c0a01</uuid><memory unit='MiB'>256</memory><os><type>hvm</type></os></domain>
  <network><name>net1</name><uuid>5a2c0ef2-1c8e-4c07-9d61-1f6b0f1c0a02</uuid><bridge name='virbr9'/><ip address='192.168.99.1' netmask='255.255.255.0'/></network>
  <pool type='dir'><name>pool1</name><uuid>5a2c0ef2-1c8e-4c07-9d61-1f6b0f1c0a03</uuid><target><path>/pool1</path></target>
    <volume><name>vol1</name><capacity unit='MiB'>64</capacity><allocation unit='MiB'>64</allocation></volume>
  </pool>
</node>
`,
  );
  return {
    dir,
    open: (rate = '0') => connect(`test://${file}?rate=${rate}`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A rate at which the 256 MiB domain's save takes about 4 s: long enough to watch and cancel. */
export const SLOW = '64M';

/** Ids and operations of the running jobs the connection sees. */
export async function runningJobs(conn: Connection): Promise<{ id: number | undefined; operation: string | undefined }[]> {
  return (await conn.jobs({ state: 'running' })).map((job) => ({ id: job.id, operation: job.operation }));
}
