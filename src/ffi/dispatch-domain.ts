import { checkConnect, checkDomain, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/domain.js';
import { structTypes } from './abi-types.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import type { Call, Handlers } from './call.js';

/** libvirt-domain.h, served by src/ts/api/domain.ts. */

/** A function that waits for its job: its handle is checked first, as in libvirt, then the thread. */
function waitingOnDomain(c: Call): void {
  checkDomain(c.handle(0), c.name);
  c.mayWait();
}

function waitingOnConnect(c: Call, fn = c.name): void {
  checkConnect(c.handle(0), fn);
  c.mayWait();
}

export const domainHandlers: Handlers = {
  virConnectListDomains(c) {
    checkConnect(c.handle(0), c.name);
    checkArray(c, 'ids', 'maxids', c.num(0));
    return c.putInts(api.virConnectListDomains(c.handle(0), c.num(0)));
  },
  virConnectNumOfDomains: (c) => c.setInt(api.virConnectNumOfDomains(c.handle(0))),
  virDomainGetConnect: (c) => c.setHandle(api.virDomainGetConnect(c.handle(0))),
  virDomainCreateXML(c) {
    waitingOnConnect(c);
    return c.setHandle(api.virDomainCreateXML(c.handle(0), c.text(0), c.num(0)));
  },
  virDomainLookupByName: (c) => c.setHandle(api.virDomainLookupByName(c.handle(0), c.text(0))),
  virDomainLookupByID: (c) => c.setHandle(api.virDomainLookupByID(c.handle(0), c.num(0))),
  virDomainLookupByUUID(c) {
    checkConnect(c.handle(0), c.name);
    checkOut(c, 0, 'uuid');
    return c.setHandle(api.virDomainLookupByUUIDString(c.handle(0), readRawUuid(c, 0)));
  },
  virDomainLookupByUUIDString: (c) => c.setHandle(api.virDomainLookupByUUIDString(c.handle(0), c.text(0))),
  virDomainShutdown: (c) => c.setInt(api.virDomainShutdown(c.handle(0))),
  virDomainShutdownFlags: (c) => c.setInt(api.virDomainShutdownFlags(c.handle(0), c.num(0))),
  virDomainReboot: (c) => c.setInt(api.virDomainReboot(c.handle(0), c.num(0))),
  virDomainDestroy: (c) => c.setInt(api.virDomainDestroy(c.handle(0))),
  virDomainDestroyFlags: (c) => c.setInt(api.virDomainDestroyFlags(c.handle(0), c.num(0))),
  virDomainRef: (c) => c.setInt(api.virDomainRef(c.handle(0))),
  virDomainFree: (c) => c.setInt(api.virDomainFree(c.handle(0))),
  virDomainSuspend: (c) => c.setInt(api.virDomainSuspend(c.handle(0))),
  virDomainResume: (c) => c.setInt(api.virDomainResume(c.handle(0))),
  virDomainSave(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainSave(c.handle(0), c.text(0)));
  },
  virDomainSaveFlags(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainSaveFlags(c.handle(0), c.text(0), c.str(1), c.num(0)));
  },
  virDomainRestore(c) {
    waitingOnConnect(c);
    return c.setInt(api.virDomainRestore(c.handle(0), c.text(0)));
  },
  virDomainRestoreFlags(c) {
    waitingOnConnect(c);
    return c.setInt(api.virDomainRestoreFlags(c.handle(0), c.text(0), c.str(1), c.num(0)));
  },
  virDomainHasManagedSaveImage: (c) => c.setBool(api.virDomainHasManagedSaveImage(c.handle(0), c.num(0))),
  virDomainCoreDump(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainCoreDump(c.handle(0), c.text(0), c.num(0)));
  },
  virDomainCoreDumpWithFormat(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainCoreDumpWithFormat(c.handle(0), c.text(0), c.num(0), c.num(1)));
  },
  virDomainGetInfo(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'info');
    return mapResult(api.virDomainGetInfo(c.handle(0)), (info) => c.write(0, structTypes.virDomainInfo, info));
  },
  virDomainGetState(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'state');
    return mapResult(api.virDomainGetState(c.handle(0), c.num(0)), ({ state, reason }) => {
      c.write(0, 'int', state);
      if (c.ptr(1) !== null) c.write(1, 'int', reason);
    });
  },
  virDomainGetName: (c) => c.setString(api.virDomainGetName(c.handle(0))),
  virDomainGetID: (c) => c.setInt(api.virDomainGetID(c.handle(0))),
  virDomainGetUUID(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'uuid');
    writeRawUuid(c, 0, api.virDomainGetUUIDString(c.handle(0)));
  },
  virDomainGetUUIDString(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'buf');
    writeUuidString(c, 0, api.virDomainGetUUIDString(c.handle(0)));
  },
  virDomainGetOSType: (c) => c.setString(api.virDomainGetOSType(c.handle(0))),
  virDomainGetMaxMemory: (c) => c.setInt(api.virDomainGetMaxMemory(c.handle(0))),
  virDomainGetSecurityLabel(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'seclabel');
    return mapResult(api.virDomainGetSecurityLabel(c.handle(0)), ({ label, enforcing }) =>
      c.write(0, structTypes.virSecurityLabel, { label, enforcing: enforcing ? 1 : 0 }),
    );
  },
  virDomainGetXMLDesc: (c) => c.setString(api.virDomainGetXMLDesc(c.handle(0), c.num(0))),
  virDomainDefineXML: (c) => c.setHandle(api.virDomainDefineXML(c.handle(0), c.text(0))),
  virDomainDefineXMLFlags: (c) => c.setHandle(api.virDomainDefineXMLFlags(c.handle(0), c.text(0), c.num(0))),
  virDomainUndefine: (c) => c.setInt(api.virDomainUndefine(c.handle(0))),
  virDomainUndefineFlags: (c) => c.setInt(api.virDomainUndefineFlags(c.handle(0), c.num(0))),
  virConnectNumOfDefinedDomains: (c) => c.setInt(api.virConnectNumOfDefinedDomains(c.handle(0))),
  virConnectListDefinedDomains(c) {
    checkConnect(c.handle(0), c.name);
    checkArray(c, 'names', 'maxnames', c.num(0));
    return c.putNames(api.virConnectListDefinedDomains(c.handle(0), c.num(0)));
  },
  virConnectListAllDomains: (c) => c.setList(api.virConnectListAllDomains(c.handle(0), c.num(0))),
  virDomainCreate(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainCreate(c.handle(0)));
  },
  virDomainCreateWithFlags(c) {
    waitingOnDomain(c);
    return c.setInt(api.virDomainCreateWithFlags(c.handle(0), c.num(0)));
  },
  virDomainGetAutostart(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'autostart');
    return mapResult(api.virDomainGetAutostart(c.handle(0)), (on) => c.write(0, 'int', on ? 1 : 0));
  },
  // libvirt's virDomainCreateLinux is virDomainCreateXML under its first name, errors included.
  virDomainCreateLinux(c) {
    waitingOnConnect(c, 'virDomainCreateXML');
    return c.setHandle(api.virDomainCreateXML(c.handle(0), c.text(0), c.num(0)));
  },
  virDomainIsActive: (c) => c.setBool(api.virDomainIsActive(c.handle(0))),
  virDomainIsPersistent: (c) => c.setBool(api.virDomainIsPersistent(c.handle(0))),
  virDomainGetJobInfo(c) {
    checkDomain(c.handle(0), c.name);
    checkOut(c, 0, 'info');
    return mapResult(api.virDomainGetJobInfo(c.handle(0)), (info) => c.write(0, structTypes.virDomainJobInfo, info));
  },
  virDomainAbortJob: (c) => c.setInt(api.virDomainAbortJob(c.handle(0))),
};
