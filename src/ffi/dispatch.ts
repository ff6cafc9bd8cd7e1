import { toVirError } from '../ts/errors/index.js';
import { answeredLater, Call, operations, UnreportedFailure, type Args, type Handlers, type Operation } from './call.js';
import { checkCStrings, withCallerBytes, type CheckedStrings } from './c-strings.js';
import type { HandleTable } from './handle-table.js';
import { holdEventLoop } from './keep-alive.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/** The dispatcher's answers (native/src/abi/abi_bridge.h). 0 is not among them: koffi returns 0 to C when a
 * callback throws (ENGINEERING.md, koffi rule 4), which C then takes for a failure. */
const ABI_FAILED = -1;
const ABI_DONE = 1;
const ABI_PENDING = 2;

export type Dispatcher = (
  call: Pointer,
  fn: number,
  foreign: number,
  h0: number,
  h1: number,
  n0: number | bigint,
  n1: number | bigint,
  n2: number | bigint,
  s0: string | null,
  s1: string | null,
  p0: Pointer | null,
  p1: Pointer | null,
  p2: Pointer | null,
) => number;

/** An operation as the dispatcher serves it: its handler, the shape of its result, and where each of its
 * arguments is among the dispatcher's parameters. */
interface Served {
  readonly name: Operation;
  readonly handler: (args: Args<Operation>, call: Call) => unknown;
  readonly result: (typeof operations)[Operation]['result'];
  readonly args: readonly { readonly name: string; readonly kind: 'h' | 's' | 'n' | 'p'; readonly index: number }[];
  /** The names of its string arguments, in order, and how many handles it takes. */
  readonly strings: readonly string[];
  readonly handles: number;
}

/**
 * Maps the C operations (numbered in native/src/abi/abi_bridge.h, named by the bridge) to their handlers.
 * A C operation without a handler means the two sides drifted apart: refuse to start.
 */
function resolve(abi: NativeAbi, handlers: Handlers): Served[] {
  const table: Served[] = [];
  for (let fn = 0; ; fn++) {
    const name = abi.functionName(fn) as Operation | null;
    if (name === null) break;
    if (!Object.hasOwn(operations, name)) throw new Error(`tsvirt's C ABI serves ${name}, which abi.generated.ts does not describe`);
    const { result, args } = operations[name];
    const decoded = Object.entries(args).map(([arg, slot]: [string, string]) => ({
      name: arg,
      kind: slot[0] as 'h' | 's' | 'n' | 'p',
      index: Number(slot[1]),
    }));
    const handler = handlers[name] as Served['handler'] | undefined;
    if (!handler) throw new Error(`tsvirt's C ABI has no handler for ${name}`);
    table.push({
      name,
      handler,
      result,
      args: decoded,
      strings: decoded.filter((arg) => arg.kind === 's').map((arg) => arg.name),
      handles: decoded.filter((arg) => arg.kind === 'h').length,
    });
  }
  const missing = Object.keys(operations).filter((name) => !table.some((entry) => entry.name === name));
  if (missing.length > 0) throw new Error(`tsvirt's C ABI does not serve ${missing.join(', ')}: rebuild the native library`);
  return table;
}

/** Hands a failure's error to C, as the calling thread's last error to be, with the caller's own bytes
 * in place of the stand-ins of strings that were not UTF-8 (c-strings.ts). */
function report(abi: NativeAbi, call: Pointer, err: unknown, strings?: CheckedStrings): void {
  // libvirt's own failures without an error get its generic one, which C supplies.
  if (err instanceof UnreportedFailure) return;
  const { code, domain, level, message, str1, str2, str3, int1, int2 } = toVirError(err);
  const c = <T extends string | undefined>(text: T) =>
    text === undefined ? null : strings?.substitutions.length ? withCallerBytes(text, strings.substitutions) : text;
  abi.fail(call, code, domain, level, c(message)!, c(str1), c(str2), c(str3), int1, int2);
}

/**
 * The function C calls for every operation (registered once through koffi). It runs on the JavaScript
 * thread, at once for a caller on that thread, when taken from the ring (src/ffi/ring.ts) for any other.
 * A handler that answers later (a Promise) leaves a foreign caller waiting on its call until it is
 * settled; the caller on the JavaScript thread cannot wait and gets an error instead. Nothing thrown
 * escapes.
 */
export function createDispatcher(abi: NativeAbi, table: HandleTable, handlers: Handlers): Dispatcher {
  const served = resolve(abi, handlers);
  // The handles a call named may have lost their last reference in it.
  const sweep = (call: Call) => call.subjects().forEach((object) => table.sweep(object));

  return (pointer, fn, foreign, h0, h1, n0, n1, n2, s0, s1, p0, p1, p2) => {
    const operation = served[fn];
    if (!operation) return ABI_FAILED;
    const ids = [h0, h1];
    let strings: CheckedStrings | undefined;
    try {
      strings = checkCStrings(abi, pointer, operation.name, [s0, s1], operation.strings, () =>
        ids.slice(0, operation.handles).every((id) => table.object(id) !== undefined),
      );
    } catch (err) {
      report(abi, pointer, err);
      return ABI_FAILED;
    }
    if (strings.error) {
      report(abi, pointer, strings.error, strings);
      return ABI_FAILED;
    }
    const call = new Call(abi, table, pointer, operation.name, foreign !== 0, ids, p0);
    const args: Record<string, unknown> = {};
    for (const { name, kind, index } of operation.args) {
      if (kind === 'h') args[name] = table.object(ids[index]!);
      else if (kind === 's') args[name] = strings.strs[index];
      else if (kind === 'n') args[name] = Number(index === 0 ? n0 : index === 1 ? n1 : n2);
      else args[name] = index === 0 ? p0 : index === 1 ? p1 : p2;
    }
    try {
      const result = call.answer(operation.result, operation.handler(args as Args<Operation>, call) as never);
      if (!(result instanceof Promise)) {
        sweep(call);
        return ABI_DONE;
      }
      if (!call.foreign) {
        // A caller on this thread cannot wait for a later answer, so every operation that may answer later
        // refuses it before starting anything (Call.mayWait). Getting here means one did not: what it
        // started goes on, so say so rather than claim nothing happened.
        result.catch(() => {});
        throw answeredLater(operation.name);
      }
      const release = holdEventLoop();
      result
        .then(
          () => ABI_DONE,
          (err: unknown) => {
            report(abi, pointer, err, strings);
            return ABI_FAILED;
          },
        )
        .catch(() => ABI_FAILED)
        .then((status) => {
          // The caller returns as soon as this is done: nothing may touch the call afterwards.
          abi.settle(pointer, status);
          release();
          sweep(call);
        });
      return ABI_PENDING;
    } catch (err) {
      report(abi, pointer, err, strings);
      sweep(call);
      return ABI_FAILED;
    }
  };
}
