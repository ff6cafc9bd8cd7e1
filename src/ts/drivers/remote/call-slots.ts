// How many long blocking calls (a save, a dump, a restore, a volume wipe...) one remote connection has
// outstanding at once. libvirtd reads at most max_client_requests calls of one client at a time (5 by
// default, libvirtd.conf) and leaves the rest unread in the socket: with five saves outstanding, the progress
// polls and the abort of those very saves would wait behind them until one ended. And a poll can itself be
// held by the daemon for seconds (libvirt answers no job query while QEMU shuts down at the end of a save).
// So the budget of five is split: at most `limit` (3) long calls, at most one poll at a time for all the
// connection's domains (job-watch.ts), and one request left for everything else (an abort, the program's own
// calls). More jobs wait in order for a slot; a job cancelled while it waits ends without ever calling.

/** The process's default; tests and programs facing a daemon with another max_client_requests change it. */
export const callSlotDefaults = { limit: 3 };

interface Waiter {
  grant(): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class CallSlots {
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(readonly limit: number = callSlotDefaults.limit) {}

  /** Calls holding a slot now. */
  get running(): number {
    return this.#running;
  }

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** The function that gives the slot back if one is free now, else null (nothing taken). */
  tryAcquire(): (() => void) | null {
    if (this.#running >= this.limit) return null;
    this.#running++;
    return this.#releaser();
  }

  /**
   * Resolves with the function that gives the slot back (call it exactly once) when a slot is free; rejects with
   * the signal's reason if it is aborted first, without taking one.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.limit) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const entry: Waiter = {
        grant: () => resolve(this.#releaser()),
        signal,
      };
      if (signal) {
        entry.onAbort = () => {
          const at = this.#queue.indexOf(entry);
          if (at >= 0) this.#queue.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (!next) {
        this.#running--;
        return;
      }
      // The slot passes straight to the next waiter: the count stays.
      if (next.onAbort) next.signal!.removeEventListener('abort', next.onAbort);
      next.grant();
    };
  }
}

const slots = new WeakMap<object, CallSlots>();

/** The slots of one connection (keyed by its RemoteConnection). */
export function callSlotsOf(connection: object): CallSlots {
  let s = slots.get(connection);
  if (!s) slots.set(connection, (s = new CallSlots()));
  return s;
}
