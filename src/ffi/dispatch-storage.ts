import { checkConnect, checkStoragePool, checkStorageVol, mapResult } from '../ts/api/check.js';
import { virStorageVolResizeFlags } from '../ts/core/enums.generated.js';
import * as api from '../ts/api/storage.js';
import { ErrorDomain } from '../ts/errors/index.js';
import { structTypes } from './abi-types.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import { writeOut, type Call, type Handlers } from './call.js';

/** libvirt-storage.h, served by src/ts/api/storage.ts. Argument errors are VIR_FROM_STORAGE, as libvirt's. */
const FROM = ErrorDomain.VIR_FROM_STORAGE;

/** A function that waits for its job: its handle is checked first, as in libvirt, then the thread. */
function waitingOnPool(c: Call, pool: unknown): void {
  checkStoragePool(pool, c.name);
  c.mayWait();
}

function waitingOnVolume(c: Call, vol: unknown): void {
  checkStorageVol(vol, c.name);
  c.mayWait();
}

export const storageHandlers = {
  // ---- pools ----
  virStoragePoolGetConnect: ({ pool }) => api.virStoragePoolGetConnect(pool),
  virConnectNumOfStoragePools: ({ conn }) => api.virConnectNumOfStoragePools(conn),
  virConnectListStoragePools({ conn, names, maxnames }, c) {
    checkConnect(conn, c.name, FROM);
    checkArray(c, { names }, { maxnames }, FROM);
    return c.putNames(api.virConnectListStoragePools(conn, maxnames));
  },
  virConnectNumOfDefinedStoragePools: ({ conn }) => api.virConnectNumOfDefinedStoragePools(conn),
  virConnectListDefinedStoragePools({ conn, names, maxnames }, c) {
    checkConnect(conn, c.name, FROM);
    checkArray(c, { names }, { maxnames }, FROM);
    return c.putNames(api.virConnectListDefinedStoragePools(conn, maxnames));
  },
  virConnectListAllStoragePools: ({ conn, flags }) => api.virConnectListAllStoragePools(conn, flags),
  virStoragePoolLookupByName: ({ conn, name }) => api.virStoragePoolLookupByName(conn, name),
  virStoragePoolLookupByUUID({ conn, uuid }, c) {
    checkConnect(conn, c.name, FROM);
    checkOut(c, { uuid }, FROM);
    return api.virStoragePoolLookupByUUIDString(conn, readRawUuid(uuid));
  },
  virStoragePoolLookupByUUIDString: ({ conn, uuid }) => api.virStoragePoolLookupByUUIDString(conn, uuid),
  virStoragePoolLookupByVolume: ({ vol }) => api.virStoragePoolLookupByVolume(vol),
  virStoragePoolCreateXML: ({ conn, xmlDesc, flags }) => api.virStoragePoolCreateXML(conn, xmlDesc, flags),
  virStoragePoolDefineXML: ({ conn, xmlDesc, flags }) => api.virStoragePoolDefineXML(conn, xmlDesc, flags),
  virStoragePoolBuild: ({ pool, flags }) => api.virStoragePoolBuild(pool, flags),
  virStoragePoolUndefine: ({ pool }) => api.virStoragePoolUndefine(pool),
  virStoragePoolCreate: ({ pool, flags }) => api.virStoragePoolCreate(pool, flags),
  virStoragePoolDestroy: ({ pool }) => api.virStoragePoolDestroy(pool),
  virStoragePoolDelete: ({ pool, flags }) => api.virStoragePoolDelete(pool, flags),
  virStoragePoolRef: ({ pool }) => api.virStoragePoolRef(pool),
  virStoragePoolFree: ({ pool }) => api.virStoragePoolFree(pool),
  virStoragePoolRefresh: ({ pool, flags }) => api.virStoragePoolRefresh(pool, flags),
  virStoragePoolGetName: ({ pool }) => api.virStoragePoolGetName(pool),
  virStoragePoolGetUUID({ pool, uuid }, c) {
    checkStoragePool(pool, c.name);
    checkOut(c, { uuid }, FROM);
    writeRawUuid(uuid, api.virStoragePoolGetUUIDString(pool));
  },
  virStoragePoolGetUUIDString({ pool, buf }, c) {
    checkStoragePool(pool, c.name);
    checkOut(c, { buf }, FROM);
    writeUuidString(buf, api.virStoragePoolGetUUIDString(pool));
  },
  // libvirt's header calls this pool `vol` (and virStorageVolGetXMLDesc's volume `pool`); ours follows it.
  virStoragePoolGetInfo({ vol: pool, info }, c) {
    checkStoragePool(pool, c.name);
    checkOut(c, { info }, FROM);
    return mapResult(api.virStoragePoolGetInfo(pool), (value) => writeOut(info, structTypes.virStoragePoolInfo, value));
  },
  virStoragePoolGetXMLDesc: ({ pool, flags }) => api.virStoragePoolGetXMLDesc(pool, flags),
  virStoragePoolGetAutostart({ pool, autostart }, c) {
    checkStoragePool(pool, c.name);
    checkOut(c, { autostart }, FROM);
    return mapResult(api.virStoragePoolGetAutostart(pool), (on) => writeOut(autostart, 'int', on ? 1 : 0));
  },
  virStoragePoolNumOfVolumes: ({ pool }) => api.virStoragePoolNumOfVolumes(pool),
  virStoragePoolListVolumes({ pool, names, maxnames }, c) {
    checkStoragePool(pool, c.name);
    checkArray(c, { names }, { maxnames }, FROM);
    return c.putNames(api.virStoragePoolListVolumes(pool, maxnames));
  },
  virStoragePoolListAllVolumes: ({ pool, flags }) => api.virStoragePoolListAllVolumes(pool, flags),
  virStoragePoolIsActive: ({ pool }) => api.virStoragePoolIsActive(pool),
  virStoragePoolIsPersistent: ({ pool }) => api.virStoragePoolIsPersistent(pool),

  // ---- volumes ----
  virStorageVolGetConnect: ({ vol }) => api.virStorageVolGetConnect(vol),
  virStorageVolLookupByName: ({ pool, name }) => api.virStorageVolLookupByName(pool, name),
  virStorageVolLookupByKey: ({ conn, key }) => api.virStorageVolLookupByKey(conn, key),
  virStorageVolLookupByPath: ({ conn, path }) => api.virStorageVolLookupByPath(conn, path),
  virStorageVolGetName: ({ vol }) => api.virStorageVolGetName(vol),
  virStorageVolGetKey: ({ vol }) => api.virStorageVolGetKey(vol),
  virStorageVolCreateXML({ pool, xmldesc, flags }, c) {
    waitingOnPool(c, pool);
    return api.virStorageVolCreateXML(pool, xmldesc, flags);
  },
  virStorageVolCreateXMLFrom({ pool, xmldesc, clonevol, flags }, c) {
    waitingOnPool(c, pool);
    return api.virStorageVolCreateXMLFrom(pool, xmldesc, clonevol, flags);
  },
  virStorageVolDelete: ({ vol, flags }) => api.virStorageVolDelete(vol, flags),
  virStorageVolWipe({ vol, flags }, c) {
    waitingOnVolume(c, vol);
    return api.virStorageVolWipe(vol, flags);
  },
  virStorageVolWipePattern({ vol, algorithm, flags }, c) {
    waitingOnVolume(c, vol);
    return api.virStorageVolWipePattern(vol, algorithm, flags);
  },
  virStorageVolRef: ({ vol }) => api.virStorageVolRef(vol),
  virStorageVolFree: ({ vol }) => api.virStorageVolFree(vol),
  virStorageVolGetInfo({ vol, info }, c) {
    checkStorageVol(vol, c.name);
    checkOut(c, { info }, FROM);
    return mapResult(api.virStorageVolGetInfo(vol), (value) => writeOut(info, structTypes.virStorageVolInfo, value));
  },
  virStorageVolGetXMLDesc: ({ pool: vol, flags }) => api.virStorageVolGetXMLDesc(vol, flags),
  virStorageVolGetPath: ({ vol }) => api.virStorageVolGetPath(vol),
  virStorageVolResize({ vol, capacity, flags }, c) {
    // Preallocating writes the grown range, so a driver may complete it later: like the blocking functions,
    // it is refused on the JavaScript thread before anything starts.
    if (flags & virStorageVolResizeFlags.VIR_STORAGE_VOL_RESIZE_ALLOCATE) waitingOnVolume(c, vol);
    return api.virStorageVolResize(vol, capacity, flags);
  },
} satisfies Partial<Handlers>;
