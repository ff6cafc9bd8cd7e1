import { checkConnect, checkStoragePool, checkStorageVol, mapResult } from '../ts/api/check.js';
import { virStorageVolResizeFlags } from '../ts/core/enums.generated.js';
import * as api from '../ts/api/storage.js';
import { ErrorDomain } from '../ts/errors/index.js';
import { structTypes } from './abi-types.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import type { Call, Handlers } from './call.js';

/** libvirt-storage.h, served by src/ts/api/storage.ts. Argument errors are VIR_FROM_STORAGE, as libvirt's. */
const FROM = ErrorDomain.VIR_FROM_STORAGE;

/** A function that waits for its job: its handle is checked first, as in libvirt, then the thread. */
function waitingOnPool(c: Call): void {
  checkStoragePool(c.handle(0), c.name);
  c.mayWait();
}

function waitingOnVolume(c: Call): void {
  checkStorageVol(c.handle(0), c.name);
  c.mayWait();
}

export const storageHandlers: Handlers = {
  // ---- pools ----
  virStoragePoolGetConnect: (c) => c.setHandle(api.virStoragePoolGetConnect(c.handle(0))),
  virConnectNumOfStoragePools: (c) => c.setInt(api.virConnectNumOfStoragePools(c.handle(0))),
  virConnectListStoragePools(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkArray(c, 'names', 'maxnames', c.num(0), FROM);
    return c.putNames(api.virConnectListStoragePools(c.handle(0), c.num(0)));
  },
  virConnectNumOfDefinedStoragePools: (c) => c.setInt(api.virConnectNumOfDefinedStoragePools(c.handle(0))),
  virConnectListDefinedStoragePools(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkArray(c, 'names', 'maxnames', c.num(0), FROM);
    return c.putNames(api.virConnectListDefinedStoragePools(c.handle(0), c.num(0)));
  },
  virConnectListAllStoragePools: (c) => c.setList(api.virConnectListAllStoragePools(c.handle(0), c.num(0))),
  virStoragePoolLookupByName: (c) => c.setHandle(api.virStoragePoolLookupByName(c.handle(0), c.text(0))),
  virStoragePoolLookupByUUID(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkOut(c, 0, 'uuid', FROM);
    return c.setHandle(api.virStoragePoolLookupByUUIDString(c.handle(0), readRawUuid(c, 0)));
  },
  virStoragePoolLookupByUUIDString: (c) => c.setHandle(api.virStoragePoolLookupByUUIDString(c.handle(0), c.text(0))),
  virStoragePoolLookupByVolume: (c) => c.setHandle(api.virStoragePoolLookupByVolume(c.handle(0))),
  virStoragePoolCreateXML: (c) => c.setHandle(api.virStoragePoolCreateXML(c.handle(0), c.text(0), c.num(0))),
  virStoragePoolDefineXML: (c) => c.setHandle(api.virStoragePoolDefineXML(c.handle(0), c.text(0), c.num(0))),
  virStoragePoolBuild: (c) => c.setInt(api.virStoragePoolBuild(c.handle(0), c.num(0))),
  virStoragePoolUndefine: (c) => c.setInt(api.virStoragePoolUndefine(c.handle(0))),
  virStoragePoolCreate: (c) => c.setInt(api.virStoragePoolCreate(c.handle(0), c.num(0))),
  virStoragePoolDestroy: (c) => c.setInt(api.virStoragePoolDestroy(c.handle(0))),
  virStoragePoolDelete: (c) => c.setInt(api.virStoragePoolDelete(c.handle(0), c.num(0))),
  virStoragePoolRef: (c) => c.setInt(api.virStoragePoolRef(c.handle(0))),
  virStoragePoolFree: (c) => c.setInt(api.virStoragePoolFree(c.handle(0))),
  virStoragePoolRefresh: (c) => c.setInt(api.virStoragePoolRefresh(c.handle(0), c.num(0))),
  virStoragePoolGetName: (c) => c.setString(api.virStoragePoolGetName(c.handle(0))),
  virStoragePoolGetUUID(c) {
    checkStoragePool(c.handle(0), c.name);
    checkOut(c, 0, 'uuid', FROM);
    writeRawUuid(c, 0, api.virStoragePoolGetUUIDString(c.handle(0)));
  },
  virStoragePoolGetUUIDString(c) {
    checkStoragePool(c.handle(0), c.name);
    checkOut(c, 0, 'buf', FROM);
    writeUuidString(c, 0, api.virStoragePoolGetUUIDString(c.handle(0)));
  },
  virStoragePoolGetInfo(c) {
    checkStoragePool(c.handle(0), c.name);
    checkOut(c, 0, 'info', FROM);
    return mapResult(api.virStoragePoolGetInfo(c.handle(0)), (info) => c.write(0, structTypes.virStoragePoolInfo, info));
  },
  virStoragePoolGetXMLDesc: (c) => c.setString(api.virStoragePoolGetXMLDesc(c.handle(0), c.num(0))),
  virStoragePoolGetAutostart(c) {
    checkStoragePool(c.handle(0), c.name);
    checkOut(c, 0, 'autostart', FROM);
    return mapResult(api.virStoragePoolGetAutostart(c.handle(0)), (on) => c.write(0, 'int', on ? 1 : 0));
  },
  virStoragePoolNumOfVolumes: (c) => c.setInt(api.virStoragePoolNumOfVolumes(c.handle(0))),
  virStoragePoolListVolumes(c) {
    checkStoragePool(c.handle(0), c.name);
    checkArray(c, 'names', 'maxnames', c.num(0), FROM);
    return c.putNames(api.virStoragePoolListVolumes(c.handle(0), c.num(0)));
  },
  virStoragePoolListAllVolumes: (c) => c.setList(api.virStoragePoolListAllVolumes(c.handle(0), c.num(0))),
  virStoragePoolIsActive: (c) => c.setBool(api.virStoragePoolIsActive(c.handle(0))),
  virStoragePoolIsPersistent: (c) => c.setBool(api.virStoragePoolIsPersistent(c.handle(0))),

  // ---- volumes ----
  virStorageVolGetConnect: (c) => c.setHandle(api.virStorageVolGetConnect(c.handle(0))),
  virStorageVolLookupByName: (c) => c.setHandle(api.virStorageVolLookupByName(c.handle(0), c.text(0))),
  virStorageVolLookupByKey: (c) => c.setHandle(api.virStorageVolLookupByKey(c.handle(0), c.text(0))),
  virStorageVolLookupByPath: (c) => c.setHandle(api.virStorageVolLookupByPath(c.handle(0), c.text(0))),
  virStorageVolGetName: (c) => c.setString(api.virStorageVolGetName(c.handle(0))),
  virStorageVolGetKey: (c) => c.setString(api.virStorageVolGetKey(c.handle(0))),
  virStorageVolCreateXML(c) {
    waitingOnPool(c);
    return c.setHandle(api.virStorageVolCreateXML(c.handle(0), c.text(0), c.num(0)));
  },
  virStorageVolCreateXMLFrom(c) {
    waitingOnPool(c);
    return c.setHandle(api.virStorageVolCreateXMLFrom(c.handle(0), c.text(0), c.handle(1), c.num(0)));
  },
  virStorageVolDelete: (c) => c.setInt(api.virStorageVolDelete(c.handle(0), c.num(0))),
  virStorageVolWipe(c) {
    waitingOnVolume(c);
    return c.setInt(api.virStorageVolWipe(c.handle(0), c.num(0)));
  },
  virStorageVolWipePattern(c) {
    waitingOnVolume(c);
    return c.setInt(api.virStorageVolWipePattern(c.handle(0), c.num(0), c.num(1)));
  },
  virStorageVolRef: (c) => c.setInt(api.virStorageVolRef(c.handle(0))),
  virStorageVolFree: (c) => c.setInt(api.virStorageVolFree(c.handle(0))),
  virStorageVolGetInfo(c) {
    checkStorageVol(c.handle(0), c.name);
    checkOut(c, 0, 'info', FROM);
    return mapResult(api.virStorageVolGetInfo(c.handle(0)), (info) => c.write(0, structTypes.virStorageVolInfo, info));
  },
  virStorageVolGetXMLDesc: (c) => c.setString(api.virStorageVolGetXMLDesc(c.handle(0), c.num(0))),
  virStorageVolGetPath: (c) => c.setString(api.virStorageVolGetPath(c.handle(0))),
  virStorageVolResize(c) {
    // Preallocating writes the grown range, so a driver may complete it later: like the blocking functions,
    // it is refused on the JavaScript thread before anything starts.
    if (c.num(1) & virStorageVolResizeFlags.VIR_STORAGE_VOL_RESIZE_ALLOCATE) waitingOnVolume(c);
    return c.setInt(api.virStorageVolResize(c.handle(0), c.num(0), c.num(1)));
  },
};
