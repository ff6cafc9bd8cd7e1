import { checkConnect, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/connect.js';
import { structTypes } from './abi-types.js';
import type { CloseCallbacks } from './close-callbacks.js';
import { checkOut } from './c-args.js';
import { UnreportedFailure, writeOut, type Handlers } from './call.js';

/** libvirt-host.h, served by src/ts/api/connect.ts. */
export const hostHandlers = {
  virGetVersion({ libVer, typeVer }) {
    // libvirt fails without an error when libVer is NULL; `type` is ignored, as in libvirt.
    if (libVer === null) throw new UnreportedFailure();
    const version = api.virGetVersion();
    writeOut(libVer, 'unsigned long', version.libVer);
    if (typeVer !== null) writeOut(typeVer, 'unsigned long', version.typeVer);
  },
  virConnectOpen: ({ name }) => api.virConnectOpen(name),
  virConnectOpenReadOnly: ({ name }) => api.virConnectOpenReadOnly(name),
  virConnectOpenAuth: ({ name, auth, flags }) => api.virConnectOpenAuth(name, auth, flags),
  virConnectRef: ({ conn }) => api.virConnectRef(conn),
  virConnectClose: ({ conn }) => api.virConnectClose(conn),
  virConnectGetType: ({ conn }) => api.virConnectGetType(conn),
  virConnectGetVersion({ conn, hvVer }, c) {
    checkConnect(conn, c.name);
    checkOut(c, { hvVer });
    writeOut(hvVer, 'unsigned long', api.virConnectGetVersion(conn));
  },
  virConnectGetLibVersion({ conn, libVer }, c) {
    checkConnect(conn, c.name);
    checkOut(c, { libVer });
    writeOut(libVer, 'unsigned long', api.virConnectGetLibVersion(conn));
  },
  virConnectGetHostname: ({ conn }) => api.virConnectGetHostname(conn),
  virConnectGetURI: ({ conn }) => api.virConnectGetURI(conn),
  virConnectGetMaxVcpus: ({ conn, type }) => api.virConnectGetMaxVcpus(conn, type),
  virNodeGetInfo({ conn, info }, c) {
    checkConnect(conn, c.name);
    checkOut(c, { info });
    return mapResult(api.virNodeGetInfo(conn), (value) => writeOut(info, structTypes.virNodeInfo, value));
  },
  virConnectGetCapabilities: ({ conn }) => api.virConnectGetCapabilities(conn),
  virNodeGetSecurityModel({ conn, secmodel }, c) {
    checkConnect(conn, c.name);
    checkOut(c, { secmodel });
    return mapResult(api.virNodeGetSecurityModel(conn), (model) => writeOut(secmodel, structTypes.virSecurityModel, model));
  },
  virConnectIsEncrypted: ({ conn }) => api.virConnectIsEncrypted(conn),
  virConnectIsSecure: ({ conn }) => api.virConnectIsSecure(conn),
  virConnectIsAlive: ({ conn }) => api.virConnectIsAlive(conn),
  virConnectSetKeepAlive: ({ conn, interval, count }) => api.virConnectSetKeepAlive(conn, interval, count),
} satisfies Partial<Handlers>;

/** The close callback functions of libvirt-host.h, whose C callbacks `callbacks` keeps. */
export function closeCallbackHandlers(callbacks: CloseCallbacks) {
  return {
    virConnectRegisterCloseCallback: ({ conn, cb, opaque, freecb }) => callbacks.register(conn, cb, opaque, freecb),
    virConnectUnregisterCloseCallback: ({ conn, cb }) => callbacks.unregister(conn, cb),
  } satisfies Partial<Handlers>;
}
