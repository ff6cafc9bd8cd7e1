/**
 * A set of listeners that cannot hurt whoever notifies them or each other. Many observers come and go while
 * a job runs (tsvirsh's progress line, a Job<T>'s iterator, the daemon's clients), so:
 *
 * - a listener that throws, or returns a promise that rejects, is reported (see `reportListenerError`) and
 *   the notification goes on to the others; the notifier never sees the error;
 * - subscribing or unsubscribing during a notification is safe: a listener removed meanwhile is not called
 *   any more, one added meanwhile is called from the next notification on;
 * - each subscription is removed by the function `add` returned, once (calling it again does nothing).
 *
 * The list is copied on change, not on notification: jobs notify often and subscribe rarely.
 */
export class ObserverSet<A extends unknown[]> {
  #entries: readonly Entry<A>[] = [];

  get size(): number {
    return this.#entries.length;
  }

  add(listener: (...args: A) => unknown): () => void {
    const entry: Entry<A> = { listener, active: true };
    this.#entries = [...this.#entries, entry];
    return () => {
      if (!entry.active) return;
      entry.active = false;
      this.#entries = this.#entries.filter((e) => e !== entry);
    };
  }

  notify(...args: A): void {
    for (const entry of this.#entries) if (entry.active) call(entry.listener, args);
  }
}

interface Entry<A extends unknown[]> {
  readonly listener: (...args: A) => unknown;
  active: boolean;
}

/** Calls one listener, isolated: its error goes to `reportListenerError`, never to the caller. */
function call<A extends unknown[]>(listener: (...args: A) => unknown, args: A): void {
  try {
    const returned = listener(...args);
    if (isThenable(returned)) returned.then(undefined, (err: unknown) => reportListenerError(listener, err));
  } catch (err) {
    reportListenerError(listener, err);
  }
}

const reported = new WeakSet<object>();

/**
 * A listener's bug is reported as a process warning (the 'warning' event; Node prints it to stderr unless
 * run with --no-warnings), once per listener so a listener failing on every progress tick does not flood
 * the output. It is not rethrown: an uncaught exception would end the process and every job in it.
 */
export function reportListenerError(listener: object, err: unknown): void {
  if (reported.has(listener)) return;
  reported.add(listener);
  const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  process.emitWarning(`A job listener threw; the job and its other listeners went on. ${firstLine(detail)}`, {
    type: 'TsvirtJobListenerWarning',
    code: LISTENER_WARNING_CODE,
    detail,
  });
}

export const LISTENER_WARNING_CODE = 'TSVIRT_JOB_LISTENER_THREW';

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
