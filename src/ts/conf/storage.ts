import { ErrorDomain, ErrorNumber, virError, VirError } from '../errors/index.js';
import { parseXml, XmlWriter, type XmlElement } from '../xml/index.js';
import { LLONG_MAX, parseULongLong, scaleInteger } from './units.js';
import { generateUUID, parseUUID } from './uuid.js';
import { parseCLong, propEnum, xmlError } from './xml-values.js';

/**
 * Storage pools and volumes (the part of libvirt's storage XML tsvirt models). Sizes are bytes, as JS numbers:
 * exact up to 2^53 (8 PiB); libvirt's own limit is higher, but no test or host comes near it.
 */

export const POOL_TYPES = [
  'dir', 'fs', 'netfs', 'logical', 'disk', 'iscsi', 'iscsi-direct', 'scsi', 'mpath', 'rbd', 'sheepdog', 'gluster',
  'zfs', 'vstorage',
] as const;
export type PoolType = (typeof POOL_TYPES)[number];

export interface Permissions {
  mode?: number;
  owner?: number;
  group?: number;
  label?: string;
}

export interface PoolDef {
  type: PoolType;
  name: string;
  uuid: string;
  capacity?: number;
  allocation?: number;
  available?: number;
  source: PoolSource;
  /** Where the pool lives on the host; the path is '' for network pools, which have no local target. */
  target: { path: string; permissions?: Permissions };
}

export interface PoolSource {
  hosts: { name: string; port?: number }[];
  devices: string[];
  dir?: string;
  name?: string;
  format?: string;
}

export const VOLUME_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'] as const;

export interface VolumeDef {
  type: (typeof VOLUME_TYPES)[number];
  name: string;
  key?: string;
  capacity: number;
  allocation: number;
  target: {
    path?: string;
    format: string;
    permissions?: Permissions;
    compat?: string;
    features: string[];
  };
  backingStore?: { path: string; format?: string };
}

const S = ErrorDomain.VIR_FROM_STORAGE;

function storageError(detail: string): VirError {
  return xmlError(detail, S);
}

/** Source elements each pool type reads; others are ignored, as libvirt ignores them. */
const POOL_SOURCE_PARTS: Record<PoolType, readonly ('host' | 'device' | 'dir' | 'name' | 'format')[]> = {
  dir: [],
  fs: ['device', 'format'],
  netfs: ['host', 'dir', 'format'],
  logical: ['device', 'name', 'format'],
  disk: ['device', 'format'],
  iscsi: ['host', 'device'],
  'iscsi-direct': ['host', 'device'],
  scsi: [],
  mpath: [],
  rbd: ['host', 'name'],
  sheepdog: ['host', 'name'],
  gluster: ['host', 'dir', 'name'],
  zfs: ['device', 'name'],
  vstorage: ['name'],
};

/** Pool formats libvirt knows, by pool type. */
const POOL_FORMATS: Partial<Record<PoolType, readonly string[]>> = {
  fs: ['auto', 'ext2', 'ext3', 'ext4', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'vfat', 'hfs+', 'xfs', 'ocfs2', 'vmfs'],
  netfs: ['auto', 'nfs', 'glusterfs', 'cifs'],
  logical: ['unknown', 'lvm2'],
  disk: ['unknown', 'dos', 'dvh', 'gpt', 'mac', 'bsd', 'pc98', 'sun', 'lvm2'],
};

/** Network pools, which have no target on the host. */
const NETWORK_POOLS: readonly PoolType[] = ['rbd', 'sheepdog', 'gluster'];

/** Parses storage pool XML as libvirt's pool-define does, with its checks and errors. */
export function parsePoolXML(xml: string): PoolDef {
  return parsePoolElement(parseXml(xml, { docName: 'storage_pool_definition', errorDomain: S }));
}

/** Like parsePoolXML, for a `<pool>` element already parsed. */
export function parsePoolElement(root: XmlElement): PoolDef {
  if (root.localName !== 'pool') throw xmlError(`expecting root element of 'pool', not '${root.name}'`);
  const type = propEnum(root, 'type', POOL_TYPES, { required: true })!;
  const name = root.childText('name');
  if (name === undefined || name === '') throw storageError('missing pool source name element');
  if (name.includes('/')) throw storageError(`name ${name} cannot contain '/'`);
  const uuidText = root.childText('uuid');
  let uuid: string;
  if (uuidText === undefined || uuidText === '') uuid = generateUUID();
  else {
    const parsed = parseUUID(uuidText);
    if (parsed === null) throw storageError('malformed uuid element');
    uuid = parsed;
  }
  const def: PoolDef = {
    type,
    name,
    uuid,
    capacity: optionalBytes(root.childText('capacity')),
    allocation: optionalBytes(root.childText('allocation')),
    available: optionalBytes(root.childText('available')),
    source: parsePoolSource(root.child('source'), type),
    target: { path: '' },
  };
  const sourceEl = root.child('source');
  if (type === 'scsi' && sourceEl?.child('adapter') === undefined) throw storageError('missing storage pool source adapter');
  if (type === 'iscsi-direct' && sourceEl?.child('initiator')?.child('iqn')?.attr('name') === undefined) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, S, 'missing initiator IQN');
  }
  if (type === 'zfs' && def.source.name !== undefined) {
    // A ZFS pool's volumes appear under the pool's name in /dev/zvol, wherever the definition points.
    def.target = { path: `/dev/zvol/${def.source.name}` };
  } else if (!NETWORK_POOLS.includes(type)) {
    const target = root.child('target');
    const path = target?.childText('path');
    if (path === undefined || path === '') throw storageError('missing storage pool target path');
    def.target = { path: sanitizePath(path), permissions: parsePermissions(target!.child('permissions')) };
  }
  return def;
}

/** A pool size libvirt reads only if it is a plain number (the test driver sets its own anyway). */
function optionalBytes(text: string | undefined): number | undefined {
  const n = text === undefined ? null : parseULongLong(text);
  return n === null ? undefined : Number(n);
}

function parsePoolSource(el: XmlElement | undefined, type: PoolType): PoolSource {
  const source: PoolSource = { hosts: [], devices: [] };
  if (el === undefined) return source;
  const parts = POOL_SOURCE_PARTS[type];
  if (parts.includes('host')) {
    for (const host of el.childrenNamed('host')) {
      const hostName = host.attr('name');
      if (hostName === undefined) throw storageError('missing storage pool host name');
      const port = host.attr('port');
      source.hosts.push({ name: hostName, port: port === undefined ? undefined : parseCLong(port) ?? undefined });
    }
  }
  if (parts.includes('device')) source.devices = el.childrenNamed('device').flatMap((d) => d.attr('path') ?? []);
  if (parts.includes('dir')) source.dir = el.child('dir')?.attr('path');
  if (parts.includes('name')) source.name = el.childText('name') || undefined;
  if (parts.includes('format')) {
    const format = el.child('format')?.attr('type');
    if (format !== undefined && !(POOL_FORMATS[type] ?? []).includes(format)) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, S, `unknown pool format type ${format}`);
    }
    source.format = format;
  }
  return source;
}

/**
 * libvirt's virFileSanitizePath: runs of slashes become one (a leading `//` stays, as POSIX allows), and a
 * trailing slash goes.
 */
export function sanitizePath(path: string): string {
  const lead = /^\/\/(?!\/)/.test(path) ? '/' : '';
  let clean = lead + path.replace(/\/{2,}/g, '/');
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  return clean;
}

/**
 * <permissions> as libvirt reads them: the mode with strtol in base 8 (sign and leading blanks allowed, nothing
 * past 0777; empty means unset), owner and group with strtoll, which must be a uid_t or -1 (unset, as is
 * 4294967295, which is -1 as a uid_t). libvirt prints ids as a signed int, so 2147483648 shows as -2147483648.
 */
function parsePermissions(el: XmlElement | undefined): Permissions | undefined {
  if (el === undefined) return undefined;
  const perms: Permissions = {};
  const mode = el.childText('mode');
  if (mode !== undefined && mode !== '') {
    const m = /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/.exec(mode);
    const value = m === null ? NaN : (m[1] === '-' ? -1 : 1) * parseInt(m[2]!, 8);
    if (!(value >= 0 && value <= 0o777)) throw storageError('malformed octal mode');
    perms.mode = value;
  }
  for (const id of ['owner', 'group'] as const) {
    const text = el.childText(id);
    if (text === undefined) continue;
    const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(text);
    const value = m === null ? null : BigInt(m[1]!);
    if (value === null || (value !== -1n && (value < 0n || value > 0xffff_ffffn))) throw storageError(`malformed ${id} element`);
    if (value !== -1n && value !== 0xffff_ffffn) perms[id] = Number(BigInt.asIntN(32, value));
  }
  perms.label = el.childText('label') || undefined;
  return perms;
}

function formatPermissions(w: XmlWriter, perms: Permissions | undefined): void {
  if (perms === undefined) return;
  const { mode, owner, group, label } = perms;
  // libvirt leaves the element out when nothing in it is set.
  if (mode === undefined && owner === undefined && group === undefined && label === undefined) return;
  w.open('permissions');
  if (mode !== undefined) w.text('mode', `0${mode.toString(8)}`);
  w.text('owner', owner).text('group', group).text('label', label);
  w.close('permissions');
}

/** Prints a pool as libvirt 9.0's test driver does (`virsh pool-dumpxml`). */
export function formatPoolXML(def: PoolDef): string {
  const w = new XmlWriter();
  w.open('pool', [['type', def.type]]);
  w.text('name', def.name).text('uuid', def.uuid);
  w.text('capacity', def.capacity ?? 0, [['unit', 'bytes']]);
  w.text('allocation', def.allocation ?? 0, [['unit', 'bytes']]);
  w.text('available', def.available ?? 0, [['unit', 'bytes']]);
  const s = def.source;
  w.open('source');
  for (const h of s.hosts) w.empty('host', [['name', h.name], ['port', h.port]]);
  for (const d of s.devices) w.empty('device', [['path', d]]);
  if (s.dir !== undefined) w.empty('dir', [['path', s.dir]]);
  w.text('name', s.name);
  if (s.format !== undefined) w.empty('format', [['type', s.format]]);
  w.close('source');
  if (def.target.path !== '') {
    w.open('target').text('path', def.target.path);
    formatPermissions(w, def.target.permissions);
    w.close('target');
  }
  w.close('pool');
  return w.toString();
}

/** Volume formats of file-based pools (libvirt's virStorageFileFormat). */
const VOLUME_FORMATS = [
  'none', 'raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'cow', 'qcow', 'qcow2',
  'qed', 'vmdk',
];

/** Parses storage volume XML as libvirt's vol-create does, with its checks and errors. */
export function parseVolumeXML(xml: string): VolumeDef {
  return parseVolumeElement(parseXml(xml, { docName: 'storage_volume_definition', errorDomain: S }));
}

/** Like parseVolumeXML, for a `<volume>` element already parsed. */
export function parseVolumeElement(root: XmlElement): VolumeDef {
  if (root.localName !== 'volume') throw xmlError(`expecting root element of 'volume', not '${root.name}'`);
  const name = root.childText('name');
  if (name === undefined || name === '') throw storageError('missing volume name element');
  const type = root.attr('type') ?? 'file';
  if (!(VOLUME_TYPES as readonly string[]).includes(type)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, S, `unknown volume type '${type}'`);
  }
  // libvirt reads both with string(): an empty element is the same as none, its unit not even looked at.
  const capacityEl = root.child('capacity');
  if (capacityEl === undefined || capacityEl.text() === '') throw storageError('missing capacity element');
  const capacity = volumeSize(capacityEl);
  const allocationEl = root.child('allocation');
  const allocation = allocationEl === undefined || allocationEl.text() === '' ? capacity : volumeSize(allocationEl);

  const target = root.child('target');
  const format = target?.child('format')?.attr('type') ?? 'raw';
  if (!VOLUME_FORMATS.includes(format)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, S, `unknown volume format type ${format}`);
  }
  const vol: VolumeDef = {
    type: type as VolumeDef['type'],
    name,
    key: root.childText('key') || undefined,
    capacity,
    allocation,
    target: {
      path: target?.childText('path') || undefined,
      format,
      permissions: parsePermissions(target?.child('permissions')),
      compat: target?.childText('compat') || undefined,
      features: target?.child('features')?.children.map((f) => f.name) ?? [],
    },
  };
  const backing = root.child('backingStore');
  const backingPath = backing?.childText('path');
  if (backingPath !== undefined && backingPath !== '') {
    vol.backingStore = { path: backingPath, format: backing!.child('format')?.attr('type') };
  }
  return vol;
}

/** A volume size: a plain number and an optional unit (bytes by default). */
function volumeSize(el: XmlElement): number {
  const n = parseULongLong(el.text());
  // libvirt says "capacity" for a bad <allocation> too.
  if (n === null) throw storageError('malformed capacity element');
  return Number(scaleInteger(n, el.attr('unit') ?? '', 1n, LLONG_MAX));
}

/**
 * Where the test driver puts a new volume: at `<pool path>/<name>`, which is also its key, whatever the
 * definition said.
 */
export function placeVolumeInPool(vol: VolumeDef, pool: PoolDef): void {
  vol.target.path = `${pool.target.path}/${vol.name}`;
  vol.key = vol.target.path;
}

/** Prints a volume as libvirt 9.0's test driver does (`virsh vol-dumpxml`). */
export function formatVolumeXML(vol: VolumeDef): string {
  const w = new XmlWriter();
  w.open('volume', [['type', vol.type]]);
  w.text('name', vol.name).text('key', vol.key);
  w.text('capacity', vol.capacity, [['unit', 'bytes']]).text('allocation', vol.allocation, [['unit', 'bytes']]);
  const t = vol.target;
  w.open('target').text('path', t.path).empty('format', [['type', t.format]]);
  formatPermissions(w, t.permissions);
  w.text('compat', t.compat);
  if (t.features.length > 0) {
    w.open('features');
    for (const f of t.features) w.empty(f);
    w.close('features');
  }
  w.close('target');
  if (vol.backingStore !== undefined) {
    w.open('backingStore').text('path', vol.backingStore.path);
    if (vol.backingStore.format !== undefined) w.empty('format', [['type', vol.backingStore.format]]);
    w.close('backingStore');
  }
  w.close('volume');
  return w.toString();
}
