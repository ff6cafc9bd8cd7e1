import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorNumber, VirError, connect, libraryVersion, type Connection } from '../../src/ts/index.js';
import { SLOW, runningJobs, testNode } from './node.js';

/** The idiomatic objects: each method reaches the same entry point as tsvirt/libvirt, with the same errors. */

let node: ReturnType<typeof testNode>;
let conn: Connection;
beforeEach(() => {
  node = testNode();
});
afterEach(async () => {
  await conn?.close();
  node.remove();
});

async function virErrorOf(fn: () => PromiseLike<unknown>): Promise<VirError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VirError);
    return err as VirError;
  }
  throw new Error('expected a VirError');
}

const domainXml = (name: string) =>
  `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>`;

describe('Connection', () => {
  it('describes the driver and the host', async () => {
    conn = await node.open();
    expect(conn.uri).toMatch(/^test:\/\/\/.*node\.xml\?rate=0$/);
    expect(conn.type).toBe('TEST');
    expect(await conn.version()).toBeGreaterThan(0);
    expect(typeof (await conn.hostname())).toBe('string');
    expect((await conn.nodeInfo()).cpus).toBeGreaterThan(0);
  });

  it('opens read-only connections that refuse changes as libvirt does', async () => {
    conn = await connect('test:///default', { readOnly: true });
    const err = await virErrorOf(() => conn.defineDomain(domainXml('ro')));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_OPERATION_DENIED);
  });

  it('finds domains by id, name and UUID, in virsh order, and says which one is missing', async () => {
    conn = await node.open();
    expect((await conn.listDomains()).map((d) => d.name)).toEqual(['vm1']);
    const byName = await conn.lookupDomain('vm1');
    expect((await conn.lookupDomain(byName.id)).name).toBe('vm1');
    expect((await conn.lookupDomain(String(byName.id))).name).toBe('vm1');
    expect((await conn.lookupDomain(byName.uuid)).name).toBe('vm1');
    const err = await virErrorOf(() => conn.lookupDomain('nope'));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_NO_DOMAIN);
  });

  it('finds each kind of object by one key alone, as the lookups of libvirt do', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomainByName('vm1');
    expect((await conn.lookupDomainById(dom.id)).name).toBe('vm1');
    expect((await conn.lookupDomainByUuid(dom.uuid)).name).toBe('vm1');
    expect((await virErrorOf(() => conn.lookupDomainByName(dom.uuid))).code).toBe(ErrorNumber.VIR_ERR_NO_DOMAIN);
    expect((await virErrorOf(() => conn.lookupDomainByUuid('vm1'))).code).toBe(ErrorNumber.VIR_ERR_INVALID_ARG);
    const net = await conn.lookupNetworkByName('net1');
    expect((await conn.lookupNetworkByUuid(net.uuid)).name).toBe('net1');
    expect((await virErrorOf(() => conn.lookupNetworkByName(net.uuid))).code).toBe(ErrorNumber.VIR_ERR_NO_NETWORK);
    const pool = await conn.lookupStoragePoolByName('pool1');
    expect((await conn.lookupStoragePoolByUuid(pool.uuid)).name).toBe('pool1');
    expect((await virErrorOf(() => conn.lookupStoragePoolByName(pool.uuid))).code).toBe(ErrorNumber.VIR_ERR_NO_STORAGE_POOL);
    expect((await conn.lookupStorageVolumeByPath('/pool1/vol1')).name).toBe('vol1');
    expect((await conn.lookupStorageVolumeByKey('/pool1/vol1')).name).toBe('vol1');
    expect((await virErrorOf(() => conn.lookupStorageVolumeByKey('vol1'))).code).toBe(ErrorNumber.VIR_ERR_NO_STORAGE_VOL);
  });

  it('reports the library version and the host security model', async () => {
    conn = await node.open();
    expect(libraryVersion()).toBe(9_000_000);
    expect(await conn.libVersion()).toBe(libraryVersion());
    expect(await conn.securityModel()).toEqual({ model: 'testSecurity', doi: '' });
  });

  it('calls the function virsh calls, so errors name the same one', async () => {
    conn = await connect('test:///default', { readOnly: true });
    const dom = await conn.lookupDomain('test');
    const denied = async (call: () => PromiseLike<unknown>) => (await virErrorOf(call)).message.replace(/.* prevents /, '');
    expect(await denied(() => conn.defineDomain(domainXml('ro')))).toBe('virDomainDefineXML');
    expect(await denied(() => conn.defineDomain(domainXml('ro'), 1))).toBe('virDomainDefineXMLFlags');
    expect(await denied(() => conn.defineNetwork('<network><name>ro</name></network>'))).toBe('virNetworkDefineXML');
    expect(await denied(() => conn.defineNetwork('<network><name>ro</name></network>', 1))).toBe('virNetworkDefineXMLFlags');
    expect(await denied(() => dom.destroy())).toBe('virDomainDestroy');
    expect(await denied(() => dom.destroy(1))).toBe('virDomainDestroyFlags');
    expect(await denied(() => dom.shutdown())).toBe('virDomainShutdown');
    expect(await denied(() => dom.shutdown(1))).toBe('virDomainShutdownFlags');
    expect(await denied(() => dom.undefine())).toBe('virDomainUndefineFlags');
    expect(await denied(() => dom.save('/tmp/x'))).toBe('virDomainSave');
    expect(await denied(() => dom.save('/tmp/x', { xml: domainXml('test') }))).toBe('virDomainSaveFlags');
    expect(await denied(() => conn.restore('/tmp/x'))).toBe('virDomainRestore');
    expect(await denied(() => conn.restore('/tmp/x', { xml: domainXml('test') }))).toBe('virDomainRestoreFlags');
    expect(await denied(() => dom.coreDump('/tmp/x'))).toBe('virDomainCoreDump');
    expect(await denied(() => dom.coreDump('/tmp/x', { format: 1 }))).toBe('virDomainCoreDumpWithFormat');
  });

  it('defines and creates domains; createDomain is a job whose result is the new domain', async () => {
    conn = await node.open();
    const defined = await conn.defineDomain(domainXml('defined'));
    expect(await defined.isPersistent()).toBe(true);
    expect(await defined.isActive()).toBe(false);
    const created = await conn.createDomain(domainXml('transient'));
    expect(created.name).toBe('transient');
    expect(await created.isRunning()).toBe(true);
    expect(await created.isPersistent()).toBe(false);
  });

  it('lists its running jobs, and close reports the references left', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    const save = dom.save(join(node.dir, 'vm1.save'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await runningJobs(conn)).toEqual([{ id: save.id, operation: 'save' }]);
    save.cancel();
    await save.catch(() => {});
    expect(await runningJobs(conn)).toEqual([]);
    dom.free();
    expect(await conn.close()).toBe(0);
    expect(await conn.close()).toBe(0); // closing twice is harmless
  });

  it('closes itself with await using', async () => {
    let handle: Connection['handle'];
    {
      await using scoped = await node.open();
      handle = scoped.handle;
      expect(handle.alive).toBe(true);
    }
    expect(handle.alive).toBe(false);
  });
});

describe('Domain', () => {
  it('reports its state and configuration', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    expect(dom.uuid).toBe('5a2c0ef2-1c8e-4c07-9d61-1f6b0f1c0a01');
    expect(await dom.info()).toMatchObject({ state: 1, maxMem: 262144, nrVirtCpu: 1 });
    expect(await dom.state()).toEqual({ state: 1, reason: 0, name: 'running' });
    expect(await dom.xml()).toContain('<name>vm1</name>');
    expect(await dom.osType()).toBe('linux'); // libvirt's test driver says so too
    expect(await dom.autostart()).toBe(false);
    expect(await dom.hasManagedSaveImage()).toBe(false);
    expect(await dom.securityLabel()).toEqual({ label: 'libvirt-test', enforcing: true });
  });

  it('suspends, resumes, shuts down, starts (a job), reboots, destroys and undefines', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    await dom.suspend();
    expect((await dom.state()).name).toBe('paused');
    await dom.resume();
    await dom.reboot();
    await dom.shutdown();
    expect((await dom.state()).name).toBe('shutoff');
    await dom.start();
    expect(await dom.isRunning()).toBe(true);
    await dom.destroy();
    await dom.undefine();
    expect(await conn.listDomains()).toEqual([]);
  });

  it('dumps its core as a job; with crash the domain is left shut off', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    await dom.coreDump(join(node.dir, 'core'));
    expect(await dom.isRunning()).toBe(true);
    await dom.coreDump(join(node.dir, 'core2'), { crash: true });
    expect((await dom.state()).name).toBe('shutoff');
  });

  it('hands a save replacement XML and a dump format to the driver, which checks them', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const xml = await dom.xml();
    expect((await virErrorOf(() => dom.save(join(node.dir, 'vm1.save'), { xml }))).message).toBe(
      'argument unsupported: xml modification unsupported',
    );
    expect((await virErrorOf(() => dom.coreDump(join(node.dir, 'core'), { format: 1 }))).code).toBe(
      ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
    );
    const badFormat = await virErrorOf(() => dom.coreDump(join(node.dir, 'core'), { format: 99 }));
    expect([badFormat.code, badFormat.message]).toEqual([ErrorNumber.VIR_ERR_INVALID_ARG, "dumpformat '99' is not supported"]);
    await dom.save(join(node.dir, 'vm1.save'));
    expect((await virErrorOf(() => conn.restore(join(node.dir, 'vm1.save'), { xml }))).message).toBe(
      'argument unsupported: xml modification unsupported',
    );
  });

  it('shows and aborts its running job, whoever started it, as virDomainGetJobInfo / virDomainAbortJob', async () => {
    conn = await node.open(SLOW);
    const dom = await conn.lookupDomain('vm1');
    expect((await dom.jobInfo()).type).toBe(0);
    const save = dom.save(join(node.dir, 'vm1.save'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await dom.jobInfo()).type).toBe(1);
    const busy = await virErrorOf(() => dom.destroy());
    expect(busy.message).toBe("Requested operation is not valid: domain 'vm1' has an active save job");
    await dom.abortJob();
    const err = await virErrorOf(() => save);
    expect(err.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
  });

  it('releases its handle with free() or using, once', async () => {
    conn = await node.open();
    const dom = await conn.lookupDomain('vm1');
    const handle = dom.handle;
    const refs = handle.refs;
    dom.free();
    dom.free();
    expect(handle.refs).toBe(refs - 1);
    {
      using again = await conn.lookupDomain('vm1');
      expect(again.name).toBe('vm1');
    }
  });
});

describe('Network', () => {
  it('looks networks up by name or UUID and reports them', async () => {
    conn = await node.open();
    expect((await conn.listNetworks()).map((n) => n.name)).toEqual(['net1']);
    const net = await conn.lookupNetwork('net1');
    expect((await conn.lookupNetwork(net.uuid)).name).toBe('net1');
    expect(await net.bridgeName()).toBe('virbr9');
    expect(await net.isActive()).toBe(true);
    expect(await net.isPersistent()).toBe(true);
    expect(await net.xml()).toContain("<bridge name='virbr9'");
    await net.setAutostart(true);
    expect(await net.autostart()).toBe(true);
    const err = await virErrorOf(() => conn.lookupNetwork('nope'));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_NO_NETWORK);
  });

  it('destroys, starts (a job) and undefines; createNetwork is a job whose result is the network', async () => {
    conn = await node.open();
    const net = await conn.lookupNetwork('net1');
    await net.destroy();
    expect(await net.isActive()).toBe(false);
    await net.start();
    expect(await net.isActive()).toBe(true);
    await net.destroy();
    await net.undefine();
    const made = await conn.createNetwork(
      "<network><name>net2</name><bridge name='virbr8'/><ip address='192.168.98.1' netmask='255.255.255.0'/></network>",
    );
    expect(made.name).toBe('net2');
    expect(await made.isPersistent()).toBe(false);
    const defined = await conn.defineNetwork("<network><name>net3</name><bridge name='virbr7'/></network>");
    expect(await defined.isActive()).toBe(false);
  });
});

describe('Storage', () => {
  it('pools: look up, report, refresh, list volumes, stop, start and undefine', async () => {
    conn = await node.open();
    expect((await conn.listStoragePools()).map((p) => p.name)).toEqual(['pool1']);
    const pool = await conn.lookupStoragePool('pool1');
    expect((await conn.lookupStoragePool(pool.uuid)).name).toBe('pool1');
    expect((await pool.info()).state).toBe(2);
    expect(await pool.xml()).toContain('<path>/pool1</path>');
    expect(await pool.isActive()).toBe(true);
    expect(await pool.isPersistent()).toBe(true);
    expect(await pool.autostart()).toBe(false);
    await pool.refresh();
    expect((await pool.listVolumes()).map((v) => v.name)).toEqual(['vol1']);
    await pool.destroy();
    expect(await pool.isActive()).toBe(false);
    await pool.start();
    await pool.destroy();
    await pool.undefine();
    expect(await conn.listStoragePools()).toEqual([]);
  });

  it('volumes: create and clone are jobs whose result is the volume; wipe, resize, delete', async () => {
    conn = await node.open();
    const pool = await conn.lookupStoragePool('pool1');
    const vol1 = await pool.lookupVolume('vol1');
    expect(await vol1.path()).toBe('/pool1/vol1');
    expect(vol1.key).toBe('/pool1/vol1');
    expect((await (await vol1.pool()).name)).toBe('pool1');
    expect((await conn.lookupStorageVolume('/pool1/vol1')).name).toBe('vol1');

    const made = await pool.createVolume("<volume><name>made</name><capacity unit='MiB'>8</capacity></volume>");
    expect(made.name).toBe('made');
    expect((await made.info()).capacity).toBe(8 * 2 ** 20);
    await made.resize(16 * 2 ** 20);
    expect((await made.info()).capacity).toBe(16 * 2 ** 20);

    // As libvirt's test driver, the clone takes its sizes from its own XML.
    const copy = await pool.cloneVolume("<volume><name>copy</name><capacity unit='MiB'>32</capacity></volume>", vol1);
    expect(copy.name).toBe('copy');
    expect((await copy.info()).capacity).toBe(32 * 2 ** 20);
    await copy.wipe();
    await copy.wipe({ algorithm: 1 });
    await copy.delete();
    expect((await pool.listVolumes()).map((v) => v.name).sort()).toEqual(['made', 'vol1']);
    const err = await virErrorOf(() => pool.lookupVolume('copy'));
    expect(err.code).toBe(ErrorNumber.VIR_ERR_NO_STORAGE_VOL);
  });

  it('a cancelled clone leaves no volume', async () => {
    conn = await node.open('16M');
    const pool = await conn.lookupStoragePool('pool1');
    const clone = pool.cloneVolume('<volume><name>copy</name><capacity>0</capacity></volume>', await pool.lookupVolume('vol1'));
    for await (const p of clone) if (p.processed > 0) clone.cancel();
    const err = await virErrorOf(() => clone);
    expect(err.code).toBe(ErrorNumber.VIR_ERR_OPERATION_ABORTED);
    expect((await pool.listVolumes()).map((v) => v.name)).toEqual(['vol1']);
  });
});
