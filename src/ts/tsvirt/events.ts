import * as events from '../api/events.js';
import { virDomainEventID } from '../core/enums.generated.js';
import type { VirConnect, VirDomain } from '../core/handles.js';
import { Domain } from './domain.js';

export type DomainEventName = 'defined' | 'undefined' | 'started' | 'suspended' | 'resumed' | 'stopped' | 'shutdown' | 'pmsuspended' | 'crashed';
const EVENT_NAMES: readonly DomainEventName[] = ['defined', 'undefined', 'started', 'suspended', 'resumed', 'stopped', 'shutdown', 'pmsuspended', 'crashed'];

/** A domain lifecycle event. */
export interface DomainLifecycleEvent {
  /** The domain; its `id` is the one the event names it by (a stopped domain's is -1, or its last id if transient). */
  domain: Domain;
  name: DomainEventName;
  /** virDomainEventType */
  event: number;
  /** the event's detail (virDomainEvent*DetailType of that event), e.g. STOPPED_SAVED */
  detail: number;
}

export interface DomainEventOptions {
  /** Only this domain's events. */
  domain?: Domain;
  /** Aborting the signal ends the iteration (after the events already received) and stops listening. */
  signal?: AbortSignal;
}

/**
 * Lifecycle events as an async iterator: listening starts when it is created (so an operation made right
 * after is not missed) and stops on `close()`, `break` out of `for await`, disposal or the signal. Events are
 * kept in order until read.
 */
export class DomainEvents implements AsyncIterableIterator<DomainLifecycleEvent>, Disposable {
  readonly #conn: VirConnect;
  readonly #signal?: AbortSignal;
  readonly #onClose: () => void;
  readonly #onAbort = () => this.close();
  #callbackId: number | null = null;
  #closed = false;
  readonly #queue: DomainLifecycleEvent[] = [];
  #waiting: ((result: IteratorResult<DomainLifecycleEvent>) => void) | null = null;
  /**
   * Settles once listening has started: at once for drivers of this process; for a remote daemon once it
   * has registered the callback (an event it sends before that cannot be seen). Rejects with the
   * registration's VirError, after which the iteration has ended.
   */
  readonly ready: Promise<void>;

  /** @internal Built by Connection.domainEvents; throws the registration's VirError. */
  constructor(conn: VirConnect, dom: VirDomain | null, signal: AbortSignal | undefined, onClose: () => void) {
    this.#conn = conn;
    this.#signal = signal;
    this.#onClose = onClose;
    if (signal?.aborted) {
      this.#closed = true;
      this.ready = Promise.resolve();
      return;
    }
    const id = events.virConnectDomainEventRegisterAny(conn, dom, virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (_c, d, event, detail) =>
      this.#push({ domain: new Domain(d.ref()), name: EVENT_NAMES[event] ?? 'defined', event, detail }),
    );
    // Drivers of this process answer at once; one answering later is listened to once it has.
    if (id instanceof Promise) {
      this.ready = id.then(
        (resolved) => {
          if (this.#closed) this.#deregister(resolved);
          else this.#callbackId = resolved;
        },
        (err: unknown) => {
          this.close();
          throw err;
        },
      );
      // Awaiting `ready` is optional: a failed registration also ends the iteration.
      this.ready.catch(() => {});
    } else {
      this.#callbackId = id;
      this.ready = Promise.resolve();
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  next(): Promise<IteratorResult<DomainLifecycleEvent>> {
    const event = this.#queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  async return(): Promise<IteratorResult<DomainLifecycleEvent>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops listening; events already received can still be read. Closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#callbackId !== null) this.#deregister(this.#callbackId);
    this.#callbackId = null;
    if (this.#waiting && this.#queue.length === 0) {
      const wake = this.#waiting;
      this.#waiting = null;
      wake({ value: undefined, done: true });
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #push(event: DomainLifecycleEvent): void {
    if (this.#closed) {
      event.domain.free();
      return;
    }
    if (this.#waiting) {
      const wake = this.#waiting;
      this.#waiting = null;
      wake({ value: event, done: false });
    } else this.#queue.push(event);
  }

  #deregister(id: number): void {
    // A connection already closed has dropped its callbacks with it.
    if (!this.#conn.alive) return;
    const done = events.virConnectDomainEventDeregisterAny(this.#conn, id);
    if (done instanceof Promise) done.catch(() => {});
  }
}
