import { describe, expect, it } from 'vitest';
import { virConnectClose } from '../../src/ts/api/connect.js';
import { virJobCancel, virJobFree, virJobGetInfo, virJobGetStorageVol, virJobWait } from '../../src/ts/api/job.js';
import {
  virConnectListAllStoragePools,
  virConnectListDefinedStoragePools,
  virConnectListStoragePools,
  virConnectNumOfDefinedStoragePools,
  virConnectNumOfStoragePools,
  virStoragePoolBuild,
  virStoragePoolCreate,
  virStoragePoolCreateXML,
  virStoragePoolDefineXML,
  virStoragePoolDelete,
  virStoragePoolDestroy,
  virStoragePoolFree,
  virStoragePoolGetAutostart,
  virStoragePoolGetConnect,
  virStoragePoolGetInfo,
  virStoragePoolGetName,
  virStoragePoolGetUUIDString,
  virStoragePoolGetXMLDesc,
  virStoragePoolIsActive,
  virStoragePoolIsPersistent,
  virStoragePoolListAllVolumes,
  virStoragePoolListVolumes,
  virStoragePoolLookupByName,
  virStoragePoolLookupByUUIDString,
  virStoragePoolLookupByVolume,
  virStoragePoolNumOfVolumes,
  virStoragePoolRef,
  virStoragePoolRefresh,
  virStoragePoolSetAutostart,
  virStoragePoolUndefine,
  virStorageVolCreateXML,
  virStorageVolCreateXMLFrom,
  virStorageVolCreateXMLFromJob,
  virStorageVolCreateXMLJob,
  virStorageVolDelete,
  virStorageVolFree,
  virStorageVolGetConnect,
  virStorageVolGetInfo,
  virStorageVolGetKey,
  virStorageVolGetName,
  virStorageVolGetPath,
  virStorageVolGetXMLDesc,
  virStorageVolLookupByKey,
  virStorageVolLookupByName,
  virStorageVolLookupByPath,
  virStorageVolRef,
  virStorageVolResize,
  virStorageVolWipe,
  virStorageVolWipeJob,
  virStorageVolWipePattern,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState } from '../../src/ts/jobs/job.js';
import { expectError, failure, now, open, until } from './helpers.js';

/**
 * Storage entry points on the test driver, checked against what libvirt 9.0 does (virsh transcripts 07, 08,
 * 09, 16, 27, errors.txt, and measurements with the real library: codes, error domains and messages are
 * libvirt's). Pools are in memory: 100 GiB each, allocation the sum of their volumes'.
 */
const { VIR_FROM_STORAGE, VIR_FROM_TEST } = ErrorDomain;
const E = ErrorNumber;
const GiB = 2 ** 30;
const POOL_UUID = 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566';
const RUNNING = 2;
const INACTIVE = 0;

/** What `virsh vol-create-as POOL NAME SIZE` sends. */
const volXML = (name: string, capacity: number, allocation?: number) =>
  `<volume>\n  <name>${name}</name>\n  <capacity>${capacity}</capacity>\n${
    allocation === undefined ? '' : `  <allocation>${allocation}</allocation>\n`
  }</volume>\n`;

const poolXML = (name: string, path: string, uuid?: string, type = 'dir') =>
  `<pool type='${type}'><name>${name}</name>${uuid ? `<uuid>${uuid}</uuid>` : ''}<target><path>${path}</path></target></pool>`;

async function defaultPool(uri?: string): Promise<{ conn: VirConnect; pool: VirStoragePool }> {
  const conn = await open(uri);
  return { conn, pool: now(virStoragePoolLookupByName(conn, 'default-pool')) };
}

const poolNames = (pools: VirStoragePool[]) => pools.map((p) => virStoragePoolGetName(p)).sort();
const volNames = (pool: VirStoragePool) => now(virStoragePoolListVolumes(pool, 100)).sort();

describe('the default pool (transcripts 07, 08, 09)', () => {
  it('is listed running, persistent, not autostarted, empty', async () => {
    const { conn, pool } = await defaultPool();
    expect(poolNames(now(virConnectListAllStoragePools(conn, 0)))).toEqual(['default-pool']);
    expect(virStoragePoolIsActive(pool)).toBe(true);
    expect(virStoragePoolIsPersistent(pool)).toBe(true);
    expect(virStoragePoolGetAutostart(pool)).toBe(false);
    expect(virStoragePoolGetUUIDString(pool)).toBe(POOL_UUID);
    expect(virStoragePoolGetInfo(pool)).toEqual({ state: RUNNING, capacity: 100 * GiB, allocation: 0, available: 100 * GiB });
    expect(now(virStoragePoolListAllVolumes(pool, 0))).toEqual([]);
    expect(virStoragePoolNumOfVolumes(pool)).toBe(0);
    expect(virConnectNumOfStoragePools(conn)).toBe(1);
    expect(virConnectListStoragePools(conn, 5)).toEqual(['default-pool']);
    expect(virConnectNumOfDefinedStoragePools(conn)).toBe(0);
    expect(virConnectListDefinedStoragePools(conn, 5)).toEqual([]);
  });

  it('dumps the XML virsh pool-dumpxml prints, byte for byte', async () => {
    const { pool } = await defaultPool();
    expect(virStoragePoolGetXMLDesc(pool, 0)).toBe(`<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>107374182400</available>
  <source>
  </source>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
`);
  });

  it('is found by UUID and by its volumes', async () => {
    const { conn, pool } = await defaultPool();
    expect(virStoragePoolGetName(now(virStoragePoolLookupByUUIDString(conn, POOL_UUID.toUpperCase())))).toBe('default-pool');
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1024), 0);
    expect(virStoragePoolGetName(now(virStoragePoolLookupByVolume(vol)))).toBe('default-pool');
  });
});

describe('volumes (transcript 16)', () => {
  it('creates, describes, clones, finds by path and deletes as virsh shows', async () => {
    const { conn, pool } = await defaultPool();
    const v1 = await virStorageVolCreateXML(pool, volXML('v1', GiB), 0);
    expect(virStorageVolGetName(v1)).toBe('v1');
    expect(virStorageVolGetKey(v1)).toBe('/default-pool/v1');
    expect(virStorageVolGetPath(v1)).toBe('/default-pool/v1');
    expect(volNames(pool)).toEqual(['v1']);
    expect(virStorageVolGetInfo(v1)).toEqual({ type: 0, capacity: GiB, allocation: GiB });
    const dumped = now(virStorageVolGetXMLDesc(v1, 0));
    expect(dumped).toBe(`<volume type='file'>
  <name>v1</name>
  <key>/default-pool/v1</key>
  <capacity unit='bytes'>1073741824</capacity>
  <allocation unit='bytes'>1073741824</allocation>
  <target>
    <path>/default-pool/v1</path>
    <format type='raw'/>
  </target>
</volume>
`);
    // virsh vol-clone sends the source's XML under the new name.
    const clone = await virStorageVolCreateXMLFrom(pool, dumped.replace('<name>v1</name>', '<name>v1-clone</name>'), v1, 0);
    expect(virStorageVolGetKey(clone)).toBe('/default-pool/v1-clone');
    expect(volNames(pool)).toEqual(['v1', 'v1-clone']);
    const byPath = now(virStorageVolLookupByPath(conn, '/default-pool/v1-clone'));
    expect(virStorageVolGetInfo(byPath)).toEqual({ type: 0, capacity: GiB, allocation: GiB });
    expect(virStoragePoolGetInfo(pool)).toEqual({ state: RUNNING, capacity: 100 * GiB, allocation: 2 * GiB, available: 98 * GiB });
    expect(await virStorageVolDelete(byPath, 0)).toBe(0);
    expect(volNames(pool)).toEqual(['v1']);
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: GiB, available: 99 * GiB });
  });

  it('defaults the allocation to the capacity, and keeps an explicit one, even above it', async () => {
    const { pool } = await defaultPool();
    const sparse = await virStorageVolCreateXML(pool, volXML('sparse', 200 * GiB, 0), 0);
    expect(virStorageVolGetInfo(sparse)).toEqual({ type: 0, capacity: 200 * GiB, allocation: 0 });
    const over = await virStorageVolCreateXML(pool, volXML('over', 100, 200), 0);
    expect(virStorageVolGetInfo(over)).toEqual({ type: 0, capacity: 100, allocation: 200 });
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: 200 });
  });

  it('places every volume at the pool path, keyed by its path, whatever the XML says', async () => {
    const { conn, pool } = await defaultPool();
    const xml = "<volume><name>kp</name><key>K</key><capacity>1</capacity><target><path>/elsewhere</path></target></volume>";
    const vol = await virStorageVolCreateXML(pool, xml, 0);
    expect(virStorageVolGetKey(vol)).toBe('/default-pool/kp');
    expect(virStorageVolGetName(now(virStorageVolLookupByKey(conn, '/default-pool/kp')))).toBe('kp');
    await expectError(() => virStorageVolLookupByKey(conn, 'K'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching key 'K'");
  });

  it('reports the volume type of the pool type', async () => {
    const conn = await open();
    const lvm = now(virStoragePoolCreateXML(conn, poolXML('p3', '/dev/p3', undefined, 'logical'), 0));
    const vol = await virStorageVolCreateXML(lvm, volXML('lv', 100), 0);
    expect(virStorageVolGetInfo(vol)).toEqual({ type: 1, capacity: 100, allocation: 100 }); // VIR_STORAGE_VOL_BLOCK
    expect(virStorageVolGetPath(vol)).toBe('/dev/p3/lv');
  });

  it('lists and names volumes with NumOf/List, up to maxnames', async () => {
    const { pool } = await defaultPool();
    for (const name of ['a', 'b', 'c']) await virStorageVolCreateXML(pool, volXML(name, 1), 0);
    expect(virStoragePoolNumOfVolumes(pool)).toBe(3);
    expect(now(virStoragePoolListVolumes(pool, 2))).toHaveLength(2);
    expect(now(virStoragePoolListAllVolumes(pool, 0)).map((v) => virStorageVolGetName(v)).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('resize (libvirt storage driver semantics; the 9.0 test driver has none)', () => {
  it('grows, shrinks only when asked, and never below the allocation', async () => {
    const { pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('r', 1000, 100), 0);
    expect(virStorageVolResize(vol, 2000, 0)).toBe(0);
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 2000, allocation: 100 });
    virStorageVolResize(vol, 500, 2); // delta
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 2500 });
    await expectError(() => virStorageVolResize(vol, 1000, 0), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      "invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified");
    virStorageVolResize(vol, 1000, 4); // shrink
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 1000 });
    virStorageVolResize(vol, 800, 2 | 4); // shrink by a delta
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 200 });
    await expectError(() => virStorageVolResize(vol, 50, 4), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      "invalid argument: can't shrink capacity below existing allocation");
    await expectError(() => virStorageVolResize(vol, 0, 1), E.VIR_ERR_INVALID_ARG, VIR_FROM_STORAGE,
      "capacity in virStorageVolResize cannot be zero without 'delta' or 'shrink' flags set");
  });

  it('allocates when asked, within the pool', async () => {
    const { pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('r', 1000, 100), 0);
    virStorageVolResize(vol, 4000, 1); // allocate
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 4000, allocation: 4000 });
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: 4000 });
    await expectError(() => virStorageVolResize(vol, 101 * GiB, 1), E.VIR_ERR_OPERATION_FAILED, VIR_FROM_TEST,
      'operation failed: Not enough space left in storage pool');
    await expectError(() => virStorageVolResize(vol, 1, 8), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x8) in function testStorageVolResize');
  });
});

describe('pools: definition and state (measured on libvirt 9.0)', () => {
  it('defines, starts, stops and undefines a pool, keeping its volumes across a restart', async () => {
    const conn = await open();
    const pool = now(virStoragePoolDefineXML(conn, poolXML('p1', '/p1', '11111111-1111-1111-1111-111111111111'), 0));
    expect(virStoragePoolIsActive(pool)).toBe(false);
    expect(virStoragePoolIsPersistent(pool)).toBe(true);
    expect(virStoragePoolGetInfo(pool)).toEqual({ state: INACTIVE, capacity: 100 * GiB, allocation: 0, available: 100 * GiB });
    expect(virConnectListDefinedStoragePools(conn, 5)).toEqual(['p1']);
    const list = (flags: number) => poolNames(now(virConnectListAllStoragePools(conn, flags)));
    expect(list(1)).toEqual(['p1']); // inactive
    expect(list(2)).toEqual(['default-pool']); // active
    expect(list(8)).toEqual([]); // transient
    expect(list(0x40)).toEqual(['default-pool', 'p1']); // dir
    expect(list(0x80)).toEqual([]); // fs
    expect(list(0x40 | 1)).toEqual(['p1']);
    expect(virStoragePoolBuild(pool, 0)).toBe(0);
    expect(virStoragePoolCreate(pool, 0)).toBe(0);
    expect(virStoragePoolIsActive(pool)).toBe(true);
    await virStorageVolCreateXML(pool, volXML('v', 100, 10), 0);
    expect(virStoragePoolRefresh(pool, 0)).toBe(0);
    expect(virStoragePoolDestroy(pool)).toBe(0);
    expect(virStoragePoolGetInfo(pool)).toEqual({ state: INACTIVE, capacity: 100 * GiB, allocation: 10, available: 100 * GiB - 10 });
    expect(virStoragePoolDelete(pool, 0)).toBe(0);
    virStoragePoolCreate(pool, 0);
    expect(volNames(pool)).toEqual(['v']);
    virStoragePoolDestroy(pool);
    expect(virStoragePoolUndefine(pool)).toBe(0);
    expect(list(0)).toEqual(['default-pool']);
  });

  it('creates transient pools: no autostart, gone once stopped', async () => {
    const conn = await open();
    const pool = now(virStoragePoolCreateXML(conn, poolXML('t', '/t'), 0));
    expect(virStoragePoolIsActive(pool)).toBe(true);
    expect(virStoragePoolIsPersistent(pool)).toBe(false);
    expect(virStoragePoolGetAutostart(pool)).toBe(false);
    await expectError(() => virStoragePoolSetAutostart(pool, true), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'invalid argument: pool has no config file');
    await expectError(() => virStoragePoolUndefine(pool), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST,
      "Requested operation is not valid: storage pool 't' is active");
    virStoragePoolDestroy(pool);
    await expectError(() => virStoragePoolIsActive(pool), E.VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST,
      `Storage pool not found: no storage pool with matching uuid '${virStoragePoolGetUUIDString(pool)}'`);
  });

  it('sets autostart on a persistent pool', async () => {
    const { conn, pool } = await defaultPool();
    expect(virStoragePoolSetAutostart(pool, 1)).toBe(0);
    expect(virStoragePoolGetAutostart(pool)).toBe(true);
    expect(poolNames(now(virConnectListAllStoragePools(conn, 16)))).toEqual(['default-pool']);
    expect(poolNames(now(virConnectListAllStoragePools(conn, 32)))).toEqual([]);
  });

  it('enforces one UUID per name, one name per UUID, one pool per directory', async () => {
    const conn = await open();
    const uuid = '11111111-1111-1111-1111-111111111111';
    now(virStoragePoolDefineXML(conn, poolXML('p1', '/p1', uuid), 0));
    // Redefining with the same name and UUID replaces the definition of an inactive pool.
    const again = now(virStoragePoolDefineXML(conn, poolXML('p1', '/p1b', uuid), 0));
    expect(now(virStoragePoolGetXMLDesc(again, 0))).toContain('<path>/p1b</path>');
    await expectError(() => virStoragePoolDefineXML(conn, poolXML('p1', '/x', '22222222-1111-1111-1111-111111111111'), 0),
      E.VIR_ERR_OPERATION_FAILED, VIR_FROM_STORAGE, `operation failed: pool 'p1' already exists with uuid ${uuid}`);
    await expectError(() => virStoragePoolDefineXML(conn, poolXML('p2', '/p2', uuid), 0), E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE, `operation failed: pool 'p1' is already defined with uuid ${uuid}`);
    await expectError(() => virStoragePoolCreateXML(conn, poolXML('p2', '/p2', uuid), 0), E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE, `operation failed: pool 'p1' is already defined with uuid ${uuid}`);
    await expectError(() => virStoragePoolDefineXML(conn, poolXML('dup', '/default-pool'), 0), E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE, "operation failed: Storage source conflict with pool: 'default-pool'");
    // Starting a defined pool from XML is allowed once; starting it again is not.
    now(virStoragePoolCreateXML(conn, poolXML('p1', '/p1', uuid), 0));
    await expectError(() => virStoragePoolCreateXML(conn, poolXML('p1', '/p1', uuid), 0), E.VIR_ERR_OPERATION_INVALID,
      VIR_FROM_STORAGE, "Requested operation is not valid: pool is already active as 'p1'");
  });

  it('refuses what the pool state does not allow', async () => {
    const { conn, pool } = await defaultPool();
    const isActive = "Requested operation is not valid: storage pool 'default-pool' is active";
    for (const call of [
      () => virStoragePoolBuild(pool, 0),
      () => virStoragePoolCreate(pool, 0),
      () => virStoragePoolUndefine(pool),
      () => virStoragePoolDelete(pool, 0),
    ])
      await expectError(call, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, isActive);
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1), 0);
    virStoragePoolDestroy(pool);
    const notActive = "Requested operation is not valid: storage pool 'default-pool' is not active";
    for (const call of [
      () => virStoragePoolDestroy(pool),
      () => virStoragePoolRefresh(pool, 0),
      () => virStorageVolLookupByName(pool, 'v'),
      () => virStorageVolGetInfo(vol),
      () => virStorageVolGetPath(vol),
      () => virStorageVolDelete(vol, 0),
      () => virStorageVolCreateXML(pool, volXML('z', 1), 0),
    ])
      await expectError(call, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, notActive);
    // libvirt words the full list's refusal without the name. NumOf/ListVolumes say it the same way here,
    // where libvirt names the pool: the driver table has one way to enumerate volumes.
    for (const call of [
      () => virStoragePoolListAllVolumes(pool, 0),
      () => virStoragePoolNumOfVolumes(pool),
      () => virStoragePoolListVolumes(pool, 10),
    ])
      await expectError(call, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, 'Requested operation is not valid: storage pool is not active');
    // An inactive pool's volumes are not found by key or path.
    await expectError(() => virStorageVolLookupByKey(conn, '/default-pool/v'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching key '/default-pool/v'");
  });

  it('reports a pool that went away by name or UUID, as each libvirt call looks it up', async () => {
    const { pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1), 0);
    virStoragePoolDestroy(pool);
    virStoragePoolUndefine(pool);
    const byName = "Storage pool not found: no storage pool with matching name 'default-pool'";
    const byUuid = `Storage pool not found: no storage pool with matching uuid '${POOL_UUID}'`;
    for (const call of [() => virStoragePoolIsActive(pool), () => virStoragePoolIsPersistent(pool), () => virStoragePoolListAllVolumes(pool, 0)])
      await expectError(call, E.VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST, byUuid);
    for (const call of [
      () => virStoragePoolGetInfo(pool),
      () => virStoragePoolGetXMLDesc(pool, 0),
      () => virStoragePoolCreate(pool, 0),
      () => virStoragePoolGetAutostart(pool),
      () => virStoragePoolSetAutostart(pool, 0),
      () => virStoragePoolLookupByVolume(vol),
      () => virStorageVolGetXMLDesc(vol, 0),
      () => virStorageVolCreateXMLFrom(pool, volXML('z', 1), vol, 0),
    ])
      await expectError(call, E.VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST, byName);
    expect(virStorageVolGetName(vol)).toBe('v');
    expect(virStorageVolGetKey(vol)).toBe('/default-pool/v');
  });

  it('reports a deleted volume by name', async () => {
    const { pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1), 0);
    virStorageVolDelete(vol, 0);
    const gone = "Storage volume not found: no storage vol with matching name 'v'";
    for (const call of [
      () => virStorageVolDelete(vol, 0),
      () => virStorageVolGetInfo(vol),
      () => virStorageVolGetPath(vol),
      () => virStorageVolGetXMLDesc(vol, 0),
      () => virStorageVolCreateXMLFrom(pool, volXML('c', 1), vol, 0),
    ])
      await expectError(call, E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST, gone);
    // The pool is still found through the handle, as libvirt finds it by the pool's name.
    expect(virStoragePoolGetName(now(virStoragePoolLookupByVolume(vol)))).toBe('default-pool');
  });
});

describe('errors, as libvirt 9.0 reports them (transcript 27, errors.txt)', () => {
  it('refuses a second volume of the same name, a volume too big, an unknown pool or volume', async () => {
    const { conn, pool } = await defaultPool();
    const v1 = await virStorageVolCreateXML(pool, volXML('v1', GiB), 0);
    await expectError(() => virStorageVolCreateXML(pool, volXML('v1', GiB), 0), E.VIR_ERR_OPERATION_FAILED, VIR_FROM_TEST,
      'operation failed: storage vol already exists');
    await expectError(() => virStorageVolCreateXML(pool, volXML('huge', 200 * GiB), 0), E.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST,
      "internal error: Not enough free space in pool for volume 'huge'");
    await expectError(() => virStoragePoolLookupByName(conn, 'nopool'), E.VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST,
      "Storage pool not found: no storage pool with matching name 'nopool'");
    await expectError(() => virStorageVolLookupByPath(conn, 'nosuchvol'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching path 'nosuchvol'");
    await expectError(() => virStorageVolLookupByName(pool, 'nosuch'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching name 'nosuch'");
    await expectError(() => virStorageVolCreateXMLFrom(pool, volXML('v1', 1), v1, 0), E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_TEST, 'operation failed: storage vol already exists');
    await expectError(() => virStorageVolCreateXMLFrom(pool, volXML('big', 200 * GiB), v1, 0), E.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_TEST, "internal error: Not enough free space in pool for volume 'big'");
    await expectError(() => virStoragePoolLookupByUUIDString(conn, '00000000-0000-0000-0000-000000000000'),
      E.VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST,
      "Storage pool not found: no storage pool with matching uuid '00000000-0000-0000-0000-000000000000'");
    // Nothing of the failed attempts stayed behind.
    expect(volNames(pool)).toEqual(['v1']);
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: GiB });
  });

  it('rejects a missing or freed connection, pool or volume with VIR_FROM_STORAGE', async () => {
    for (const [fn, call] of [
      ['virStoragePoolLookupByName', () => virStoragePoolLookupByName(null as never, 'x')],
      ['virConnectNumOfStoragePools', () => virConnectNumOfStoragePools(null as never)],
      ['virConnectListAllStoragePools', () => virConnectListAllStoragePools(null as never, 0)],
      ['virStorageVolLookupByKey', () => virStorageVolLookupByKey(null as never, 'x')],
      ['virStorageVolLookupByPath', () => virStorageVolLookupByPath(null as never, 'x')],
      ['virStoragePoolCreateXML', () => virStoragePoolCreateXML(null as never, 'x', 0)],
    ] as const)
      await expectError(call, E.VIR_ERR_INVALID_CONN, VIR_FROM_STORAGE, `invalid connection pointer in ${fn}`);
    for (const [fn, call] of [
      ['virStoragePoolGetName', () => virStoragePoolGetName(null as never)],
      ['virStorageVolLookupByName', () => virStorageVolLookupByName(null as never, 'x')],
      ['virStorageVolCreateXML', () => virStorageVolCreateXML(null as never, 'x', 0)],
      ['virStorageVolCreateXMLFrom', () => virStorageVolCreateXMLFrom(null as never, 'x', null as never, 0)],
      ['virStoragePoolFree', () => virStoragePoolFree(null as never)],
      ['virStoragePoolRef', () => virStoragePoolRef(null as never)],
      ['virStoragePoolGetConnect', () => virStoragePoolGetConnect(null as never)],
    ] as const)
      await expectError(call, E.VIR_ERR_INVALID_STORAGE_POOL, VIR_FROM_STORAGE, `invalid storage pool pointer in ${fn}`);
    const { pool } = await defaultPool();
    for (const [fn, call] of [
      ['virStorageVolGetName', () => virStorageVolGetName(null as never)],
      ['virStorageVolGetKey', () => virStorageVolGetKey(null as never)],
      ['virStorageVolGetConnect', () => virStorageVolGetConnect(null as never)],
      ['virStoragePoolLookupByVolume', () => virStoragePoolLookupByVolume(null as never)],
      ['virStorageVolWipe', () => virStorageVolWipe(null as never, 0)],
      ['virStorageVolFree', () => virStorageVolFree(null as never)],
      ['virStorageVolRef', () => virStorageVolRef(null as never)],
      ['virStorageVolCreateXMLFrom', () => virStorageVolCreateXMLFrom(pool, 'x', null as never, 0)],
    ] as const)
      await expectError(call, E.VIR_ERR_INVALID_STORAGE_VOL, VIR_FROM_STORAGE, `invalid storage volume pointer in ${fn}`);
    virStoragePoolFree(pool);
    await expectError(() => virStoragePoolGetInfo(pool), E.VIR_ERR_INVALID_STORAGE_POOL, VIR_FROM_STORAGE,
      'invalid storage pool pointer in virStoragePoolGetInfo');
  });

  it('checks arguments in libvirt words', async () => {
    const { conn, pool } = await defaultPool();
    const cases: [() => unknown, string][] = [
      [() => virStoragePoolLookupByName(conn, null as never), 'name in virStoragePoolLookupByName must not be NULL'],
      [() => virStoragePoolLookupByUUIDString(conn, null as never), 'uuidstr in virStoragePoolLookupByUUIDString must not be NULL'],
      [() => virStoragePoolLookupByUUIDString(conn, 'bad'), 'uuidstr in virStoragePoolLookupByUUIDString must be a valid UUID'],
      [() => virConnectListStoragePools(conn, -1), 'maxnames in virConnectListStoragePools must be zero or greater'],
      [() => virConnectListDefinedStoragePools(conn, -1), 'maxnames in virConnectListDefinedStoragePools must be zero or greater'],
      [() => virStoragePoolListVolumes(pool, -1), 'maxnames in virStoragePoolListVolumes must be zero or greater'],
      [() => virStoragePoolDefineXML(conn, null as never, 0), 'xml in virStoragePoolDefineXML must not be NULL'],
      [() => virStoragePoolCreateXML(conn, null as never, 0), 'xmlDesc in virStoragePoolCreateXML must not be NULL'],
      [() => virStorageVolLookupByName(pool, null as never), 'name in virStorageVolLookupByName must not be NULL'],
      [() => virStorageVolLookupByKey(conn, null as never), 'key in virStorageVolLookupByKey must not be NULL'],
      [() => virStorageVolLookupByPath(conn, null as never), 'path in virStorageVolLookupByPath must not be NULL'],
      [() => virStorageVolCreateXML(pool, null as never, 0), 'xmlDesc in virStorageVolCreateXML must not be NULL'],
    ];
    for (const [call, message] of cases) await expectError(call, E.VIR_ERR_INVALID_ARG, VIR_FROM_STORAGE, message);
    expect(virConnectListStoragePools(conn, 0)).toEqual([]);
  });

  it('refuses changes on a read-only connection, but not queries', async () => {
    const { conn, pool: rw } = await defaultPool();
    const rwVol = await virStorageVolCreateXML(rw, volXML('v', 1), 0);
    const ro = await open('test:///default', true);
    const pool = now(virStoragePoolLookupByName(ro, 'default-pool'));
    const vol = now(virStorageVolLookupByName(pool, 'v'));
    for (const [fn, call] of [
      ['virStoragePoolDefineXML', () => virStoragePoolDefineXML(ro, poolXML('p', '/p'), 0)],
      ['virStoragePoolCreateXML', () => virStoragePoolCreateXML(ro, poolXML('p', '/p'), 0)],
      ['virStoragePoolBuild', () => virStoragePoolBuild(pool, 0)],
      ['virStoragePoolCreate', () => virStoragePoolCreate(pool, 0)],
      ['virStoragePoolDestroy', () => virStoragePoolDestroy(pool)],
      ['virStoragePoolUndefine', () => virStoragePoolUndefine(pool)],
      ['virStoragePoolDelete', () => virStoragePoolDelete(pool, 0)],
      ['virStoragePoolRefresh', () => virStoragePoolRefresh(pool, 0)],
      ['virStoragePoolSetAutostart', () => virStoragePoolSetAutostart(pool, 1)],
      ['virStorageVolCreateXML', () => virStorageVolCreateXML(pool, volXML('w', 1), 0)],
      ['virStorageVolCreateXMLJob', () => virStorageVolCreateXMLJob(pool, volXML('w', 1), 0, 0)],
      ['virStorageVolCreateXMLFrom', () => virStorageVolCreateXMLFrom(pool, volXML('w', 1), vol, 0)],
      ['virStorageVolDelete', () => virStorageVolDelete(vol, 0)],
      ['virStorageVolWipe', () => virStorageVolWipe(vol, 0)],
      ['virStorageVolWipePattern', () => virStorageVolWipePattern(vol, 99, 0)],
      ['virStorageVolWipeJob', () => virStorageVolWipeJob(vol, 0, 0)],
      ['virStorageVolResize', () => virStorageVolResize(vol, 0, 0)],
    ] as const)
      await expectError(call, E.VIR_ERR_OPERATION_DENIED, VIR_FROM_STORAGE, `operation forbidden: read only access prevents ${fn}`);
    // libvirt checks the XML of a creation before write access, and of a definition after it.
    await expectError(() => virStorageVolCreateXML(pool, null as never, 0), E.VIR_ERR_INVALID_ARG, VIR_FROM_STORAGE,
      'xmlDesc in virStorageVolCreateXML must not be NULL');
    await expectError(() => virStoragePoolDefineXML(ro, null as never, 0), E.VIR_ERR_OPERATION_DENIED, VIR_FROM_STORAGE,
      'operation forbidden: read only access prevents virStoragePoolDefineXML');
    expect(virStorageVolGetInfo(vol)).toEqual(virStorageVolGetInfo(rwVol));
    expect(virStoragePoolGetInfo(pool)).toEqual(virStoragePoolGetInfo(rw));
    expect(virStorageVolGetConnect(vol)).toBe(ro);
    expect(virStoragePoolGetConnect(rw)).toBe(conn);
  });

  it('rejects flags the test driver does not know, naming its function', async () => {
    const { conn, pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1), 0);
    const cases: [() => unknown, string][] = [
      [() => virConnectListAllStoragePools(conn, 0x100000), 'unsupported flags (0x100000) in function testConnectListAllStoragePools'],
      [() => virStoragePoolGetXMLDesc(pool, 1), 'unsupported flags (0x1) in function testStoragePoolGetXMLDesc'],
      [() => virStoragePoolDefineXML(conn, poolXML('p', '/p'), 2), 'unsupported flags (0x2) in function testStoragePoolDefineXML'],
      [() => virStoragePoolCreateXML(conn, poolXML('p', '/p'), 1), 'unsupported flags (0x1) in function testStoragePoolCreateXML'],
      [() => virStoragePoolBuild(pool, 1), 'unsupported flags (0x1) in function testStoragePoolBuild'],
      [() => virStoragePoolCreate(pool, 1), 'unsupported flags (0x1) in function testStoragePoolCreate'],
      [() => virStoragePoolDelete(pool, 1), 'unsupported flags (0x1) in function testStoragePoolDelete'],
      [() => virStoragePoolRefresh(pool, 1), 'unsupported flags (0x1) in function testStoragePoolRefresh'],
      [() => virStoragePoolListAllVolumes(pool, 1), 'unsupported flags (0x1) in function testStoragePoolListAllVolumes'],
      [() => virStorageVolCreateXML(pool, volXML('w', 1), 1), 'unsupported flags (0x1) in function testStorageVolCreateXML'],
      [() => virStorageVolCreateXMLFrom(pool, volXML('w', 1), vol, 1), 'unsupported flags (0x1) in function testStorageVolCreateXMLFrom'],
      [() => virStorageVolGetXMLDesc(vol, 1), 'unsupported flags (0x1) in function testStorageVolGetXMLDesc'],
      [() => virStorageVolDelete(vol, 1), 'unsupported flags (0x1) in function testStorageVolDelete'],
      [() => virStorageVolWipe(vol, 1), 'unsupported flags (0x1) in function testStorageVolWipePattern'],
    ];
    for (const [call, message] of cases) await expectError(call, E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST, message);
    await expectError(() => virStorageVolWipePattern(vol, 10, 0), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'invalid argument: wiping algorithm 10 not supported');
  });

  it('passes the XML parser errors through and changes nothing', async () => {
    const { conn, pool } = await defaultPool();
    const noName = await failure(() => virStorageVolCreateXML(pool, '<volume><capacity>1024</capacity></volume>', 0));
    expect([noName.code, noName.domain, noName.message]).toEqual([E.VIR_ERR_XML_ERROR, VIR_FROM_STORAGE,
      'XML error: missing volume name element']);
    const malformed = await failure(() => virStoragePoolDefineXML(conn, "<pool type='dir'><name>x</name>", 0));
    expect([malformed.code, malformed.domain]).toEqual([E.VIR_ERR_XML_DETAIL, VIR_FROM_STORAGE]);
    expect(volNames(pool)).toEqual([]);
    expect(poolNames(now(virConnectListAllStoragePools(conn, 0)))).toEqual(['default-pool']);
  });
});

describe('references', () => {
  it('pool and volume handles hold their connection open until freed', async () => {
    const { conn, pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('v', 1), 0);
    expect(conn.refs).toBe(3);
    expect(virStorageVolRef(vol)).toBe(0);
    expect(virStoragePoolRef(pool)).toBe(0);
    virStorageVolFree(vol);
    virStoragePoolFree(pool);
    virConnectClose(conn);
    expect(conn.alive).toBe(true);
    virStorageVolFree(vol);
    expect(conn.alive).toBe(true);
    virStoragePoolFree(pool);
    expect(conn.alive).toBe(false);
    await expectError(() => virStorageVolGetName(vol), E.VIR_ERR_INVALID_STORAGE_VOL, VIR_FROM_STORAGE,
      'invalid storage volume pointer in virStorageVolGetName');
  });
});

describe('creating, cloning and wiping volumes are jobs', () => {
  /** 256 MiB/s: a 1 GiB volume takes four seconds, plenty of time to watch and cancel. */
  const slow = () => defaultPool(`test:///default?rate=${256 * 2 ** 20}`);

  it('a volume being created is hidden, reserves its name and space, and blocks stopping its pool', async () => {
    const { conn, pool } = await slow();
    const job = now(virStorageVolCreateXMLJob(pool, volXML('v1', GiB), 0, 0));
    await until(() => job.processed > 0);
    const info = virJobGetInfo(job);
    expect(info.state).toBe(JobState.RUNNING);
    expect(info.dataTotal).toBe(GiB);
    expect(info.percentComplete).toBeLessThan(100);
    expect(virJobGetStorageVol(job)).toBeNull();
    expect(volNames(pool)).toEqual([]);
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: 0 });
    await expectError(() => virStorageVolLookupByName(pool, 'v1'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching name 'v1'");
    await expectError(() => virStorageVolLookupByPath(conn, '/default-pool/v1'), E.VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST,
      "Storage volume not found: no storage vol with matching path '/default-pool/v1'");
    await expectError(() => virStorageVolCreateXMLJob(pool, volXML('v1', 1), 0, 0), E.VIR_ERR_OPERATION_FAILED, VIR_FROM_TEST,
      'operation failed: storage vol already exists');
    await expectError(() => virStorageVolCreateXMLJob(pool, volXML('v2', 99.5 * GiB), 0, 0), E.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_TEST, "internal error: Not enough free space in pool for volume 'v2'");
    for (const call of [() => virStoragePoolDestroy(pool), () => virStoragePoolRefresh(pool, 0)])
      await expectError(call, E.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST,
        "internal error: pool 'default-pool' has asynchronous jobs running.");
    virJobCancel(job);
    await virJobWait(job);
    expect(job.state).toBe(JobState.CANCELLED);
    expect([job.error!.code, job.error!.domain, job.error!.message]).toEqual([E.VIR_ERR_OPERATION_ABORTED, VIR_FROM_TEST,
      'operation aborted: volume create job: canceled by client']);
    // Cancel leaves nothing: the name and the space are free again.
    expect(virJobGetStorageVol(job)).toBeNull();
    expect(volNames(pool)).toEqual([]);
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: 0, available: 100 * GiB });
    virJobFree(job);
    const again = now(virStorageVolCreateXMLJob(pool, volXML('v1', 1), 0, 0));
    await virJobWait(again);
    expect(again.state).toBe(JobState.COMPLETED);
    virJobFree(again);
  }, 20_000);

  it('completes with the volume, which the job hands out', async () => {
    const { pool } = await defaultPool(`test:///default?rate=${16 * 2 ** 20}`);
    const job = now(virStorageVolCreateXMLJob(pool, volXML('v1', 4 * 2 ** 20), 0, 0));
    await virJobWait(job);
    expect(job.state).toBe(JobState.COMPLETED);
    expect(virJobGetInfo(job)).toMatchObject({ percentComplete: 100, dataProcessed: 4 * 2 ** 20 });
    const vol = virJobGetStorageVol(job)!;
    expect(virStorageVolGetName(vol)).toBe('v1');
    expect(virStorageVolGetPath(vol)).toBe('/default-pool/v1');
    virStorageVolFree(vol);
    virJobFree(job);
    expect(volNames(pool)).toEqual(['v1']);
  });

  it('concurrent creations run side by side and share the pool: what does not fit is refused at once', async () => {
    const { pool } = await defaultPool(`test:///default?rate=${64 * 2 ** 20}`);
    const small = ['a', 'b', 'c'].map((name) => now(virStorageVolCreateXMLJob(pool, volXML(name, 8 * 2 ** 20), 0, 0)));
    const big = now(virStorageVolCreateXMLJob(pool, volXML('big', 60 * GiB), 0, 0));
    await expectError(() => virStorageVolCreateXMLJob(pool, volXML('too-big', 40 * GiB), 0, 0), E.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_TEST, "internal error: Not enough free space in pool for volume 'too-big'");
    await Promise.all(small.map((job) => virJobWait(job)));
    expect(small.map((job) => job.state)).toEqual(small.map(() => JobState.COMPLETED));
    expect(big.state).toBe(JobState.RUNNING);
    virJobCancel(big);
    await virJobWait(big);
    for (const job of [...small, big]) virJobFree(job);
    expect(volNames(pool)).toEqual(['a', 'b', 'c']);
    expect(virStoragePoolGetInfo(pool)).toMatchObject({ allocation: 24 * 2 ** 20 });
  });

  it('a clone copies the source allocation and keeps the source busy while it reads it', async () => {
    const { pool } = await defaultPool();
    const source = await virStorageVolCreateXML(pool, volXML('src', GiB, GiB / 2), 0);
    const slowConn = await open(`test:///default?rate=${128 * 2 ** 20}`);
    const slowPool = now(virStoragePoolLookupByName(slowConn, 'default-pool'));
    const job = now(virStorageVolCreateXMLFromJob(slowPool, volXML('copy', GiB, 0), source, 0, 0));
    expect(virJobGetInfo(job).dataTotal).toBe(GiB / 2);
    await until(() => job.processed > 0);
    const inUse = "Requested operation is not valid: volume 'src' is still in use.";
    for (const call of [
      () => virStorageVolDelete(source, 0),
      () => virStorageVolWipeJob(source, 0, 0),
      () => virStorageVolResize(source, 2 * GiB, 0),
      () => virStorageVolCreateXMLFromJob(slowPool, volXML('copy2', 1), source, 0, 0),
    ])
      await expectError(call, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, inUse);
    virJobCancel(job);
    await virJobWait(job);
    expect(job.state).toBe(JobState.CANCELLED);
    expect(volNames(pool)).toEqual(['src']);
    virJobFree(job);
    // Free again once the job is over.
    const copy = await virStorageVolCreateXMLFrom(pool, volXML('copy', GiB, 0), source, 0);
    expect(virStorageVolGetInfo(copy)).toEqual({ type: 0, capacity: GiB, allocation: 0 });
    expect(await virStorageVolDelete(source, 0)).toBe(0);
  }, 20_000);

  it('a wipe moves the capacity, holds the volume, and a cancelled wipe keeps it', async () => {
    const { pool } = await slow();
    const vol = await virStorageVolCreateXML(pool, volXML('w', GiB, 0), 0);
    const job = now(virStorageVolWipeJob(vol, 0, 0));
    expect(virJobGetInfo(job).dataTotal).toBe(GiB);
    const held = virJobGetStorageVol(job)!;
    expect(virStorageVolGetName(held)).toBe('w');
    virStorageVolFree(held);
    await until(() => job.processed > 0);
    await expectError(() => virStorageVolDelete(vol, 0), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST,
      "Requested operation is not valid: volume 'w' is still in use.");
    await expectError(() => virStorageVolWipe(vol, 0), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST,
      "Requested operation is not valid: volume 'w' is still in use.");
    virJobCancel(job);
    await virJobWait(job);
    expect([job.state, job.error!.message]).toEqual([JobState.CANCELLED, 'operation aborted: volume wipe job: canceled by client']);
    expect(volNames(pool)).toEqual(['w']);
    virJobFree(job);
  }, 20_000);

  it('the blocking wipes return 0 when done', async () => {
    const { pool } = await defaultPool();
    const vol = await virStorageVolCreateXML(pool, volXML('w', 1024), 0);
    expect(await virStorageVolWipe(vol, 0)).toBe(0);
    expect(await virStorageVolWipePattern(vol, 8, 0)).toBe(0); // VIR_STORAGE_VOL_WIPE_ALG_RANDOM
    expect(virStorageVolGetInfo(vol)).toEqual({ type: 0, capacity: 1024, allocation: 1024 });
  });

  it('freeing every handle while a job runs is safe: the job holds what it needs', async () => {
    const { conn, pool } = await defaultPool(`test:///default?rate=${64 * 2 ** 20}`);
    const job = now(virStorageVolCreateXMLJob(pool, volXML('v', 16 * 2 ** 20), 0, 0));
    virStoragePoolFree(pool);
    virConnectClose(conn);
    expect(conn.alive).toBe(true);
    await virJobWait(job);
    const vol = virJobGetStorageVol(job)!;
    expect(virStorageVolGetInfo(vol)).toMatchObject({ capacity: 16 * 2 ** 20 });
    virStorageVolFree(vol);
    virJobFree(job);
    expect(conn.alive).toBe(false);
  });
});
