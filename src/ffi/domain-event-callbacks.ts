import koffi from 'koffi';
import * as events from '../ts/api/events.js';
import { mapResult } from '../ts/api/check.js';
import type { VirConnect, VirDomain } from '../ts/core/handles.js';
import type { MaybePromise } from '../ts/drivers/driver.js';
import { ErrorDomain, ErrorNumber, virError } from '../ts/errors/index.js';
import type { HandleTable } from './handle-table.js';
import { holdEventLoop } from './keep-alive.js';
import type { NativeAbi, Pointer } from './native-abi.js';

interface Registration {
  readonly eventID: number;
  /** the UUID of the domain it is for, null for every domain */
  readonly domainUuid: string | null;
  /** the C function's address: libvirt refuses the same one twice for the same event and domain */
  readonly cb: bigint;
}

/**
 * The domain event callbacks of C programs (virConnectDomainEventRegisterAny). Each is registered with the
 * same entry point tsvirtd and the TypeScript APIs use (src/ts/api/events.ts); its events are queued, each
 * with a domain handle made for the call, into native/src/abi/abi_event.h's queue, from which the
 * program's event loop (virEventRunDefaultImpl) calls the C function on the loop's thread.
 *
 * As in libvirt, a registration holds a reference on its connection until it is deregistered (so
 * virConnectClose returns 1 meanwhile and the events keep coming), and the callbacks share one timer of
 * the event loop, added with the first: registering without an event loop implementation fails as
 * libvirt's does. The event loop stays alive while any is registered (the loop's thread calls in to free
 * the domain handles: ENGINEERING.md, koffi rule 2).
 */
export class DomainEventCallbacks {
  private readonly byConnection = new Map<VirConnect, Map<number, Registration>>();
  private count = 0;
  private releaseLoop: (() => void) | null = null;

  constructor(
    private readonly abi: NativeAbi,
    private readonly table: HandleTable,
  ) {}

  register(
    conn: VirConnect,
    dom: VirDomain | null,
    eventID: number,
    cb: Pointer,
    opaque: Pointer | null,
    freecb: Pointer | null,
  ): MaybePromise<number> {
    if (this.abi.eventTimerAcquire() !== 0)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, 'could not initialize domain event timer');
    let registered: MaybePromise<number>;
    const domainUuid = dom?.uuid ?? null;
    const address = BigInt(koffi.address(cb));
    const connPointer = this.table.pointer(conn);
    let id = -1;
    try {
      const known = [...(this.byConnection.get(conn)?.values() ?? [])];
      if (known.some((r) => r.eventID === eventID && r.domainUuid === domainUuid && r.cb === address))
        throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, 'event callback already tracked');
      // Queued as the driver emits each event, inside the call that caused it, as libvirt's drivers queue
      // theirs: the callback only hands the event to C.
      registered = events.virConnectDomainEventRegisterAnyAtEmit(conn, dom, eventID, (_conn, domain, event, detail) =>
        this.post(connPointer, id, domain, event, detail),
      );
    } catch (err) {
      this.abi.eventTimerRelease();
      throw err;
    }
    if (registered instanceof Promise)
      registered = registered.catch((err: unknown) => {
        this.abi.eventTimerRelease();
        throw err;
      });
    return mapResult(registered, (callbackID) => {
      id = callbackID;
      if (this.abi.eventCallbackAdd(connPointer, id, cb, opaque, freecb) !== 0) {
        events.virConnectDomainEventDeregisterAny(conn, id);
        this.abi.eventTimerRelease();
        throw virError(ErrorNumber.VIR_ERR_NO_MEMORY, ErrorDomain.VIR_FROM_NONE, 'no room for another event callback');
      }
      let registrations = this.byConnection.get(conn);
      if (!registrations) this.byConnection.set(conn, (registrations = new Map()));
      registrations.set(id, { eventID, domainUuid, cb: address });
      conn.ref();
      if (this.count++ === 0) this.releaseLoop = holdEventLoop();
      return id;
    });
  }

  /** The entry point removed callback `id` of `conn`; C then forgets it and calls its freecb. */
  deregistered(conn: VirConnect, id: number): void {
    const registrations = this.byConnection.get(conn);
    if (!registrations?.delete(id)) return;
    if (registrations.size === 0) this.byConnection.delete(conn);
    conn.unref();
    if (--this.count === 0) {
      this.releaseLoop?.();
      this.releaseLoop = null;
    }
  }

  /** Queues an event for C (the first one queued arms the timer), with a reference on its domain handle that
   * the dispatch gives back. */
  private post(conn: Pointer, id: number, domain: VirDomain, event: number, detail: number): void {
    domain.ref();
    if (this.abi.eventPost(conn, id, this.table.pointer(domain), event, detail) === 0) return;
    // Deregistered meanwhile, or no memory: nothing will call back for it.
    domain.unref();
    this.table.sweep(domain);
  }
}
