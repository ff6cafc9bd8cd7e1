import { VirDomain, type VirConnect } from '../core/handles.js';
import type { MaybePromise } from '../drivers/driver.js';
import type { DomainEventOptions, DomainLifecycleEvent } from '../drivers/domain-events.js';
import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';
import { checkConnect, checkDomain, checkNonNegative, checkNonNull, mapResult, slot } from './check.js';
import { virDomainEventID } from '../core/enums.generated.js';

/**
 * Domain event entry points (libvirt's virConnectDomainEventRegisterAny / DeregisterAny). Drivers deliver
 * lifecycle events only; a callback registered for another event id is accepted and never called, as with
 * libvirt's test driver, which emits no other event for the operations tsvirt has.
 */
const FROM = ErrorDomain.VIR_FROM_DOMAIN;

/** VIR_DOMAIN_EVENT_ID_LAST of libvirt 9.0: valid event ids are 0 to 26. */
export const DOMAIN_EVENT_ID_LAST = virDomainEventID.VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1;

/**
 * libvirt's virConnectDomainEventCallback. `dom` is a handle made for the call and released after it, as
 * libvirt frees it: take a reference (virDomainRef) to keep it. Its id is the domain's id at the event.
 */
export type virConnectDomainEventCallback = (conn: VirConnect, dom: VirDomain, event: number, detail: number, opaque: unknown) => void;
export type virFreeCallback = (opaque: unknown) => void;

/** What deregistering a callback must release: the caller's freecb, by connection and callback id. */
const releases = new WeakMap<VirConnect, Map<number, () => void>>();

/**
 * virConnectDomainEventRegisterAny's checks of its arguments and of the driver, in libvirt's order, for the
 * faces that keep a callback of their own kind (the C ABI's is a function pointer): a function's type is
 * checked by the caller.
 */
export function checkDomainEventRegistration(conn: unknown, dom: unknown, eventID: unknown, cb: unknown): asserts conn is VirConnect {
  const fn = 'virConnectDomainEventRegisterAny';
  checkConnect(conn, fn);
  if (dom !== null && dom !== undefined) {
    checkDomain(dom, fn);
    if (dom.conn !== conn) throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `domain '${dom.name}' must match connection`);
  }
  checkNonNull(cb, 'cb', fn);
  checkNonNegative(eventID, 'eventID', fn, FROM);
  if (eventID >= DOMAIN_EVENT_ID_LAST)
    throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `eventID must be less than ${DOMAIN_EVENT_ID_LAST}`);
  // A driver without events says so before anything is set up for the callback (the C ABI's timer).
  slot(conn.drivers.hypervisor, 'connectDomainEventRegisterAny', fn);
}

export function virConnectDomainEventRegisterAny(
  conn: VirConnect,
  dom: VirDomain | null,
  eventID: number,
  cb: virConnectDomainEventCallback,
  opaque: unknown = null,
  freecb: virFreeCallback | null = null,
): MaybePromise<number> {
  return registerAny(conn, dom, eventID, cb, opaque, freecb, {});
}

/**
 * virConnectDomainEventRegisterAny for a face whose callback only queues each event for another thread (the
 * C ABI's event loop): the driver may call it inside the call that caused the event, as libvirt's drivers
 * queue their events (DomainEventOptions.atEmit). Never for a callback that runs an application's code.
 */
export function virConnectDomainEventRegisterAnyAtEmit(
  conn: VirConnect,
  dom: VirDomain | null,
  eventID: number,
  cb: virConnectDomainEventCallback,
): MaybePromise<number> {
  return registerAny(conn, dom, eventID, cb, null, null, { atEmit: true });
}

function registerAny(
  conn: VirConnect,
  dom: VirDomain | null,
  eventID: number,
  cb: virConnectDomainEventCallback,
  opaque: unknown,
  freecb: virFreeCallback | null,
  options: DomainEventOptions,
): MaybePromise<number> {
  const fn = 'virConnectDomainEventRegisterAny';
  checkDomainEventRegistration(conn, dom, eventID, cb);
  if (typeof cb !== 'function') throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, FROM, `cb in ${fn} must be a function`);
  const deliver = (event: DomainLifecycleEvent) => {
    const handle = new VirDomain(conn, event.domain);
    try {
      cb(conn, handle, event.event, event.detail, opaque);
    } finally {
      handle.unref();
    }
  };
  const register = slot(conn.drivers.hypervisor, 'connectDomainEventRegisterAny', fn);
  return mapResult(register(conn, dom ?? null, eventID, deliver, options), (id) => {
    if (freecb) {
      let byId = releases.get(conn);
      if (!byId) releases.set(conn, (byId = new Map()));
      byId.set(id, () => freecb(opaque));
    }
    return id;
  });
}

export function virConnectDomainEventDeregisterAny(conn: VirConnect, callbackID: number): MaybePromise<number> {
  const fn = 'virConnectDomainEventDeregisterAny';
  checkConnect(conn, fn);
  checkNonNegative(callbackID, 'callbackID', fn, FROM);
  const deregister = slot(conn.drivers.hypervisor, 'connectDomainEventDeregisterAny', fn);
  return mapResult(deregister(conn, callbackID), () => {
    const byId = releases.get(conn);
    const release = byId?.get(callbackID);
    byId?.delete(callbackID);
    release?.();
    return 0;
  });
}
