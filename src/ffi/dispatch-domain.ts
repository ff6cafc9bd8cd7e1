import { checkConnect, checkDomain, mapResult } from '../ts/api/check.js';
import * as api from '../ts/api/domain.js';
import * as events from '../ts/api/events.js';
import { structTypes } from './abi-types.js';
import { checkArray, checkOut, readRawUuid, writeRawUuid, writeUuidString } from './c-args.js';
import { writeOut, type Call, type Handlers } from './call.js';
import type { DomainEventCallbacks } from './domain-event-callbacks.js';

/** libvirt-domain.h, served by src/ts/api/domain.ts. */

/** A function that waits for its job: its handle is checked first, as in libvirt, then the thread. */
function waitingOnDomain(c: Call, dom: unknown): void {
  checkDomain(dom, c.name);
  c.mayWait();
}

function waitingOnConnect(c: Call, conn: unknown, fn = c.name): void {
  checkConnect(conn, fn);
  c.mayWait();
}

export const domainHandlers = {
  virConnectListDomains({ conn, ids, maxids }, c) {
    checkConnect(conn, c.name);
    checkArray(c, { ids }, { maxids });
    return c.putInts(api.virConnectListDomains(conn, maxids));
  },
  virConnectNumOfDomains: ({ conn }) => api.virConnectNumOfDomains(conn),
  virDomainGetConnect: ({ domain }) => api.virDomainGetConnect(domain),
  virDomainCreateXML({ conn, xmlDesc, flags }, c) {
    waitingOnConnect(c, conn);
    return api.virDomainCreateXML(conn, xmlDesc, flags);
  },
  virDomainLookupByName: ({ conn, name }) => api.virDomainLookupByName(conn, name),
  virDomainLookupByID: ({ conn, id }) => api.virDomainLookupByID(conn, id),
  virDomainLookupByUUID({ conn, uuid }, c) {
    checkConnect(conn, c.name);
    checkOut(c, { uuid });
    return api.virDomainLookupByUUIDString(conn, readRawUuid(uuid));
  },
  virDomainLookupByUUIDString: ({ conn, uuid }) => api.virDomainLookupByUUIDString(conn, uuid),
  virDomainShutdown: ({ domain }) => api.virDomainShutdown(domain),
  virDomainShutdownFlags: ({ domain, flags }) => api.virDomainShutdownFlags(domain, flags),
  virDomainReboot: ({ domain, flags }) => api.virDomainReboot(domain, flags),
  virDomainDestroy: ({ domain }) => api.virDomainDestroy(domain),
  virDomainDestroyFlags: ({ domain, flags }) => api.virDomainDestroyFlags(domain, flags),
  virDomainRef: ({ domain }) => api.virDomainRef(domain),
  virDomainFree: ({ domain }) => api.virDomainFree(domain),
  virDomainSuspend: ({ domain }) => api.virDomainSuspend(domain),
  virDomainResume: ({ domain }) => api.virDomainResume(domain),
  virDomainSave({ domain, to }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainSave(domain, to);
  },
  virDomainSaveFlags({ domain, to, dxml, flags }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainSaveFlags(domain, to, dxml, flags);
  },
  virDomainRestore({ conn, from }, c) {
    waitingOnConnect(c, conn);
    return api.virDomainRestore(conn, from);
  },
  virDomainRestoreFlags({ conn, from, dxml, flags }, c) {
    waitingOnConnect(c, conn);
    return api.virDomainRestoreFlags(conn, from, dxml, flags);
  },
  virDomainHasManagedSaveImage: ({ dom, flags }) => api.virDomainHasManagedSaveImage(dom, flags),
  virDomainCoreDump({ domain, to, flags }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainCoreDump(domain, to, flags);
  },
  virDomainCoreDumpWithFormat({ domain, to, dumpformat, flags }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainCoreDumpWithFormat(domain, to, dumpformat, flags);
  },
  virDomainGetInfo({ domain, info }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { info });
    return mapResult(api.virDomainGetInfo(domain), (value) => writeOut(info, structTypes.virDomainInfo, value));
  },
  virDomainGetState({ domain, state, reason, flags }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { state });
    return mapResult(api.virDomainGetState(domain, flags), (value) => {
      writeOut(state, 'int', value.state);
      if (reason !== null) writeOut(reason, 'int', value.reason);
    });
  },
  virDomainGetName: ({ domain }) => api.virDomainGetName(domain),
  virDomainGetID: ({ domain }) => api.virDomainGetID(domain),
  virDomainGetUUID({ domain, uuid }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { uuid });
    writeRawUuid(uuid, api.virDomainGetUUIDString(domain));
  },
  virDomainGetUUIDString({ domain, buf }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { buf });
    writeUuidString(buf, api.virDomainGetUUIDString(domain));
  },
  virDomainGetOSType: ({ domain }) => api.virDomainGetOSType(domain),
  virDomainGetMaxMemory: ({ domain }) => api.virDomainGetMaxMemory(domain),
  virDomainGetSecurityLabel({ domain, seclabel }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { seclabel });
    return mapResult(api.virDomainGetSecurityLabel(domain), ({ label, enforcing }) =>
      writeOut(seclabel, structTypes.virSecurityLabel, { label, enforcing: enforcing ? 1 : 0 }),
    );
  },
  virDomainGetXMLDesc: ({ domain, flags }) => api.virDomainGetXMLDesc(domain, flags),
  virDomainDefineXML: ({ conn, xml }) => api.virDomainDefineXML(conn, xml),
  virDomainDefineXMLFlags: ({ conn, xml, flags }) => api.virDomainDefineXMLFlags(conn, xml, flags),
  virDomainUndefine: ({ domain }) => api.virDomainUndefine(domain),
  virDomainUndefineFlags: ({ domain, flags }) => api.virDomainUndefineFlags(domain, flags),
  virConnectNumOfDefinedDomains: ({ conn }) => api.virConnectNumOfDefinedDomains(conn),
  virConnectListDefinedDomains({ conn, names, maxnames }, c) {
    checkConnect(conn, c.name);
    checkArray(c, { names }, { maxnames });
    return c.putNames(api.virConnectListDefinedDomains(conn, maxnames));
  },
  virConnectListAllDomains: ({ conn, flags }) => api.virConnectListAllDomains(conn, flags),
  virDomainCreate({ domain }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainCreate(domain);
  },
  virDomainCreateWithFlags({ domain, flags }, c) {
    waitingOnDomain(c, domain);
    return api.virDomainCreateWithFlags(domain, flags);
  },
  virDomainGetAutostart({ domain, autostart }, c) {
    checkDomain(domain, c.name);
    checkOut(c, { autostart });
    return mapResult(api.virDomainGetAutostart(domain), (on) => writeOut(autostart, 'int', on ? 1 : 0));
  },
  // libvirt's virDomainCreateLinux is virDomainCreateXML under its first name, errors included.
  virDomainCreateLinux({ conn, xmlDesc, flags }, c) {
    waitingOnConnect(c, conn, 'virDomainCreateXML');
    return api.virDomainCreateXML(conn, xmlDesc, flags);
  },
  virDomainIsActive: ({ dom }) => api.virDomainIsActive(dom),
  virDomainIsPersistent: ({ dom }) => api.virDomainIsPersistent(dom),
  virDomainGetJobInfo({ dom, info }, c) {
    checkDomain(dom, c.name);
    checkOut(c, { info });
    return mapResult(api.virDomainGetJobInfo(dom), (value) => writeOut(info, structTypes.virDomainJobInfo, value));
  },
  virDomainAbortJob: ({ dom }) => api.virDomainAbortJob(dom),
} satisfies Partial<Handlers>;

/** The domain event functions of libvirt-domain.h, whose C callbacks `callbacks` keeps. */
export function domainEventHandlers(callbacks: DomainEventCallbacks) {
  return {
    virConnectDomainEventRegisterAny({ conn, dom, eventID, cb, opaque, freecb }) {
      events.checkDomainEventRegistration(conn, dom, eventID, cb);
      return callbacks.register(conn, dom ?? null, eventID, cb!, opaque, freecb);
    },
    virConnectDomainEventDeregisterAny: ({ conn, callbackID }) =>
      mapResult(events.virConnectDomainEventDeregisterAny(conn, callbackID), () => {
        callbacks.deregistered(conn, callbackID);
        return 0;
      }),
  } satisfies Partial<Handlers>;
}
