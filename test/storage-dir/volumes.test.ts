import { existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  virStoragePoolListAllVolumes,
  virStorageVolCreateXML,
  virStorageVolDelete,
  virStorageVolGetInfo,
  virStorageVolGetPath,
  virStorageVolGetXMLDesc,
  virStorageVolLookupByKey,
  virStorageVolLookupByName,
  virStorageVolLookupByPath,
  virStorageVolResize,
  virStorageVolWipePattern,
  virStoragePoolLookupByVolume,
  virStoragePoolDestroy,
  virStoragePoolCreate,
} from '../../src/ts/api/storage.js';
import type { VirConnect, VirStoragePool } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { expectAllocation, expectVirError, makeFile, MiB, openImagesPool, partialFiles, volXml } from './helpers.js';

const FROM = ErrorDomain.VIR_FROM_STORAGE;
const E = ErrorNumber;
const ALLOCATE = 1;
const DELTA = 2;
const SHRINK = 4;

let root: string;
let close: () => Promise<void>;
let conn: VirConnect;
let pool: VirStoragePool;
let dir: string;

beforeAll(async () => {
  ({ root, conn, pool, dir, close } = await openImagesPool('volumes'));
});
afterAll(() => close());

const names = async () => (await virStoragePoolListAllVolumes(pool, 0)).map((v) => v.name);

describe('creating volumes', () => {
  it('creates a fully allocated volume when the XML gives no allocation', async () => {
    const vol = await virStorageVolCreateXML(pool, volXml('full', 4 * MiB), 0);
    expect(vol.key).toBe(join(dir, 'full'));
    expect(await virStorageVolGetPath(vol)).toBe(join(dir, 'full'));
    expect(await virStorageVolGetInfo(vol)).toMatchObject({ type: 0, capacity: 4 * MiB });
    expectAllocation((await virStorageVolGetInfo(vol)).allocation, 4 * MiB);
    expect(statSync(join(dir, 'full')).mode & 0o777).toBe(0o600);
    expect(await partialFiles(dir)).toEqual([]);
  });

  it('leaves the rest of a partly allocated volume sparse', async () => {
    const vol = await virStorageVolCreateXML(pool, volXml('part', 8 * MiB, 2 * MiB), 0);
    expect(await virStorageVolGetInfo(vol)).toMatchObject({ type: 0, capacity: 8 * MiB });
    expectAllocation((await virStorageVolGetInfo(vol)).allocation, 2 * MiB);
    const sparse = await virStorageVolCreateXML(pool, volXml('sparse', 1024 * MiB, 0), 0);
    expect(await virStorageVolGetInfo(sparse)).toEqual({ type: 0, capacity: 1024 * MiB, allocation: 0 });
  });

  it('applies the mode the XML asks for', async () => {
    await virStorageVolCreateXML(
      pool,
      volXml('mode', MiB, 0, '<target><permissions><mode>0640</mode></permissions></target>'),
      0,
    );
    expect(statSync(join(dir, 'mode')).mode & 0o777).toBe(0o640);
  });

  it('describes a volume from its file', async () => {
    const vol = await virStorageVolLookupByName(pool, 'part');
    const st = statSync(join(dir, 'part'));
    const xml = await virStorageVolGetXMLDesc(vol, 0);
    expect(xml).toContain("<volume type='file'>");
    expect(xml).toContain(`<key>${dir}/part</key>`);
    expect(xml).toContain(`<capacity unit='bytes'>${8 * MiB}</capacity>`);
    expect(xml).toContain(`<allocation unit='bytes'>${(await virStorageVolGetInfo(vol)).allocation}</allocation>`);
    expect(xml).toContain("<format type='raw'/>");
    expect(xml).toContain(`<mode>0600</mode>`);
    expect(xml).toContain(`<owner>${st.uid}</owner>`);
    expect(xml).toContain(`<group>${st.gid}</group>`);
    await expectVirError(
      () => virStorageVolGetXMLDesc(vol, 1),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x1) in function storageVolGetXMLDesc',
    );
  });

  it('refuses an existing name, another format and metadata preallocation, as libvirt does', async () => {
    await expectVirError(() => virStorageVolCreateXML(pool, volXml('full', MiB), 0), E.VIR_ERR_STORAGE_VOL_EXIST, FROM, "storage volume 'full' exists already");
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('q', MiB, 0, "<target><format type='qcow2'/></target>"), 0),
      E.VIR_ERR_INTERNAL_ERROR,
      FROM,
      'internal error: creation of non-raw file images is not supported without qemu-img.',
    );
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('m', MiB), 1),
      E.VIR_ERR_CONFIG_UNSUPPORTED,
      FROM,
      'unsupported configuration: metadata preallocation is not supported for raw volumes',
    );
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('f', MiB), 8),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x8) in function storageVolCreateXML',
    );
  });

  it('fails on a file system error with the volume path in the message, leaving nothing', async () => {
    // ext4 files end at 16 TiB: the size cannot be set.
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('huge', 300 * 2 ** 40, 0), 0),
      E.VIR_ERR_SYSTEM_ERROR,
      FROM,
      `cannot extend file '${dir}/huge': File too large`,
    );
    expect(await names()).not.toContain('huge');
    expect(await partialFiles(dir)).toEqual([]);
  });
});

describe('the pool directory is the truth', () => {
  it('lists regular files only, sorted, and sees changes made behind its back', async () => {
    await writeFile(join(dir, 'external'), 'data');
    await mkdir(join(dir, 'subdir'));
    symlinkSync('/etc/passwd', join(dir, 'evil'));
    symlinkSync('full', join(dir, 'alias'));
    await writeFile(join(dir, '.tsvirt-partial-1-1-abc'), '');
    const listed = await names();
    expect(listed).toEqual([...listed].sort());
    expect(listed).toContain('external');
    for (const hidden of ['subdir', 'evil', 'alias', '.tsvirt-partial-1-1-abc']) expect(listed).not.toContain(hidden);
    await unlink(join(dir, 'external'));
    expect(await names()).not.toContain('external');
    await unlink(join(dir, '.tsvirt-partial-1-1-abc'));
  });

  it('reports qcow2 images with their virtual size', async () => {
    const header = Buffer.alloc(512);
    header.writeUInt32BE(0x514649fb, 0);
    header.writeUInt32BE(3, 4);
    header.writeBigUInt64BE(BigInt(10 * 2 ** 30), 24);
    await writeFile(join(dir, 'image.qcow2'), header);
    const vol = await virStorageVolLookupByName(pool, 'image.qcow2');
    expect((await virStorageVolGetInfo(vol)).capacity).toBe(10 * 2 ** 30);
    expect(await virStorageVolGetXMLDesc(vol, 0)).toContain("<format type='qcow2'/>");
    await expectVirError(
      () => virStorageVolResize(vol, 20 * 2 ** 30, 0),
      E.VIR_ERR_OPERATION_UNSUPPORTED,
      FROM,
      'Operation not supported: resizing qcow2 volumes is not supported: tsvirt changes the size of raw volumes only',
    );
  });

  it('looks volumes up by path (cleaned as libvirt cleans it) and by key (exactly)', async () => {
    const byPath = await virStorageVolLookupByPath(conn, `${dir}//full/`);
    expect(byPath.name).toBe('full');
    expect((await virStoragePoolLookupByVolume(byPath)).name).toBe('images');
    expect((await virStorageVolLookupByKey(conn, `${dir}/full`)).name).toBe('full');
    await expectVirError(
      () => virStorageVolLookupByKey(conn, `${dir}//full`),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      `Storage volume not found: no storage vol with matching key ${dir}//full`,
    );
    await expectVirError(
      () => virStorageVolLookupByPath(conn, `${dir}/../images/full`),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      `Storage volume not found: no storage vol with matching path '${dir}/../images/full'`,
    );
    await expectVirError(
      () => virStorageVolLookupByPath(conn, `${dir}//nope`),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      `Storage volume not found: no storage vol with matching path '${dir}//nope' (${dir}/nope)`,
    );
  });

  it('needs the pool running', async () => {
    const vol = await virStorageVolLookupByName(pool, 'full');
    await virStoragePoolDestroy(pool);
    try {
      for (const call of [
        () => virStoragePoolListAllVolumes(pool, 0),
        () => virStorageVolLookupByName(pool, 'full'),
        () => virStorageVolGetInfo(vol),
        () => virStorageVolCreateXML(pool, volXml('x', MiB), 0),
      ])
        await expectVirError(call, E.VIR_ERR_OPERATION_INVALID, FROM, "Requested operation is not valid: storage pool 'images' is not active");
    } finally {
      await virStoragePoolCreate(pool, 0);
    }
  });
});

describe('hostile names and paths', () => {
  it('refuses names that leave the pool directory or hide in the driver namespace', async () => {
    for (const name of ['../escape', '/etc/cron.d/x', 'a/b'])
      await expectVirError(
        () => virStorageVolCreateXML(pool, volXml(name, MiB), 0),
        E.VIR_ERR_OPERATION_INVALID,
        FROM,
        `Requested operation is not valid: volume name '${name}' cannot contain '/'`,
      );
    for (const name of ['.', '..'])
      await expectVirError(
        () => virStorageVolCreateXML(pool, volXml(name, MiB), 0),
        E.VIR_ERR_OPERATION_INVALID,
        FROM,
        `Requested operation is not valid: volume target path '${dir}/${name}' already exists`,
      );
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('.tsvirt-partial-1-2-ab', MiB), 0),
      E.VIR_ERR_OPERATION_INVALID,
      FROM,
      "Requested operation is not valid: volume name '.tsvirt-partial-1-2-ab' is reserved for volumes being built",
    );
    expect(existsSync(join(root, 'escape'))).toBe(false);
  });

  it('refuses a name longer than a file name can be before any data moves, as libvirt words it', async () => {
    // 255 bytes is Linux's limit for one file name; 'é' is two bytes in UTF-8.
    for (const name of ['a'.repeat(256), '\u00e9'.repeat(128)]) {
      await expectVirError(
        () => virStorageVolCreateXML(pool, volXml(name, MiB), 0),
        E.VIR_ERR_SYSTEM_ERROR,
        FROM,
        `Failed to create file '${dir}/${name}': File name too long`,
      );
      await expectVirError(
        () => virStorageVolLookupByName(pool, name),
        E.VIR_ERR_NO_STORAGE_VOL,
        FROM,
        `Storage volume not found: no storage vol with matching name '${name}'`,
      );
    }
    const longest = '\u00e9'.repeat(127);
    const vol = await virStorageVolCreateXML(pool, volXml(longest, MiB), 0);
    expect(vol).toBeTruthy();
    expect(await partialFiles(dir)).toEqual([]);
    await virStorageVolDelete(vol!, 0);
  });

  it('never writes through a symbolic link, nor finds one as a volume', async () => {
    const outside = join(root, 'outside');
    await writeFile(outside, 'precious');
    symlinkSync(outside, join(dir, 'trap'));
    await expectVirError(
      () => virStorageVolCreateXML(pool, volXml('trap', MiB), 0),
      E.VIR_ERR_OPERATION_INVALID,
      FROM,
      `Requested operation is not valid: volume target path '${dir}/trap' already exists`,
    );
    for (const lookup of [() => virStorageVolLookupByName(pool, 'trap'), () => virStorageVolLookupByName(pool, '../outside')])
      await expectVirError(lookup, E.VIR_ERR_NO_STORAGE_VOL, FROM, /^Storage volume not found: no storage vol with matching name/);
    await expectVirError(
      () => virStorageVolLookupByPath(conn, join(dir, 'trap')),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      `Storage volume not found: no storage vol with matching path '${dir}/trap'`,
    );
    await expectVirError(
      () => virStorageVolLookupByName(pool, 'nul\0byte'),
      E.VIR_ERR_NO_STORAGE_VOL,
      FROM,
      "Storage volume not found: no storage vol with matching name 'nul\0byte'",
    );
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('does not follow a volume swapped for a link after it was looked up', async () => {
    const outside = join(root, 'outside-2');
    await writeFile(outside, 'precious too');
    await makeFile(join(dir, 'swapped'), MiB);
    const vol = await virStorageVolLookupByName(pool, 'swapped');
    await unlink(join(dir, 'swapped'));
    symlinkSync(outside, join(dir, 'swapped'));
    await expectVirError(() => virStorageVolWipePattern(vol, 0, 0), E.VIR_ERR_NO_STORAGE_VOL, FROM, "Storage volume not found: no storage vol with matching name 'swapped'");
    await expectVirError(() => virStorageVolResize(vol, 2 * MiB, 0), E.VIR_ERR_NO_STORAGE_VOL, FROM, "Storage volume not found: no storage vol with matching name 'swapped'");
    await expectVirError(() => virStorageVolDelete(vol, 0), E.VIR_ERR_NO_STORAGE_VOL, FROM, "Storage volume not found: no storage vol with matching name 'swapped'");
    expect(readFileSync(outside, 'utf8')).toBe('precious too');
    await unlink(join(dir, 'swapped'));
  });
});

describe('resize', () => {
  it('follows libvirt: absolute or delta, shrink only when asked, never below the allocation', async () => {
    const vol = await virStorageVolCreateXML(pool, volXml('r', 10 * MiB, 4 * MiB), 0);
    await virStorageVolResize(vol, 20 * MiB, 0);
    expect((await virStorageVolGetInfo(vol)).capacity).toBe(20 * MiB);
    expectAllocation((await virStorageVolGetInfo(vol)).allocation, 4 * MiB);
    await expectVirError(
      () => virStorageVolResize(vol, 5 * MiB, 0),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'invalid argument: Can\'t shrink capacity below current capacity unless shrink flag explicitly specified',
    );
    await virStorageVolResize(vol, 5 * MiB, SHRINK);
    expect((await virStorageVolGetInfo(vol)).capacity).toBe(5 * MiB);
    await virStorageVolResize(vol, MiB, DELTA);
    expect((await virStorageVolGetInfo(vol)).capacity).toBe(6 * MiB);
    await expectVirError(
      () => virStorageVolResize(vol, 3 * MiB, DELTA | SHRINK),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      "invalid argument: can't shrink capacity below existing allocation",
    );
    await virStorageVolResize(vol, 30 * MiB, ALLOCATE);
    const info = await virStorageVolGetInfo(vol);
    expect(info.capacity).toBe(30 * MiB);
    // The grown 24 MiB are allocated; the hole that was there stays a hole.
    expectAllocation(info.allocation, 28 * MiB);
    await expectVirError(
      () => virStorageVolResize(vol, 2 ** 50, ALLOCATE),
      E.VIR_ERR_OPERATION_FAILED,
      FROM,
      'operation failed: Not enough space left in storage pool',
    );
    await expectVirError(
      () => virStorageVolResize(vol, 300 * 2 ** 40, 0),
      E.VIR_ERR_SYSTEM_ERROR,
      FROM,
      `Failed to truncate file '${dir}/r': File too large`,
    );
    await expectVirError(
      () => virStorageVolResize(vol, MiB, 8),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x8) in function storageVolResize',
    );
  });
});

describe('wipe and delete', () => {
  it('wipes with zeros and with random data, in place', async () => {
    const path = join(dir, 'w');
    await makeFile(path, 2 * MiB);
    const vol = await virStorageVolLookupByName(pool, 'w');
    await virStorageVolWipePattern(vol, 0, 0);
    expect(readFileSync(path).every((b) => b === 0)).toBe(true);
    await virStorageVolWipePattern(vol, 8, 0);
    expect(readFileSync(path).some((b) => b !== 0)).toBe(true);
    expect(statSync(path).size).toBe(2 * MiB);
    await expectVirError(() => virStorageVolWipePattern(vol, 9, 0), E.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM, "argument unsupported: 'trim' algorithm not supported");
    await expectVirError(() => virStorageVolWipePattern(vol, 10, 0), E.VIR_ERR_INVALID_ARG, FROM, 'invalid argument: wiping algorithm 10 not supported');
    await expectVirError(
      () => virStorageVolWipePattern(vol, 0, 1),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x1) in function storageVolWipePattern',
    );
  });

  it('deletes the file, and refuses flags as libvirt does', async () => {
    const vol = await virStorageVolLookupByName(pool, 'w');
    await expectVirError(
      () => virStorageVolDelete(vol, 2),
      E.VIR_ERR_INVALID_ARG,
      FROM,
      'unsupported flags (0x2) in function virStorageBackendVolDeleteLocal',
    );
    await virStorageVolDelete(vol, 0);
    expect(existsSync(join(dir, 'w'))).toBe(false);
    await expectVirError(() => virStorageVolDelete(vol, 0), E.VIR_ERR_NO_STORAGE_VOL, FROM, "Storage volume not found: no storage vol with matching name 'w'");
  });

  it('keeps a volume that a job reads or writes from being changed meanwhile', async () => {
    const path = join(dir, 'busy');
    await makeFile(path, 16 * MiB);
    const vol = await virStorageVolLookupByName(pool, 'busy');
    const wipe = virStorageVolWipePattern(vol, 7, 0); // 33 passes: long enough to overlap
    try {
      for (const change of [() => virStorageVolDelete(vol, 0), () => virStorageVolResize(vol, 128 * MiB, 0)])
        await expectVirError(change, E.VIR_ERR_OPERATION_INVALID, FROM, "Requested operation is not valid: volume 'busy' is still in use.");
      await expectVirError(
        () => virStoragePoolDestroy(pool),
        E.VIR_ERR_INTERNAL_ERROR,
        FROM,
        "internal error: pool 'images' has asynchronous jobs running.",
      );
    } finally {
      await wipe;
    }
    await virStorageVolDelete(vol, 0);
    expect(await readdir(dir)).not.toContain('busy');
  });
});
