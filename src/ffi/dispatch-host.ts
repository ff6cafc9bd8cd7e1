import { checkConnect, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/connect.js';
import { structTypes } from './abi-types.js';
import { checkOut } from './c-args.js';
import { UnreportedFailure, type Handlers } from './call.js';

/** libvirt-host.h, served by src/ts/api/connect.ts. */
export const hostHandlers: Handlers = {
  virGetVersion(c) {
    // libvirt fails without an error when libVer is NULL; `type` is ignored, as in libvirt.
    if (c.ptr(0) === null) throw new UnreportedFailure();
    const { libVer, typeVer } = api.virGetVersion();
    c.write(0, 'unsigned long', libVer);
    if (c.ptr(1) !== null) c.write(1, 'unsigned long', typeVer);
  },
  virConnectOpen: (c) => c.setHandle(api.virConnectOpen(c.str(0))),
  virConnectOpenReadOnly: (c) => c.setHandle(api.virConnectOpenReadOnly(c.str(0))),
  virConnectOpenAuth: (c) => c.setHandle(api.virConnectOpenAuth(c.str(0), c.ptr(0), c.num(0))),
  virConnectRef: (c) => c.setInt(api.virConnectRef(c.handle(0))),
  virConnectClose: (c) => c.setInt(api.virConnectClose(c.handle(0))),
  virConnectGetType: (c) => c.setString(api.virConnectGetType(c.handle(0))),
  virConnectGetVersion(c) {
    checkConnect(c.handle(0), c.name);
    checkOut(c, 0, 'hvVer');
    c.write(0, 'unsigned long', api.virConnectGetVersion(c.handle(0)));
  },
  virConnectGetLibVersion(c) {
    checkConnect(c.handle(0), c.name);
    checkOut(c, 0, 'libVer');
    c.write(0, 'unsigned long', api.virConnectGetLibVersion(c.handle(0)));
  },
  virConnectGetHostname: (c) => c.setString(api.virConnectGetHostname(c.handle(0))),
  virConnectGetURI: (c) => c.setString(api.virConnectGetURI(c.handle(0))),
  virConnectGetMaxVcpus: (c) => c.setInt(api.virConnectGetMaxVcpus(c.handle(0), c.str(0))),
  virNodeGetInfo(c) {
    checkConnect(c.handle(0), c.name);
    checkOut(c, 0, 'info');
    return mapResult(api.virNodeGetInfo(c.handle(0)), (info) => c.write(0, structTypes.virNodeInfo, info));
  },
  virConnectGetCapabilities: (c) => c.setString(api.virConnectGetCapabilities(c.handle(0))),
  virNodeGetSecurityModel(c) {
    checkConnect(c.handle(0), c.name);
    checkOut(c, 0, 'secmodel');
    return mapResult(api.virNodeGetSecurityModel(c.handle(0)), (model) => c.write(0, structTypes.virSecurityModel, model));
  },
  virConnectIsEncrypted: (c) => c.setBool(api.virConnectIsEncrypted(c.handle(0))),
  virConnectIsSecure: (c) => c.setBool(api.virConnectIsSecure(c.handle(0))),
  virConnectIsAlive: (c) => c.setBool(api.virConnectIsAlive(c.handle(0))),
};
