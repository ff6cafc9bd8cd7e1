import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virConnectGetType, virConnectGetURI, virConnectOpen, virNodeGetInfo } from '../../src/ts/api/connect.js';
import { virConnectListAllDomains, virDomainLookupByName } from '../../src/ts/api/domain.js';
import {
  virConnectListAllStoragePools,
  virStoragePoolBuild,
  virStoragePoolCreate,
  virStoragePoolCreateXML,
  virStoragePoolDefineXML,
  virStoragePoolDelete,
  virStoragePoolDestroy,
  virStoragePoolGetAutostart,
  virStoragePoolGetInfo,
  virStoragePoolGetXMLDesc,
  virStoragePoolIsActive,
  virStoragePoolIsPersistent,
  virStoragePoolLookupByName,
  virStoragePoolLookupByUUIDString,
  virStoragePoolRefresh,
  virStoragePoolSetAutostart,
  virStoragePoolUndefine,
} from '../../src/ts/api/storage.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { closeAll, expectVirError, openEmbed, poolXml, tempDir } from './helpers.js';

const { VIR_FROM_STORAGE, VIR_FROM_NONE, VIR_FROM_URI } = ErrorDomain;
const E = ErrorNumber;
const UUID = '3c1c9a09-16f9-4de7-9be6-585322f4dec5';

let root: string;
let cleanup: () => Promise<void>;
const open: VirConnect[] = [];

async function connect(at = root): Promise<VirConnect> {
  const conn = await openEmbed(at);
  open.push(conn);
  return conn;
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('pools'));
});
afterAll(async () => {
  closeAll(...open);
  await cleanup();
});

describe('tsvirt URIs', () => {
  it('open the embedded driver under root, and report it', async () => {
    const conn = await connect();
    expect(virConnectGetURI(conn)).toBe(`tsvirt:///embed?root=${root}`);
    expect(virConnectGetType(conn)).toBe('TSVIRT');
    expect(existsSync(join(root, 'storage', 'autostart'))).toBe(true);
    expect(readFileSync(join(root, 'run', 'boot-id'), 'utf8')).toBe(
      readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    );
  });

  it('refuse an embed URI without root or with a relative one, as libvirt does', async () => {
    await expectVirError(() => virConnectOpen('tsvirt:///embed'), E.VIR_ERR_INVALID_ARG, VIR_FROM_URI, "invalid argument: Missing URI parameter 'root'");
    await expectVirError(
      () => virConnectOpen('tsvirt:///embed?root=rel/dir'),
      E.VIR_ERR_CONFIG_UNSUPPORTED,
      VIR_FROM_NONE,
      'unsupported configuration: root path must be absolute',
    );
    await expectVirError(
      () => virConnectOpen('tsvirt:///system'),
      E.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_NONE,
      "internal error: unexpected tsvirt URI path '/system', try tsvirt:///session",
    );
  });

  it('keep tsvirt:///session state where TSVIRT_STATE_DIR says', async () => {
    const { dir, cleanup: done } = await tempDir('session');
    const saved = process.env.TSVIRT_STATE_DIR;
    process.env.TSVIRT_STATE_DIR = dir;
    try {
      const conn = await virConnectOpen('tsvirt:///session');
      open.push(conn);
      expect(virConnectGetURI(conn)).toBe('tsvirt:///session');
      await virStoragePoolDefineXML(conn, poolXml('s1', join(dir, 'images')), 0);
      expect(existsSync(join(dir, 'storage', 's1.xml'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.TSVIRT_STATE_DIR;
      else process.env.TSVIRT_STATE_DIR = saved;
      await done();
    }
  });

  it('have a host and no domains', async () => {
    const conn = await connect();
    const info = await virNodeGetInfo(conn);
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memory).toBeGreaterThan(0);
    expect(info.nodes * info.sockets * info.cores * info.threads).toBe(info.cpus);
    expect(await virConnectListAllDomains(conn, 0)).toEqual([]);
    await expectVirError(
      () => virDomainLookupByName(conn, 'vm1'),
      E.VIR_ERR_NO_DOMAIN,
      ErrorDomain.VIR_FROM_DOMAIN,
      "Domain not found: no domain with matching name 'vm1'",
    );
  });
});

describe('pool lifecycle', () => {
  it('persists across connections: define, build, start, autostart, destroy, delete, undefine', async () => {
    const dir = join(root, 'images-a');
    let conn = await connect();
    let pool = await virStoragePoolDefineXML(conn, poolXml('a', dir, `<uuid>${UUID}</uuid>`), 0);
    expect(await virStoragePoolIsActive(pool)).toBe(false);
    expect(await virStoragePoolIsPersistent(pool)).toBe(true);
    expect(await virStoragePoolGetInfo(pool)).toEqual({ state: 0, capacity: 0, allocation: 0, available: 0 });

    await expectVirError(
      () => virStoragePoolCreate(pool, 0),
      E.VIR_ERR_SYSTEM_ERROR,
      VIR_FROM_NONE,
      `cannot open directory '${dir}': No such file or directory`,
    );
    await virStoragePoolBuild(pool, 0);
    expect(statSync(dir).mode & 0o7777).toBe(0o711);
    await virStoragePoolCreate(pool, 0);
    await virStoragePoolSetAutostart(pool, true);
    expect(readlinkSync(join(root, 'storage', 'autostart', 'a.xml'))).toBe('../a.xml');

    // A second connection (a new process would see the same) finds the pool running.
    conn = await connect();
    pool = await virStoragePoolLookupByUUIDString(conn, UUID);
    expect(pool.name).toBe('a');
    expect(await virStoragePoolIsActive(pool)).toBe(true);
    expect(await virStoragePoolGetAutostart(pool)).toBe(true);
    const info = await virStoragePoolGetInfo(pool);
    expect(info.state).toBe(2);
    expect(info.capacity).toBeGreaterThan(info.available);
    const xml = await virStoragePoolGetXMLDesc(pool, 0);
    expect(xml).toContain(`<capacity unit='bytes'>${info.capacity}</capacity>`);
    expect(xml).toContain('<mode>0711</mode>');

    await expectVirError(
      () => virStoragePoolCreate(pool, 0),
      E.VIR_ERR_OPERATION_INVALID,
      VIR_FROM_STORAGE,
      "Requested operation is not valid: storage pool 'a' is already active",
    );
    for (const change of [() => virStoragePoolUndefine(pool), () => virStoragePoolDelete(pool, 0)])
      await expectVirError(change, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_STORAGE, "Requested operation is not valid: storage pool 'a' is still active");
    await expectVirError(() => virStoragePoolBuild(pool, 0), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_STORAGE, "Requested operation is not valid: storage pool 'a' is already active");

    await virStoragePoolDestroy(pool);
    conn = await connect();
    pool = await virStoragePoolLookupByName(conn, 'a');
    expect(await virStoragePoolIsActive(pool)).toBe(false);
    for (const change of [() => virStoragePoolDestroy(pool), () => virStoragePoolRefresh(pool, 0)])
      await expectVirError(change, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_STORAGE, "Requested operation is not valid: storage pool 'a' is not active");

    await writeFile(join(dir, 'keep'), 'x');
    await expectVirError(
      () => virStoragePoolDelete(pool, 0),
      E.VIR_ERR_SYSTEM_ERROR,
      VIR_FROM_STORAGE,
      `failed to remove pool '${dir}': Directory not empty`,
    );
    rmSync(join(dir, 'keep'));
    await virStoragePoolDelete(pool, 0);
    expect(existsSync(dir)).toBe(false);
    await virStoragePoolUndefine(pool);
    expect(existsSync(join(root, 'storage', 'a.xml'))).toBe(false);
    expect(existsSync(join(root, 'storage', 'autostart', 'a.xml'))).toBe(false);

    conn = await connect();
    await expectVirError(
      () => virStoragePoolLookupByName(conn, 'a'),
      E.VIR_ERR_NO_STORAGE_POOL,
      VIR_FROM_STORAGE,
      "Storage pool not found: no storage pool with matching name 'a'",
    );
  });

  it('autostarts pools on the first start of a boot, and only pools whose directory exists', async () => {
    const { dir: state, cleanup: done } = await tempDir('autostart');
    try {
      let conn = await connect(state);
      const good = await virStoragePoolDefineXML(conn, poolXml('good', join(state, 'good')), 0);
      await virStoragePoolBuild(good, 0);
      await virStoragePoolSetAutostart(good, true);
      const gone = await virStoragePoolDefineXML(conn, poolXml('gone', join(state, 'gone')), 0);
      await virStoragePoolSetAutostart(gone, true);
      expect(await virStoragePoolIsActive(good)).toBe(false);
      closeAll(conn);

      // A reboot: the run state of the previous boot no longer counts.
      await writeFile(join(state, 'run', 'boot-id'), 'another-boot');
      conn = await connect(state);
      expect(await virStoragePoolIsActive(await virStoragePoolLookupByName(conn, 'good'))).toBe(true);
      expect(await virStoragePoolIsActive(await virStoragePoolLookupByName(conn, 'gone'))).toBe(false);

      // Within the boot, a pool stopped by hand stays stopped for later connections.
      await virStoragePoolDestroy(await virStoragePoolLookupByName(conn, 'good'));
      conn = await connect(state);
      expect(await virStoragePoolIsActive(await virStoragePoolLookupByName(conn, 'good'))).toBe(false);
    } finally {
      await done();
    }
  });

  it('keeps a running pool on its definition until it restarts', async () => {
    const conn = await connect();
    const dir1 = join(root, 'redef-1');
    const dir2 = join(root, 'redef-2');
    await mkdir(dir1);
    await mkdir(dir2);
    const pool = await virStoragePoolDefineXML(conn, poolXml('redef', dir1, `<uuid>${UUID.replace('3c', '4c')}</uuid>`), 0);
    await virStoragePoolCreate(pool, 0);
    await virStoragePoolDefineXML(conn, poolXml('redef', dir2, `<uuid>${UUID.replace('3c', '4c')}</uuid>`), 0);
    expect(await virStoragePoolGetXMLDesc(pool, 0)).toContain(`<path>${dir1}</path>`);
    expect(await virStoragePoolGetXMLDesc(pool, 1)).toContain(`<path>${dir2}</path>`);
    await virStoragePoolDestroy(pool);
    await virStoragePoolCreate(pool, 0);
    expect(await virStoragePoolGetXMLDesc(pool, 0)).toContain(`<path>${dir2}</path>`);
    await virStoragePoolDestroy(pool);
    await virStoragePoolUndefine(pool);
  });

  it('runs transient pools until they stop, and refuses autostart for them', async () => {
    const conn = await connect();
    const dir = join(root, 'transient');
    const pool = await virStoragePoolCreateXML(conn, poolXml('t1', dir), 1);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(await virStoragePoolIsPersistent(pool)).toBe(false);
    expect(await virStoragePoolGetAutostart(pool)).toBe(false);
    await expectVirError(() => virStoragePoolSetAutostart(pool, true), E.VIR_ERR_INTERNAL_ERROR, VIR_FROM_STORAGE, 'internal error: pool has no config file');
    const names = async (flags: number) => (await virConnectListAllStoragePools(conn, flags)).map((p) => p.name);
    expect(await names(8)).toContain('t1'); // TRANSIENT
    expect(await names(4)).not.toContain('t1'); // PERSISTENT
    expect(await names(1)).not.toContain('t1'); // INACTIVE
    expect(await names(128)).toEqual([]); // FS pools: none here
    await virStoragePoolDestroy(pool);
    await expectVirError(
      () => virStoragePoolLookupByName(conn, 't1'),
      E.VIR_ERR_NO_STORAGE_POOL,
      VIR_FROM_STORAGE,
      "Storage pool not found: no storage pool with matching name 't1'",
    );
    await rmdir(dir);
  });

  it('refuses duplicates, shared directories and what a directory pool cannot be', async () => {
    const conn = await connect();
    const dir = join(root, 'dup');
    await virStoragePoolDefineXML(conn, poolXml('dup', dir, `<uuid>${UUID.replace('3c', '5c')}</uuid>`), 0);
    await expectVirError(
      () => virStoragePoolDefineXML(conn, poolXml('dup', join(root, 'other')), 0),
      E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE,
      `operation failed: pool 'dup' already exists with uuid ${UUID.replace('3c', '5c')}`,
    );
    await expectVirError(
      () => virStoragePoolDefineXML(conn, poolXml('dup2', join(root, 'other'), `<uuid>${UUID.replace('3c', '5c')}</uuid>`), 0),
      E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE,
      `operation failed: pool 'dup' is already defined with uuid ${UUID.replace('3c', '5c')}`,
    );
    await expectVirError(
      () => virStoragePoolDefineXML(conn, poolXml('dup3', `${dir}/`), 0),
      E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_STORAGE,
      "operation failed: Storage source conflict with pool: 'dup'",
    );
    await expectVirError(
      () => virStoragePoolDefineXML(conn, poolXml('rel', 'images'), 0),
      E.VIR_ERR_XML_ERROR,
      VIR_FROM_STORAGE,
      "XML error: storage pool target path 'images' must be absolute",
    );
    await expectVirError(
      () => virStoragePoolDefineXML(conn, "<pool type='logical'><name>lv</name><source><name>vg</name></source><target><path>/dev/vg</path></target></pool>", 0),
      E.VIR_ERR_INTERNAL_ERROR,
      VIR_FROM_STORAGE,
      'internal error: missing backend for pool type 3 (logical)',
    );
    await expectVirError(
      () => virStoragePoolDefineXML(conn, poolXml('flags', join(root, 'f')), 2),
      E.VIR_ERR_INVALID_ARG,
      VIR_FROM_STORAGE,
      'unsupported flags (0x2) in function storagePoolDefineXML',
    );
    const pool = await virStoragePoolLookupByName(conn, 'dup');
    await expectVirError(
      () => virStoragePoolBuild(pool, 8 | 4),
      E.VIR_ERR_INVALID_ARG,
      VIR_FROM_STORAGE,
      "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and 'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive",
    );
    await expectVirError(
      () => virStoragePoolBuild(pool, 8),
      E.VIR_ERR_OPERATION_INVALID,
      VIR_FROM_STORAGE,
      "Requested operation is not valid: No source device specified when formatting pool 'dup'",
    );
    await expectVirError(
      () => virStoragePoolBuild(pool, 1),
      E.VIR_ERR_INVALID_ARG,
      VIR_FROM_STORAGE,
      'unsupported flags (0x1) in function virStorageBackendFileSystemBuild',
    );
    await virStoragePoolUndefine(pool);
  });

  it('stops a pool whose directory went away when it is refreshed', async () => {
    const conn = await connect();
    const dir = join(root, 'vanishing');
    const pool = await virStoragePoolCreateXML(conn, poolXml('vanishing', dir), 1);
    await rmdir(dir);
    await expectVirError(
      () => virStoragePoolRefresh(pool, 0),
      E.VIR_ERR_SYSTEM_ERROR,
      VIR_FROM_NONE,
      `cannot open directory '${dir}': No such file or directory`,
    );
    await expectVirError(
      () => virStoragePoolLookupByName(conn, 'vanishing'),
      E.VIR_ERR_NO_STORAGE_POOL,
      VIR_FROM_STORAGE,
      "Storage pool not found: no storage pool with matching name 'vanishing'",
    );
  });

  it('skips a damaged definition file instead of failing every call', async () => {
    const { dir: state, cleanup: done } = await tempDir('damaged');
    try {
      const conn = await connect(state);
      await virStoragePoolDefineXML(conn, poolXml('fine', join(state, 'fine')), 0);
      await writeFile(join(state, 'storage', 'broken.xml'), '<pool type=');
      await writeFile(join(state, 'storage', 'renamed.xml'), poolXml('other-name', join(state, 'x')));
      expect((await virConnectListAllStoragePools(conn, 0)).map((p) => p.name)).toEqual(['fine']);
      expect(lstatSync(join(state, 'storage', 'fine.xml')).mode & 0o777).toBe(0o600);
    } finally {
      await done();
    }
  });
});
