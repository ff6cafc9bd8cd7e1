import { afterEach, expect } from 'vitest';
import { virConnectClose, virConnectOpen, virConnectOpenReadOnly } from '../../src/ts/api/connect.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { VirError } from '../../src/ts/errors/index.js';

/** Helpers for tests of the entry points on the test driver. */

const opened: VirConnect[] = [];

/** Opens a connection that is closed for good after the test, whatever handles the test left behind. */
export async function open(uri = 'test:///default', readOnly = false): Promise<VirConnect> {
  const conn = await (readOnly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri));
  opened.push(conn);
  return conn;
}

/** Every connection of a test is closed after it, so the next one starts from libvirt's default state. */
afterEach(() => {
  for (const conn of opened.splice(0)) while (conn.alive) virConnectClose(conn);
});

/** The test driver answers synchronously: a Promise here would be a bug. */
export function now<T>(value: T | Promise<T>): T {
  if (value instanceof Promise) throw new Error('expected a synchronous answer');
  return value;
}

/** The error `fn` throws or rejects with. */
export async function failure(fn: () => unknown): Promise<VirError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof VirError) return err;
    throw err;
  }
  throw new Error('expected a VirError');
}

export async function expectError(fn: () => unknown, code: number, domain: number, message: string): Promise<void> {
  const err = await failure(fn);
  expect({ code: err.code, domain: err.domain, message: err.message }).toEqual({ code, domain, message });
}

export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
