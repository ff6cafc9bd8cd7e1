import { checkConnect, checkNetwork, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/network.js';
import { ErrorDomain } from '../ts/errors/index.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import { writeOut, type Handlers } from './call.js';

/** libvirt-network.h, served by src/ts/api/network.ts. Argument errors are VIR_FROM_NETWORK, as libvirt's. */
const FROM = ErrorDomain.VIR_FROM_NETWORK;

export const networkHandlers = {
  virNetworkGetConnect: ({ network }) => api.virNetworkGetConnect(network),
  virConnectNumOfNetworks: ({ conn }) => api.virConnectNumOfNetworks(conn),
  virConnectListNetworks({ conn, names, maxnames }, c) {
    checkConnect(conn, c.name, FROM);
    checkArray(c, { names }, { maxnames }, FROM);
    return c.putNames(api.virConnectListNetworks(conn, maxnames));
  },
  virConnectNumOfDefinedNetworks: ({ conn }) => api.virConnectNumOfDefinedNetworks(conn),
  virConnectListDefinedNetworks({ conn, names, maxnames }, c) {
    checkConnect(conn, c.name, FROM);
    checkArray(c, { names }, { maxnames }, FROM);
    return c.putNames(api.virConnectListDefinedNetworks(conn, maxnames));
  },
  virConnectListAllNetworks: ({ conn, flags }) => api.virConnectListAllNetworks(conn, flags),
  virNetworkLookupByName: ({ conn, name }) => api.virNetworkLookupByName(conn, name),
  virNetworkLookupByUUID({ conn, uuid }, c) {
    checkConnect(conn, c.name, FROM);
    checkOut(c, { uuid }, FROM);
    return api.virNetworkLookupByUUIDString(conn, readRawUuid(uuid));
  },
  virNetworkLookupByUUIDString: ({ conn, uuid }) => api.virNetworkLookupByUUIDString(conn, uuid),
  virNetworkCreateXML({ conn, xmlDesc }, c) {
    checkConnect(conn, c.name, FROM);
    c.mayWait();
    return api.virNetworkCreateXML(conn, xmlDesc);
  },
  virNetworkDefineXML: ({ conn, xmlDesc }) => api.virNetworkDefineXML(conn, xmlDesc),
  virNetworkUndefine: ({ network }) => api.virNetworkUndefine(network),
  virNetworkCreate({ network }, c) {
    checkNetwork(network, c.name);
    c.mayWait();
    return api.virNetworkCreate(network);
  },
  virNetworkDestroy: ({ network }) => api.virNetworkDestroy(network),
  virNetworkRef: ({ network }) => api.virNetworkRef(network),
  virNetworkFree: ({ network }) => api.virNetworkFree(network),
  virNetworkGetName: ({ network }) => api.virNetworkGetName(network),
  virNetworkGetUUID({ network, uuid }, c) {
    checkNetwork(network, c.name);
    checkOut(c, { uuid }, FROM);
    writeRawUuid(uuid, api.virNetworkGetUUIDString(network));
  },
  virNetworkGetUUIDString({ network, buf }, c) {
    checkNetwork(network, c.name);
    checkOut(c, { buf }, FROM);
    writeUuidString(buf, api.virNetworkGetUUIDString(network));
  },
  virNetworkGetXMLDesc: ({ network, flags }) => api.virNetworkGetXMLDesc(network, flags),
  virNetworkGetBridgeName: ({ network }) => api.virNetworkGetBridgeName(network),
  virNetworkGetAutostart({ network, autostart }, c) {
    checkNetwork(network, c.name);
    checkOut(c, { autostart }, FROM);
    return mapResult(api.virNetworkGetAutostart(network), (on) => writeOut(autostart, 'int', on ? 1 : 0));
  },
  virNetworkSetAutostart: ({ network, autostart }) => api.virNetworkSetAutostart(network, autostart),
  virNetworkIsActive: ({ net }) => api.virNetworkIsActive(net),
  virNetworkIsPersistent: ({ net }) => api.virNetworkIsPersistent(net),
} satisfies Partial<Handlers>;
