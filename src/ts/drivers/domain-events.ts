import type { DomainRef, VirConnect } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import { virDomainEventID } from '../core/enums.generated.js';

/** A domain lifecycle event: what happened (virDomainEventType and its detail) and the domain as it was then. */
export interface DomainLifecycleEvent {
  /** name, UUID and the id at the moment of the event (not a live id: a stopped domain may report its last one) */
  readonly domain: DomainRef;
  readonly event: number;
  readonly detail: number;
}

export type DomainLifecycleCallback = (event: DomainLifecycleEvent) => void;

/** How a callback wants its events. */
export interface DomainEventOptions {
  /**
   * Deliver each event as it is emitted, inside the call that caused it (after the change is complete), as
   * libvirt's drivers queue their events: for a callback that only queues the event for another thread (the
   * C ABI's event loop), never for one that runs an application's code. Drivers whose events arrive from
   * elsewhere (a remote daemon) deliver them when they arrive either way.
   */
  readonly atEmit?: boolean;
}

interface Registration {
  readonly id: number;
  readonly conn: VirConnect;
  /** the UUID of the one domain the caller asked about, or null for all */
  readonly domainUuid: string | null;
  readonly eventID: number;
  readonly deliver: DomainLifecycleCallback;
  readonly atEmit: boolean;
}

/**
 * libvirt's per-driver event state (object_event.c) for drivers whose domains live in this process: the
 * callbacks registered by every connection sharing the driver's state, numbered from 0 in registration order
 * and never reused, and the events waiting to be delivered. Events are delivered on a later turn of the event
 * loop, in the order they happened, as libvirt's event loop timer does: never inside the call that caused them.
 */
export class DomainEventState {
  private nextId = 0;
  private registrations: Registration[] = [];
  private readonly queue: DomainLifecycleEvent[] = [];
  private flushScheduled = false;

  register(
    conn: VirConnect,
    domainUuid: string | null,
    eventID: number,
    deliver: DomainLifecycleCallback,
    options: DomainEventOptions = {},
  ): number {
    this.dropClosed();
    const id = this.nextId++;
    this.registrations.push({ id, conn, domainUuid, eventID, deliver, atEmit: options.atEmit === true });
    return id;
  }

  /** Only the connection that registered a callback may remove it; libvirt's error otherwise. */
  deregister(conn: VirConnect, id: number): void {
    const at = this.registrations.findIndex((r) => r.id === id && r.conn === conn);
    if (at < 0)
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `could not find event callback ${id} for deletion`);
    this.registrations.splice(at, 1);
  }

  /** How many callbacks are registered (connections that closed without deregistering no longer count). */
  get size(): number {
    this.dropClosed();
    return this.registrations.length;
  }

  emit(event: DomainLifecycleEvent): void {
    for (const r of [...this.registrations]) if (r.atEmit) this.deliver(r, event);
    this.queue.push(event);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    this.dropClosed();
    for (const event of this.queue.splice(0)) {
      for (const r of [...this.registrations]) {
        // A callback removed by an earlier one (or its connection closed) gets nothing more.
        if (r.atEmit || !this.registrations.includes(r)) continue;
        this.deliver(r, event);
      }
    }
  }

  private deliver(r: Registration, event: DomainLifecycleEvent): void {
    if (!r.conn.alive) return;
    if (r.eventID !== virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE) return;
    if (r.domainUuid !== null && r.domainUuid !== event.domain.uuid) return;
    try {
      r.deliver(event);
    } catch (err) {
      process.emitWarning(`tsvirt: a domain event callback failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A connection that closed takes its callbacks with it. */
  private dropClosed(): void {
    if (this.registrations.some((r) => !r.conn.alive)) this.registrations = this.registrations.filter((r) => r.conn.alive);
  }
}
