import { checkConnect, checkNetwork, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/network.js';
import { ErrorDomain } from '../ts/errors/index.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import type { Handlers } from './call.js';

/** libvirt-network.h, served by src/ts/api/network.ts. Argument errors are VIR_FROM_NETWORK, as libvirt's. */
const FROM = ErrorDomain.VIR_FROM_NETWORK;

export const networkHandlers: Handlers = {
  virNetworkGetConnect: (c) => c.setHandle(api.virNetworkGetConnect(c.handle(0))),
  virConnectNumOfNetworks: (c) => c.setInt(api.virConnectNumOfNetworks(c.handle(0))),
  virConnectListNetworks(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkArray(c, 'names', 'maxnames', c.num(0), FROM);
    return c.putNames(api.virConnectListNetworks(c.handle(0), c.num(0)));
  },
  virConnectNumOfDefinedNetworks: (c) => c.setInt(api.virConnectNumOfDefinedNetworks(c.handle(0))),
  virConnectListDefinedNetworks(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkArray(c, 'names', 'maxnames', c.num(0), FROM);
    return c.putNames(api.virConnectListDefinedNetworks(c.handle(0), c.num(0)));
  },
  virConnectListAllNetworks: (c) => c.setList(api.virConnectListAllNetworks(c.handle(0), c.num(0))),
  virNetworkLookupByName: (c) => c.setHandle(api.virNetworkLookupByName(c.handle(0), c.text(0))),
  virNetworkLookupByUUID(c) {
    checkConnect(c.handle(0), c.name, FROM);
    checkOut(c, 0, 'uuid', FROM);
    return c.setHandle(api.virNetworkLookupByUUIDString(c.handle(0), readRawUuid(c, 0)));
  },
  virNetworkLookupByUUIDString: (c) => c.setHandle(api.virNetworkLookupByUUIDString(c.handle(0), c.text(0))),
  virNetworkCreateXML(c) {
    checkConnect(c.handle(0), c.name, FROM);
    c.mayWait();
    return c.setHandle(api.virNetworkCreateXML(c.handle(0), c.text(0)));
  },
  virNetworkDefineXML: (c) => c.setHandle(api.virNetworkDefineXML(c.handle(0), c.text(0))),
  virNetworkUndefine: (c) => c.setInt(api.virNetworkUndefine(c.handle(0))),
  virNetworkCreate(c) {
    checkNetwork(c.handle(0), c.name);
    c.mayWait();
    return c.setInt(api.virNetworkCreate(c.handle(0)));
  },
  virNetworkDestroy: (c) => c.setInt(api.virNetworkDestroy(c.handle(0))),
  virNetworkRef: (c) => c.setInt(api.virNetworkRef(c.handle(0))),
  virNetworkFree: (c) => c.setInt(api.virNetworkFree(c.handle(0))),
  virNetworkGetName: (c) => c.setString(api.virNetworkGetName(c.handle(0))),
  virNetworkGetUUID(c) {
    checkNetwork(c.handle(0), c.name);
    checkOut(c, 0, 'uuid', FROM);
    writeRawUuid(c, 0, api.virNetworkGetUUIDString(c.handle(0)));
  },
  virNetworkGetUUIDString(c) {
    checkNetwork(c.handle(0), c.name);
    checkOut(c, 0, 'buf', FROM);
    writeUuidString(c, 0, api.virNetworkGetUUIDString(c.handle(0)));
  },
  virNetworkGetXMLDesc: (c) => c.setString(api.virNetworkGetXMLDesc(c.handle(0), c.num(0))),
  virNetworkGetBridgeName: (c) => c.setString(api.virNetworkGetBridgeName(c.handle(0))),
  virNetworkGetAutostart(c) {
    checkNetwork(c.handle(0), c.name);
    checkOut(c, 0, 'autostart', FROM);
    return mapResult(api.virNetworkGetAutostart(c.handle(0)), (on) => c.write(0, 'int', on ? 1 : 0));
  },
  virNetworkSetAutostart: (c) => c.setInt(api.virNetworkSetAutostart(c.handle(0), c.num(0))),
  virNetworkIsActive: (c) => c.setBool(api.virNetworkIsActive(c.handle(0))),
  virNetworkIsPersistent: (c) => c.setBool(api.virNetworkIsPersistent(c.handle(0))),
};
