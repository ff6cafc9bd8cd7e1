import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { StoragePool, StorageVolume, VolumeDownload, VolumeUpload } from '../../index.js';
import {
  virStorageVolCreateFlags as Create,
  virStorageVolDeleteFlags as Delete,
  virStorageVolResizeFlags as Resize,
  virStorageVolWipeAlgorithm as Wipe,
} from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, systemError, virError } from '../../errors/index.js';
import { bool, data, int, REQ_OPT, string, type CommandDef, type ParsedCommand } from '../command-def.js';
import { readXmlFile } from '../files.js';
import { compareIgnoringCase, formatCapacity, formatTable, infoLine } from '../format.js';
import { firstFound, lookupPool, optPool, optVolume } from '../lookup.js';
import { flagsFrom, optRequired, optString } from '../options.js';
import { CommandFailed, type Session } from '../session.js';
import { parseVirshSize } from '../../conf/units.js';
import { dumpXml, renameVolumeXml } from '../xml-output.js';

/** The Storage Volume commands, in `virsh help volume` order. */

const VOL = data('vol', 'vol name, key or path');
const POOL_OPTIONAL = string('pool', 'pool name or uuid');

const VOLUME_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'];

function volumeTypeName(type: number): string {
  return VOLUME_TYPES[type] ?? 'unknown';
}

/** virshVolSize with virsh's complaint: "Malformed size", then libvirt's reason when there is one. */
function volumeSize(s: Session, text: string): bigint {
  let size: bigint | null;
  try {
    size = parseVirshSize(text);
  } catch (err) {
    throw s.fail(err, `Malformed size ${text}`);
  }
  if (size === null) {
    s.error(`Malformed size ${text}`);
    throw new CommandFailed();
  }
  return size;
}

async function cmdVolClone(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { vol: orig } = await optVolume(s, cmd);
  const flags = flagsFrom(cmd, { 'prealloc-metadata': Create.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, reflink: Create.VIR_STORAGE_VOL_CREATE_REFLINK });
  let pool;
  try {
    pool = s.keep(await orig.pool());
  } catch (err) {
    throw s.fail(err, 'failed to get parent pool');
  }
  const name = optRequired(s, cmd, 'newname');
  const xml = renameVolumeXml(await orig.xml(), name);
  if (cmd.has('print-xml')) {
    s.print(xml);
    return true;
  }
  let clone: StorageVolume;
  try {
    clone = s.keep(await s.waitForJob(pool.cloneVolume(xml, orig, { flags }), cmd.has('verbose') ? { label: 'Clone', endLine: true } : undefined));
  } catch (err) {
    throw s.fail(err, `Failed to clone vol from ${orig.name}`);
  }
  s.printExtra(`Vol ${clone.name} cloned from ${orig.name}\n`);
  return true;
}

async function cmdVolCreateAs(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = cmd.has('prealloc-metadata') ? Create.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0;
  const { pool } = await optPool(s, cmd);
  const name = optRequired(s, cmd, 'name');
  const capacity = volumeSize(s, optRequired(s, cmd, 'capacity'));
  // An empty --allocation counts as not given (vshCommandOptStringQuiet).
  const allocationText = cmd.value('allocation') || undefined;
  const allocation = allocationText === undefined ? undefined : volumeSize(s, allocationText);
  const format = optString(s, cmd, 'format');
  const backingVol = optString(s, cmd, 'backing-vol');
  const backingFormat = optString(s, cmd, 'backing-vol-format');
  let xml = `<volume>\n  <name>${name}</name>\n  <capacity>${capacity}</capacity>\n`;
  if (allocation !== undefined) xml += `  <allocation>${allocation}</allocation>\n`;
  if (format !== undefined) xml += `  <target>\n    <format type='${format}'/>\n  </target>\n`;
  if (backingVol !== undefined) {
    const backing = await findBackingVolume(s, pool, backingVol);
    xml += `  <backingStore>\n    <path>${await backing.path()}</path>\n`;
    if (backingFormat !== undefined) xml += `    <format type='${backingFormat}'/>\n`;
    xml += '  </backingStore>\n';
  }
  xml += '</volume>\n';
  if (cmd.has('print-xml')) {
    s.print(xml);
    return true;
  }
  try {
    s.keep(await s.waitForJob(pool.createVolume(xml, { flags }), cmd.has('verbose') ? { label: 'Create', endLine: true } : undefined));
  } catch (err) {
    throw s.fail(err, `Failed to create vol ${name}`);
  }
  s.printExtra(`Vol ${name} created\n`);
  return true;
}

/** The backing volume of vol-create-as: by name in the pool, else by key, else by path. */
async function findBackingVolume(s: Session, pool: StoragePool, key: string): Promise<StorageVolume> {
  const conn = s.connection;
  const vol = await firstFound(s, [
    () => pool.lookupVolume(key),
    () => conn.lookupStorageVolumeByKey(key),
    () => conn.lookupStorageVolumeByPath(key),
  ]);
  if (vol) return vol;
  s.error(`failed to get vol '${key}'`);
  throw new CommandFailed();
}

async function cmdVolCreate(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = flagsFrom(cmd, { 'prealloc-metadata': Create.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, validate: Create.VIR_STORAGE_VOL_CREATE_VALIDATE });
  const { pool } = await optPool(s, cmd);
  const from = optRequired(s, cmd, 'file');
  const xml = await readXmlFile(from);
  let vol: StorageVolume;
  try {
    vol = s.keep(await s.waitForJob(pool.createVolume(xml, { flags })));
  } catch (err) {
    throw s.fail(err, `Failed to create vol from ${from}`);
  }
  s.printExtra(`Vol ${vol.name} created from ${from}\n`);
  return true;
}

async function cmdVolDelete(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { vol, key } = await optVolume(s, cmd);
  const flags = cmd.has('delete-snapshots') ? Delete.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS : 0;
  try {
    await vol.delete(flags);
  } catch (err) {
    throw s.fail(err, `Failed to delete vol ${key}`);
  }
  s.printExtra(`Vol ${key} deleted\n`);
  return true;
}

async function cmdVolDumpxml(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { vol } = await optVolume(s, cmd);
  return dumpXml(s, cmd, () => vol.xml(0));
}

async function cmdVolInfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { vol } = await optVolume(s, cmd);
  s.print(infoLine('Name:', vol.name));
  // The physical size needs virStorageVolGetInfoFlags, which tsvirt's API does not have.
  if (cmd.has('physical')) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, 'virStorageVolGetInfoFlags');
  const info = await vol.info();
  s.print(infoLine('Type:', volumeTypeName(info.type)));
  if (cmd.has('bytes')) {
    s.print(infoLine('Capacity:', `${info.capacity} bytes`));
    s.print(infoLine('Allocation:', `${info.allocation} bytes`));
  } else {
    s.print(infoLine('Capacity:', formatCapacity(info.capacity)));
    s.print(infoLine('Allocation:', formatCapacity(info.allocation)));
  }
  return true;
}

async function cmdVolList(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const pool = await lookupPool(s, optRequired(s, cmd, 'pool'));
  let vols: StorageVolume[];
  try {
    vols = s.keepAll(await pool.listVolumes(0)).sort((a, b) => compareIgnoringCase(a.name, b.name));
  } catch (err) {
    throw s.fail(err, 'Failed to list volumes');
  }
  const details = cmd.has('details');
  const rows: string[][] = [];
  for (const vol of vols) {
    let path: string;
    try {
      path = await vol.path();
    } catch {
      path = 'unknown';
    }
    if (!details) {
      rows.push([vol.name, path]);
      continue;
    }
    try {
      const info = await vol.info();
      rows.push([vol.name, path, volumeTypeName(info.type), formatCapacity(info.capacity), formatCapacity(info.allocation)]);
    } catch {
      rows.push([vol.name, path, 'unknown', 'unknown', 'unknown']);
    }
  }
  const head = details ? ['Name', 'Path', 'Type', 'Capacity', 'Allocation'] : ['Name', 'Path'];
  s.print(formatTable(head, rows, !s.quiet));
  return true;
}

async function cmdVolResize(s: Session, cmd: ParsedCommand): Promise<boolean> {
  let flags = flagsFrom(cmd, { allocate: Resize.VIR_STORAGE_VOL_RESIZE_ALLOCATE, shrink: Resize.VIR_STORAGE_VOL_RESIZE_SHRINK });
  let delta = cmd.has('delta');
  const { vol } = await optVolume(s, cmd);
  let text = optRequired(s, cmd, 'capacity').replace(/^[ \t\n\v\f\r]+/, '');
  if (text.startsWith('-')) {
    // The API only takes sizes; virsh lets a negative one mean "shrink by".
    if (!cmd.has('shrink')) {
      s.error('negative size requires --shrink');
      return false;
    }
    text = text.slice(1);
    delta = true;
  }
  if (delta) flags |= Resize.VIR_STORAGE_VOL_RESIZE_DELTA;
  const capacity = volumeSize(s, text);
  try {
    await vol.resize(Number(capacity), flags);
  } catch (err) {
    throw s.fail(err, `Failed to change size of volume '${vol.name}' ${delta ? 'by' : 'to'} ${text}`);
  }
  s.printExtra(`Size of volume '${vol.name}' successfully changed ${delta ? 'by' : 'to'} ${text}\n`);
  return true;
}

const WIPE_ALGORITHMS: Record<string, number> = {
  zero: Wipe.VIR_STORAGE_VOL_WIPE_ALG_ZERO,
  nnsa: Wipe.VIR_STORAGE_VOL_WIPE_ALG_NNSA,
  dod: Wipe.VIR_STORAGE_VOL_WIPE_ALG_DOD,
  bsi: Wipe.VIR_STORAGE_VOL_WIPE_ALG_BSI,
  gutmann: Wipe.VIR_STORAGE_VOL_WIPE_ALG_GUTMANN,
  schneier: Wipe.VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER,
  pfitzner7: Wipe.VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7,
  pfitzner33: Wipe.VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33,
  random: Wipe.VIR_STORAGE_VOL_WIPE_ALG_RANDOM,
  trim: Wipe.VIR_STORAGE_VOL_WIPE_ALG_TRIM,
};

async function cmdVolWipe(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { vol, key } = await optVolume(s, cmd);
  const name = optString(s, cmd, 'algorithm');
  const algorithm = name === undefined ? Wipe.VIR_STORAGE_VOL_WIPE_ALG_ZERO : WIPE_ALGORITHMS[name];
  if (algorithm === undefined) {
    s.error(`Unsupported algorithm '${name}'`);
    return false;
  }
  try {
    await s.waitForJob(vol.wipe({ algorithm }), cmd.has('verbose') ? { label: 'Wipe', endLine: true } : undefined);
  } catch (err) {
    throw s.fail(err, `Failed to wipe vol ${key}`);
  }
  s.printExtra(`Vol ${key} wiped\n`);
  return true;
}

/** virStorageVolUploadFlags / virStorageVolDownloadFlags: VIR_STORAGE_VOL_{UP,DOWN}LOAD_SPARSE_STREAM. */
const SPARSE_STREAM = 1;
/** What virsh reads from or writes to its file at a time. */
const FILE_CHUNK = 256 * 1024;
const ULLONG_MAX = (1n << 64n) - 1n;

/**
 * --offset (vshCommandOptULongLong) and --length (vshCommandOptULongLongWrap, where -N wraps to 2^64-N): a
 * decimal number, 0 when absent, else virsh's complaint.
 */
function optULongLong(s: Session, cmd: ParsedCommand, name: string, wrap: boolean): bigint {
  const text = cmd.value(name);
  if (text === undefined) return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  let value = m ? BigInt(m[2]) : -1n;
  if (m && m[1] === '-') value = wrap && value <= ULLONG_MAX ? (value === 0n ? 0n : ULLONG_MAX + 1n - value) : -1n;
  if (value < 0n || value > ULLONG_MAX) {
    s.error(`Numeric value '${text}' for <${name}> option is malformed or out of range`);
    throw new CommandFailed();
  }
  return value;
}

const ZEROS = Buffer.alloc(FILE_CHUNK);
const isZeros = (chunk: Buffer) => chunk.equals(ZEROS.subarray(0, chunk.length));

async function cmdVolUpload(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const offset = optULongLong(s, cmd, 'offset', false);
  const length = optULongLong(s, cmd, 'length', true);
  const { vol, key } = await optVolume(s, cmd);
  const file = optRequired(s, cmd, 'file');
  const { open } = await import('node:fs/promises'); // loaded on first use: see cli/files.ts
  let fd: FileHandle;
  try {
    fd = await open(file, 'r');
  } catch {
    s.error(`cannot read ${file}`);
    return false;
  }
  const sparse = cmd.has('sparse');
  try {
    let upload: VolumeUpload;
    try {
      upload = await vol.openUpload({ offset, length, flags: sparse ? SPARSE_STREAM : 0 });
    } catch (err) {
      throw s.fail(err, `cannot upload to volume ${key}`);
    }
    try {
      try {
        const buffer = Buffer.allocUnsafe(FILE_CHUNK);
        for (;;) {
          const { bytesRead } = await fd.read(buffer, 0, FILE_CHUNK);
          if (bytesRead === 0) break;
          const chunk = buffer.subarray(0, bytesRead);
          // --sparse: what reads as zeros goes as a hole (virsh asks the file system for its holes).
          if (sparse && isZeros(chunk)) await upload.sendHole(bytesRead);
          else await upload.send(chunk);
        }
      } catch (err) {
        await upload.abort().catch(() => {});
        const failure = err instanceof Error && err.name === 'VirError' ? err : systemError(err, ErrorDomain.VIR_FROM_STREAMS, `cannot read ${file}`);
        throw s.fail(failure, `cannot send data to volume ${key}`);
      }
      try {
        await upload.finish();
      } catch (err) {
        throw s.fail(err, `cannot close volume ${key}`);
      }
    } finally {
      upload.free();
    }
  } finally {
    await fd.close();
  }
  return true;
}

async function cmdVolDownload(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const offset = optULongLong(s, cmd, 'offset', false);
  const length = optULongLong(s, cmd, 'length', true);
  const { vol, key } = await optVolume(s, cmd);
  const file = optRequired(s, cmd, 'file');
  const { open, unlink } = await import('node:fs/promises'); // loaded on first use: see cli/files.ts
  // virsh's way: a new file, else an existing one truncated; a file it created is removed on failure.
  let fd: FileHandle;
  let created = false;
  try {
    fd = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    created = true;
  } catch (err) {
    try {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fd = await open(file, constants.O_WRONLY | constants.O_TRUNC, 0o666);
    } catch {
      s.error(`cannot create ${file}`);
      return false;
    }
  }
  let ok = false;
  const sparse = cmd.has('sparse');
  try {
    let download: VolumeDownload;
    try {
      download = await vol.openDownload({ offset, length, flags: sparse ? SPARSE_STREAM : 0 });
    } catch (err) {
      throw s.fail(err, `cannot download from volume ${key}`);
    }
    try {
      try {
        // --sparse: holes are skipped in the file, which gets its full size at the end, as virsh does.
        let at = 0;
        const nextPart = () => (sparse ? download.readSparse(FILE_CHUNK) : download.read(FILE_CHUNK));
        for (let next = await nextPart(); next !== null; next = await nextPart()) {
          if (typeof next === 'number') {
            at += next;
            continue;
          }
          for (let done = 0; done < next.length; ) done += (await fd.write(next, done, next.length - done, at + done)).bytesWritten;
          at += next.length;
        }
        if (sparse) await fd.truncate(at);
      } catch (err) {
        await download.abort().catch(() => {});
        throw s.fail(err, `cannot receive data from volume ${key}`);
      }
      try {
        await fd.close();
      } catch (err) {
        await download.abort().catch(() => {});
        s.error(`cannot close file ${file}`);
        return false;
      }
      try {
        await download.finish();
      } catch (err) {
        throw s.fail(err, `cannot close volume ${key}`);
      }
    } finally {
      download.free();
    }
    ok = true;
  } finally {
    await fd.close().catch(() => {});
    if (!ok && created) await unlink(file).catch(() => {});
  }
  return true;
}

const VERBOSE_EXTENSION = (what: string) => bool('verbose', `display the progress of ${what} (tsvirt extension)`);

export const volumeCommands: readonly CommandDef[] = [
  {
    name: 'vol-clone',
    group: 'volume',
    help: 'clone a volume.',
    desc: 'Clone an existing volume within the parent pool.',
    opts: [
      VOL,
      data('newname', 'clone name'),
      POOL_OPTIONAL,
      bool('prealloc-metadata', 'preallocate metadata (for qcow2 instead of full allocation)'),
      bool('reflink', 'use btrfs COW lightweight copy'),
      bool('print-xml', 'print XML document rather than clone the volume'),
      VERBOSE_EXTENSION('the clone'),
    ],
    run: cmdVolClone,
  },
  {
    name: 'vol-create-as',
    group: 'volume',
    help: 'create a volume from a set of args',
    desc: 'Create a vol.',
    opts: [
      data('pool', 'pool name'),
      data('name', 'name of the volume'),
      data('capacity', 'size of the vol, as scaled integer (default bytes)'),
      string('allocation', 'initial allocation size, as scaled integer (default bytes)'),
      string('format', 'file format type raw,bochs,qcow,qcow2,qed,vmdk'),
      string('backing-vol', 'the backing volume if taking a snapshot'),
      string('backing-vol-format', 'format of backing volume if taking a snapshot'),
      bool('prealloc-metadata', 'preallocate metadata (for qcow2 instead of full allocation)'),
      bool('print-xml', "print XML document, but don't define/create"),
      VERBOSE_EXTENSION('the creation'),
    ],
    run: cmdVolCreateAs,
  },
  {
    name: 'vol-create',
    group: 'volume',
    help: 'create a vol from an XML file',
    desc: 'Create a vol.',
    opts: [
      data('pool', 'pool name'),
      data('file', 'file containing an XML vol description'),
      bool('prealloc-metadata', 'preallocate metadata (for qcow2 instead of full allocation)'),
      bool('validate', 'validate the XML against the schema'),
    ],
    run: cmdVolCreate,
  },
  {
    name: 'vol-delete',
    group: 'volume',
    help: 'delete a vol',
    desc: 'Delete a given vol.',
    opts: [VOL, POOL_OPTIONAL, bool('delete-snapshots', 'delete snapshots associated with volume (must be supported by storage driver)')],
    run: cmdVolDelete,
  },
  {
    name: 'vol-download',
    group: 'volume',
    help: 'download volume contents to a file',
    desc: 'Download volume contents to a file',
    opts: [
      VOL,
      data('file', 'file'),
      POOL_OPTIONAL,
      int('offset', 'volume offset to download from'),
      int('length', 'amount of data to download'),
      bool('sparse', 'preserve sparseness of volume'),
    ],
    run: cmdVolDownload,
  },
  {
    name: 'vol-dumpxml',
    group: 'volume',
    help: 'vol information in XML',
    desc: 'Output the vol information as an XML dump to stdout.',
    opts: [
      VOL,
      POOL_OPTIONAL,
      string('xpath', 'xpath expression to filter the XML document', REQ_OPT),
      bool('wrap', 'wrap xpath results in an common root element'),
    ],
    run: cmdVolDumpxml,
  },
  {
    name: 'vol-info',
    group: 'volume',
    help: 'storage vol information',
    desc: 'Returns basic information about the storage vol.',
    opts: [
      VOL,
      POOL_OPTIONAL,
      bool('bytes', 'sizes are represented in bytes rather than pretty units'),
      bool('physical', 'return the physical size of the volume in allocation field'),
    ],
    run: cmdVolInfo,
  },
  {
    name: 'vol-list',
    group: 'volume',
    help: 'list vols',
    desc: 'Returns list of vols by pool.',
    opts: [data('pool', 'pool name or uuid'), bool('details', 'display extended details for volumes')],
    run: cmdVolList,
  },
  {
    name: 'vol-resize',
    group: 'volume',
    help: 'resize a vol',
    desc: 'Resizes a storage volume. This is safe only for storage volumes not in use by an active guest.\nSee blockresize for live resizing.',
    opts: [
      VOL,
      data('capacity', 'new capacity for the vol, as scaled integer (default bytes)'),
      POOL_OPTIONAL,
      bool('allocate', 'allocate the new capacity, rather than leaving it sparse'),
      bool('delta', 'use capacity as a delta to current size, rather than the new size'),
      bool('shrink', 'allow the resize to shrink the volume'),
    ],
    run: cmdVolResize,
  },
  {
    name: 'vol-upload',
    group: 'volume',
    help: 'upload file contents to a volume',
    desc: 'Upload file contents to a volume',
    opts: [
      VOL,
      data('file', 'file'),
      POOL_OPTIONAL,
      int('offset', 'volume offset to upload to'),
      int('length', 'amount of data to upload'),
      bool('sparse', 'preserve sparseness of volume'),
    ],
    run: cmdVolUpload,
  },
  {
    name: 'vol-wipe',
    group: 'volume',
    help: 'wipe a vol',
    desc: 'Ensure data previously on a volume is not accessible to future reads',
    opts: [VOL, POOL_OPTIONAL, string('algorithm', 'perform selected wiping algorithm'), VERBOSE_EXTENSION('the wipe')],
    run: cmdVolWipe,
  },
];
