import { afterEach, describe, expect, it } from 'vitest';
import * as virt from '../../src/ts/libvirt.js';
import { ErrorNumber } from '../../src/ts/errors/index.js';

/**
 * tsvirt/libvirt: libvirt's calling convention over the entry points — NULL or -1 and the last error on
 * failure, out-parameters as return values, Promises for functions whose libvirt twin blocks.
 */
const quiet = () => virt.virSetErrorFunc(null, () => {});
afterEach(() => virt.virSetErrorFunc(null, null));

describe('the C-style API', () => {
  it('reports failures as libvirt does: a failure value, the last error, the connection error and the callback', () => {
    const seen: string[] = [];
    virt.virSetErrorFunc('data', (data, err) => seen.push(`${data}:${err.message}`));
    const conn = virt.virConnectOpen('test:///default')!;
    expect(virt.virDomainLookupByName(conn, 'nosuch')).toBeNull();
    expect(virt.virGetLastErrorCode()).toBe(ErrorNumber.VIR_ERR_NO_DOMAIN);
    expect(virt.virGetLastErrorMessage()).toBe('Domain not found');
    expect(virt.virConnGetLastError(conn)?.message).toBe('Domain not found');
    expect(seen).toEqual(['data:Domain not found']);
    // A successful call resets the last error, as every libvirt entry point does.
    expect(virt.virConnectGetType(conn)).toBe('TEST');
    expect(virt.virGetLastError()).toBeNull();
    expect(virt.virConnectClose(conn)).toBe(0);
  });

  it('prints to stderr by default, in libvirt words', () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      expect(virt.virConnectOpen('bogus:///nothing')).toBeNull();
    } finally {
      process.stderr.write = write;
    }
    // Measured: real libvirt 9.0 prints exactly this line for the same call.
    expect(written.join('')).toBe("libvirt: XML-RPC error : Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n");
  });

  it('covers networks and storage with the same convention', async () => {
    quiet();
    const conn = virt.virConnectOpen('test:///default?rate=0')!;
    const net = virt.virNetworkLookupByName(conn, 'default')!;
    expect(virt.virNetworkIsActive(net)).toBe(1);
    expect(virt.virNetworkGetBridgeName(net)).toBe('virbr0');
    expect(virt.virNetworkLookupByName(conn, 'nosuch')).toBeNull();
    expect(virt.virGetLastErrorMessage()).toBe("Network not found: no network with matching name 'nosuch'");
    const pool = virt.virStoragePoolLookupByName(conn, 'default-pool')!;
    const vol = await virt.virStorageVolCreateXML(pool, "<volume><name>v</name><capacity unit='M'>1</capacity></volume>", 0);
    expect(vol && virt.virStorageVolGetPath(vol)).toBe('/default-pool/v');
    expect(virt.virStoragePoolNumOfVolumes(pool)).toBe(1);
    expect(await virt.virStorageVolCreateXML(pool, "<volume><name>v</name><capacity>1</capacity></volume>", 0)).toBeNull();
    expect(virt.virGetLastErrorMessage()).toBe('operation failed: storage vol already exists');
    expect(virt.virStorageVolDelete(vol!, 0)).toBe(0);
    for (const h of [vol!]) virt.virStorageVolFree(h);
    virt.virStoragePoolFree(pool);
    virt.virNetworkFree(net);
    expect(virt.virConnectClose(conn)).toBe(0);
  });

  it('blocking twins resolve with libvirt values and jobs run beside them', async () => {
    quiet();
    const conn = virt.virConnectOpen('test:///default?rate=0')!;
    const dom = virt.virDomainLookupByName(conn, 'test')!;
    expect(virt.virDomainGetInfo(dom)).toMatchObject({ state: 1, maxMem: 8388608 });
    expect(await virt.virDomainCoreDump(dom, '/nonexistent-dir/core', 0)).toBe(-1);
    expect(virt.virGetLastErrorMessage()).toBe("domain 'test' coredump: failed to open /nonexistent-dir/core: No such file or directory");
    const job = virt.virDomainRestoreJob(conn, '/nonexistent.save', 0)!;
    expect(await virt.virJobWait(job)).toBe(virt.VIR_JOB_FAILED);
    expect(virt.virJobGetError(job)?.message).toBe("cannot read domain image '/nonexistent.save': No such file or directory");
    const other = virt.virConnectOpen('test:///default')!;
    expect(virt.virJobLookupByID(other, virt.virJobGetID(job))).toBe(job);
    expect(virt.virJobFree(job)).toBe(0);
    expect(virt.virConnectListAllJobs(other, virt.VIR_CONNECT_LIST_JOBS_RUNNING)?.length).toBe(0);
    expect(virt.virJobLookupByID(other, 0)).toBeNull();
    expect(virt.virGetLastErrorMessage()).toBe('id in virJobLookupByID must be greater than zero');
    virt.virConnectClose(other);
    expect(virt.virJobFree(job)).toBe(0);
    expect(virt.virJobFree(job)).toBe(-1); // a double free is an error, not a crash
    expect(virt.virJobGetID(job)).toBe(-1);
    expect(virt.virGetLastErrorMessage()).toBe('invalid job pointer in virJobGetID');
    virt.virDomainFree(dom);
    virt.virConnectClose(conn);
  });
});
