import koffi, { type TypeObject } from 'koffi';
import type { MaybePromise } from '../ts/drivers/driver.js';
import type { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol, VirStream } from '../ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../ts/errors/index.js';
import type { VirJob } from '../ts/jobs/job.js';
import { mapResult } from '../ts/api/check.js';
import { abiCalls } from './abi.generated.js';
import type { Handled, HandleTable } from './handle-table.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/**
 * One C call being served (native/src/abi/abi_bridge.h). Its handler gets the arguments by the names the
 * header gives them, typed from their C types (Args), and returns the result, which the dispatcher writes for
 * C by the shape of the function's C result; errors are thrown, as everywhere in tsvirt, and reach C as the
 * thread's last error. The Call itself serves what only some functions need: waiting, out-parameters, arrays.
 */

/** The bridge's own operations (abi_bridge.h: ABI_FUNCTIONS, after the public ones), described as gen-abi.mjs
 * describes the public ones in abiCalls. */
const bridgeCalls = {
  abiJobCallbackDone: { result: 'int', args: { job: 'h0:job' } },
} as const;

/** Every operation the dispatcher serves: where its arguments travel and the shape of its result. */
export const operations = { ...abiCalls, ...bridgeCalls };
export type Operation = keyof typeof operations;

/** The object behind each kind of handle argument (abiCalls's hN:kind). */
interface HandleTypes {
  connect: VirConnect;
  domain: VirDomain;
  network: VirNetwork;
  storagePool: VirStoragePool;
  storageVol: VirStorageVol;
  job: VirJob;
  stream: VirStream;
}

/**
 * An argument's type from its slot. The types are those of a well-behaved caller: a NULL string arrives as
 * null and a NULL, freed or foreign handle as undefined, which the TypeScript entry point's checks report in
 * libvirt's words (as they do for a JavaScript caller, who could pass anything).
 */
type ArgType<Slot> = Slot extends `h${number}:${infer Kind extends keyof HandleTypes}`
  ? HandleTypes[Kind]
  : Slot extends `s${number}`
    ? string
    : Slot extends `n${number}`
      ? number
      : Pointer | null;

type Spec<F extends Operation> = (typeof operations)[F];
export type Args<F extends Operation> = { -readonly [A in keyof Spec<F>['args']]: ArgType<Spec<F>['args'][A]> };

/** What a handler returns, by the shape of the C result: an int (a boolean is 1 or 0; nothing leaves 0), a
 * handle, a string, a new array of handles, or a raw pointer. */
interface Results {
  int: number | boolean | void;
  handle: Handled | null;
  string: string;
  list: Handled[];
  pointer: Pointer | null;
}

export type Handler<F extends Operation> = (args: Args<F>, call: Call) => MaybePromise<Results[Spec<F>['result']]>;
export type Handlers = { [F in Operation]: Handler<F> };

/** Thrown to fail the way libvirt fails when nothing recorded an error (its "cause is unknown" error). */
export class UnreportedFailure extends Error {}

export class Call {
  constructor(
    private readonly abi: NativeAbi,
    private readonly table: HandleTable,
    /** The C abi_call being answered; invalid once the call is over. */
    readonly pointer: Pointer,
    /** The operation's name: the public C function served. */
    readonly name: string,
    /** True when the caller is not the JavaScript thread, so it may wait. */
    readonly foreign: boolean,
    private readonly ids: readonly number[],
    /** The array argument a list result goes to (pointer argument 0). */
    private readonly array: Pointer | null,
  ) {}

  /** The objects this call named, which the call may have released. */
  subjects(): (Handled | undefined)[] {
    return this.ids.map((id) => this.table.object(id));
  }

  /**
   * For functions that wait (virDomainSave, virJobWait, ...): on the JavaScript thread the wait could never
   * end, since that thread runs the drivers, so the call fails at once.
   */
  mayWait(): void {
    if (!this.foreign) throw waitRefused(this.name);
  }

  /** Writes the handler's result for C, by the shape of the function's C result. */
  answer(shape: keyof Results, value: MaybePromise<unknown>): MaybePromise<void> {
    return mapResult(value, (result) => {
      switch (shape) {
        case 'int':
          if (result !== undefined) this.abi.setValue(this.pointer, typeof result === 'boolean' ? Number(result) : (result as number));
          return;
        case 'handle':
          return this.abi.setPointer(this.pointer, result ? this.table.pointer(result as Handled) : null);
        case 'pointer':
          return this.abi.setPointer(this.pointer, result as Pointer | null);
        case 'string':
          if (this.abi.setString(this.pointer, result as string) < 0) throw outOfMemory();
          return;
        case 'list':
          return this.setList(result as Handled[]);
      }
    });
  }

  /**
   * A new array of handles for the caller, when it passed where to store one, and the count. Without one,
   * the objects are only counted and let go.
   */
  private setList(objects: Handled[]): void {
    if (this.array === null) {
      for (const object of objects) {
        object.unref();
        this.table.sweep(object);
      }
    } else {
      if (this.abi.setList(this.pointer, objects.length) < 0) throw outOfMemory();
      objects.forEach((object, i) => this.abi.setListItem(this.pointer, i, this.table.pointer(object)));
    }
    this.abi.setValue(this.pointer, objects.length);
  }

  /** Names into the caller's array (pointer argument 0, which C bounds); their count. */
  putNames(value: MaybePromise<string[]>): MaybePromise<number> {
    return mapResult(value, (names) => {
      names.forEach((name, i) => {
        if (this.abi.putName(this.pointer, i, name) < 0) throw outOfMemory();
      });
      return names.length;
    });
  }

  /**
   * The caller's bytes (virStreamSend's data, at most nbytes of them and at most `max`), copied now: the
   * caller's memory is read only while it waits in this call, never after.
   */
  copyIn(max: number): Buffer {
    const buffer = Buffer.allocUnsafe(max);
    const n = Number(this.abi.copyIn(this.pointer, buffer, max));
    if (n < 0) throw outOfMemory();
    return buffer.subarray(0, n);
  }

  /** Copies bytes into the caller's buffer (virStreamRecv's data, which C bounds by nbytes) before the call returns. */
  copyOut(bytes: Buffer): void {
    if (this.abi.copyOut(this.pointer, bytes, bytes.length) < 0)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_STREAMS, `${this.name} received more than the caller's buffer holds`);
  }

  /** Integers into the caller's array (pointer argument 0, which C bounds); their count. */
  putInts(value: MaybePromise<number[]>): MaybePromise<number> {
    return mapResult(value, (ints) => {
      ints.forEach((n, i) => this.abi.putInt(this.pointer, i, n));
      return ints.length;
    });
  }
}

/** Writes value into the caller's memory at out, as C type `type`. */
export function writeOut(out: Pointer | null, type: TypeObject | string, value: unknown): void {
  koffi.encode(out, type, value);
}

/** What a call that would have to wait gets on the JavaScript thread. */
function waitRefused(name: string): VirError {
  return virError(
    ErrorNumber.VIR_ERR_OPERATION_INVALID,
    ErrorDomain.VIR_FROM_NONE,
    `${name} would wait on the thread that runs tsvirt's drivers; call it from another thread`,
  );
}

/** What a call gets on the JavaScript thread when its operation answers later without having been refused
 * first (a handler missing its Call.mayWait): the operation goes on, so this is not "refused". */
export function answeredLater(name: string): VirError {
  return virError(
    ErrorNumber.VIR_ERR_INTERNAL_ERROR,
    ErrorDomain.VIR_FROM_NONE,
    `${name} was started on the thread that runs tsvirt's drivers and completes later; its result cannot be returned here`,
  );
}

function outOfMemory(): VirError {
  return virError(ErrorNumber.VIR_ERR_NO_MEMORY, ErrorDomain.VIR_FROM_NONE);
}
