// The storage driver table of a remote connection: REMOTE storage pool and volume procedures.
import type { VirStoragePool, VirStorageVol } from '../../core/handles.js';
import { ErrorDomain } from '../../errors/index.js';
import type { remote_nonnull_storage_pool, remote_nonnull_storage_vol } from '../../rpc/generated/remote-protocol.js';
import type { StorageDriver } from '../driver.js';
import type { RemoteConnection } from './connection.js';
import { blockingCallJob, remoteJobSpec } from './jobs.js';
import { openVolumeStream } from './streams.js';
import { num, poolFromWire, toWirePool, toWireVol, uuidBytes, volFromWire } from './wire.js';

type Pool = { pool: remote_nonnull_storage_pool };
type Vol = { vol: remote_nonnull_storage_vol };

export function remoteStorage(rc: RemoteConnection): StorageDriver {
  const pool = (p: VirStoragePool) => ({ pool: toWirePool(p) });
  const vol = (v: VirStorageVol) => ({ vol: toWireVol(v) });
  const poolOf = (r: Pool) => poolFromWire(r.pool);
  const volOf = (r: Vol) => volFromWire(r.vol);
  const FROM = ErrorDomain.VIR_FROM_STORAGE;
  return {
    connectListAllStoragePools: async (_c, flags) =>
      (await rc.call<{ pools: remote_nonnull_storage_pool[] }>('CONNECT_LIST_ALL_STORAGE_POOLS', { need_results: 1, flags })).pools.map(poolFromWire),
    storagePoolLookupByName: async (_c, name) => poolOf(await rc.call<Pool>('STORAGE_POOL_LOOKUP_BY_NAME', { name })),
    storagePoolLookupByUUID: async (_c, uuid) => poolOf(await rc.call<Pool>('STORAGE_POOL_LOOKUP_BY_UUID', { uuid: uuidBytes(uuid) })),
    storagePoolLookupByVolume: async (v) => poolOf(await rc.call<Pool>('STORAGE_POOL_LOOKUP_BY_VOLUME', vol(v))),
    storagePoolGetInfo: async (p) => {
      const r = await rc.call<any>('STORAGE_POOL_GET_INFO', pool(p));
      return { state: r.state, capacity: num(r.capacity), allocation: num(r.allocation), available: num(r.available) };
    },
    storagePoolGetXMLDesc: async (p, flags) => (await rc.call<{ xml: string }>('STORAGE_POOL_GET_XML_DESC', { ...pool(p), flags })).xml,
    storagePoolGetAutostart: async (p) => (await rc.call<{ autostart: number }>('STORAGE_POOL_GET_AUTOSTART', pool(p))).autostart !== 0,
    storagePoolSetAutostart: async (p, autostart) => {
      await rc.call('STORAGE_POOL_SET_AUTOSTART', { ...pool(p), autostart: autostart ? 1 : 0 });
    },
    storagePoolIsActive: async (p) => (await rc.call<{ active: number }>('STORAGE_POOL_IS_ACTIVE', pool(p))).active !== 0,
    storagePoolIsPersistent: async (p) => (await rc.call<{ persistent: number }>('STORAGE_POOL_IS_PERSISTENT', pool(p))).persistent !== 0,
    storagePoolDefineXML: async (_c, xml, flags) => poolOf(await rc.call<Pool>('STORAGE_POOL_DEFINE_XML', { xml, flags })),
    storagePoolCreateXML: async (_c, xml, flags) => poolOf(await rc.call<Pool>('STORAGE_POOL_CREATE_XML', { xml, flags })),
    storagePoolBuild: async (p, flags) => {
      await rc.call('STORAGE_POOL_BUILD', { ...pool(p), flags });
    },
    storagePoolCreate: async (p, flags) => {
      await rc.call('STORAGE_POOL_CREATE', { ...pool(p), flags });
    },
    storagePoolDestroy: async (p) => {
      await rc.call('STORAGE_POOL_DESTROY', pool(p));
    },
    storagePoolUndefine: async (p) => {
      await rc.call('STORAGE_POOL_UNDEFINE', pool(p));
    },
    storagePoolDelete: async (p, flags) => {
      await rc.call('STORAGE_POOL_DELETE', { ...pool(p), flags });
    },
    storagePoolRefresh: async (p, flags) => {
      await rc.call('STORAGE_POOL_REFRESH', { ...pool(p), flags });
    },
    storagePoolListAllVolumes: async (p, flags) =>
      (await rc.call<{ vols: remote_nonnull_storage_vol[] }>('STORAGE_POOL_LIST_ALL_VOLUMES', { ...pool(p), need_results: 1, flags })).vols.map(volFromWire),

    storageVolLookupByName: async (p, name) => volOf(await rc.call<Vol>('STORAGE_VOL_LOOKUP_BY_NAME', { ...pool(p), name })),
    storageVolLookupByKey: async (_c, key) => volOf(await rc.call<Vol>('STORAGE_VOL_LOOKUP_BY_KEY', { key })),
    storageVolLookupByPath: async (_c, path) => volOf(await rc.call<Vol>('STORAGE_VOL_LOOKUP_BY_PATH', { path })),
    storageVolGetPath: async (v) => (await rc.call<{ name: string }>('STORAGE_VOL_GET_PATH', vol(v))).name,
    storageVolGetInfo: async (v) => {
      const r = await rc.call<any>('STORAGE_VOL_GET_INFO', vol(v));
      return { type: r.type, capacity: num(r.capacity), allocation: num(r.allocation) };
    },
    storageVolGetXMLDesc: async (v, flags) => (await rc.call<{ xml: string }>('STORAGE_VOL_GET_XML_DESC', { ...vol(v), flags })).xml,
    storageVolDelete: async (v, flags) => {
      await rc.call('STORAGE_VOL_DELETE', { ...vol(v), flags });
    },
    storageVolResize: async (v, capacity, flags) => {
      await rc.call('STORAGE_VOL_RESIZE', { ...vol(v), capacity: BigInt(capacity), flags });
    },
    storageVolCreateXML: (p, xml, flags, start) =>
      blockingCallJob(rc, start, remoteJobSpec('volume-create', 'volume create', FROM), 'STORAGE_VOL_CREATE_XML', { ...pool(p), xml, flags }, volOf),
    storageVolCreateXMLFrom: (p, xml, source, flags, start) =>
      blockingCallJob(
        rc,
        start,
        remoteJobSpec('volume-clone', 'volume clone', FROM, { vol: source }),
        'STORAGE_VOL_CREATE_XML_FROM',
        { ...pool(p), xml, clonevol: toWireVol(source), flags },
        volOf,
      ),
    storageVolUpload: (v, offset, length, flags) => openVolumeStream(rc, 'upload', v, offset, length, flags),
    storageVolDownload: (v, offset, length, flags) => openVolumeStream(rc, 'download', v, offset, length, flags),
    storageVolWipe: (v, algorithm, flags, start) => {
      const spec = remoteJobSpec('volume-wipe', 'volume wipe', FROM, { vol: v });
      return algorithm === 0
        ? blockingCallJob(rc, start, spec, 'STORAGE_VOL_WIPE', { ...vol(v), flags }, () => undefined)
        : blockingCallJob(rc, start, spec, 'STORAGE_VOL_WIPE_PATTERN', { ...vol(v), algorithm, flags }, () => undefined);
    },
  };
}
