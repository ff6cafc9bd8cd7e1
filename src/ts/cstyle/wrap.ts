import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { MaybePromise } from '../drivers/driver.js';
import { reportError, resetLastError } from './last-error.js';

/**
 * Turns a throwing entry point into libvirt's calling convention: reset the last error, call, and on failure
 * record the error and return the failure value (NULL or -1). A driver that can only answer asynchronously
 * cannot serve a synchronous call on the event loop's thread: that is reported, never waited for.
 */
export function sync<A extends unknown[], R, F>(name: string, fn: (...args: A) => MaybePromise<R>, failed: F) {
  const call = (...args: A): R | F => {
    resetLastError();
    try {
      const result = fn(...args);
      if (result instanceof Promise) {
        result.catch(() => {});
        throw virError(
          ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
          ErrorDomain.VIR_FROM_NONE,
          `${name} cannot complete synchronously on this connection; use tsvirt's Promise-based API`,
        );
      }
      return result;
    } catch (err) {
      reportError(err, args[0]);
      return failed;
    }
  };
  // `fn.async(...)`: the same call for a connection whose driver answers later (a remote daemon's), as
  // libvirt's own call would block until the daemon answered.
  return Object.assign(call, { async: blocking(fn, failed) });
}

/** The same for functions whose libvirt twin blocks: the TypeScript form returns a Promise of the result. */
export function blocking<A extends unknown[], R, F>(fn: (...args: A) => MaybePromise<R>, failed: F) {
  return async (...args: A): Promise<R | F> => {
    resetLastError();
    try {
      return await fn(...args);
    } catch (err) {
      reportError(err, args[0]);
      return failed;
    }
  };
}

/** libvirt's tri-state predicates (virDomainIsActive, ...): 1 true, 0 false, -1 error. */
export function predicate<A extends unknown[]>(name: string, fn: (...args: A) => MaybePromise<boolean>) {
  const call = sync(name, fn, -1 as const);
  const tri = (result: boolean | -1): 1 | 0 | -1 => (result === -1 ? -1 : result ? 1 : 0);
  return Object.assign((...args: A): 1 | 0 | -1 => tri(call(...args)), {
    async: async (...args: A): Promise<1 | 0 | -1> => tri(await call.async(...args)),
  });
}
