import koffi, { type TypeObject } from 'koffi';
import type { MaybePromise } from '../ts/drivers/driver.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../ts/errors/index.js';
import { mapResult } from '../ts/api/check.js';
import type { Handled, HandleTable } from './handle-table.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/**
 * One C call being served: its arguments as the entry point passed them (native/src/abi/abi_bridge.h) and the
 * ways to answer it. A handler reads the arguments, calls the TypeScript entry point and writes the result
 * here; errors are thrown, as everywhere in tsvirt, and reach C as the thread's last error.
 */

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
    private readonly nums: readonly (number | bigint)[],
    private readonly strs: readonly (string | null)[],
    private readonly ptrs: readonly (Pointer | null)[],
  ) {}

  // ---- arguments ----

  /** The object behind handle argument i; undefined for a NULL, freed or foreign pointer, which the
   * TypeScript entry point's check then reports in libvirt's words. */
  handle(i: number): any {
    return this.table.object(this.ids[i]!);
  }

  num(i: number): number {
    return Number(this.nums[i]!);
  }

  /** String argument i, NULL as null. */
  str(i: number): string | null {
    return this.strs[i]!;
  }

  /** String argument i where the entry point wants a string: a NULL reaches its check (typed as a string,
   * as a JavaScript caller could pass anything), which reports it in libvirt's words. */
  text(i: number): string {
    return this.strs[i] as string;
  }

  /** Pointer argument i: an out-parameter, a callback or its data. */
  ptr(i: number): Pointer | null {
    return this.ptrs[i]!;
  }

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

  // ---- results ----

  setInt(value: MaybePromise<number>): MaybePromise<void> {
    return mapResult(value, (n) => this.abi.setValue(this.pointer, n));
  }

  /** libvirt's tri-state predicates: 1 true, 0 false (-1 is the error the caller sees on failure). */
  setBool(value: MaybePromise<boolean>): MaybePromise<void> {
    return mapResult(value, (b) => this.abi.setValue(this.pointer, b ? 1 : 0));
  }

  /** A handle result: the object's C handle (NULL for null). */
  setHandle(value: MaybePromise<Handled | null>): MaybePromise<void> {
    return mapResult(value, (object) => this.abi.setPointer(this.pointer, object ? this.table.pointer(object) : null));
  }

  setRawPointer(pointer: Pointer | null): void {
    this.abi.setPointer(this.pointer, pointer);
  }

  /** A string result, copied into C memory (for the caller to free, or for its handle to keep). */
  setString(value: MaybePromise<string>): MaybePromise<void> {
    return mapResult(value, (text) => {
      if (this.abi.setString(this.pointer, text) < 0) throw outOfMemory();
    });
  }

  /**
   * A new array of handles for the caller, when it passed where to store one (pointer argument 0), and
   * the count. Without one, the objects are only counted and let go.
   */
  setList(value: MaybePromise<Handled[]>): MaybePromise<void> {
    return mapResult(value, (objects) => {
      if (this.ptr(0) === null) {
        for (const object of objects) {
          object.unref();
          this.table.sweep(object);
        }
      } else {
        if (this.abi.setList(this.pointer, objects.length) < 0) throw outOfMemory();
        objects.forEach((object, i) => this.abi.setListItem(this.pointer, i, this.table.pointer(object)));
      }
      this.abi.setValue(this.pointer, objects.length);
    });
  }

  /** Names into the caller's array (pointer argument 0, which C bounds), and their count. */
  putNames(value: MaybePromise<string[]>): MaybePromise<void> {
    return mapResult(value, (names) => {
      names.forEach((name, i) => {
        if (this.abi.putName(this.pointer, i, name) < 0) throw outOfMemory();
      });
      this.abi.setValue(this.pointer, names.length);
    });
  }

  /** Integers into the caller's array (pointer argument 0, which C bounds), and their count. */
  putInts(value: MaybePromise<number[]>): MaybePromise<void> {
    return mapResult(value, (ints) => {
      ints.forEach((n, i) => this.abi.putInt(this.pointer, i, n));
      this.abi.setValue(this.pointer, ints.length);
    });
  }

  /** Writes value into the caller's memory at pointer argument i, as C type `type`. */
  write(i: number, type: TypeObject | string, value: unknown): void {
    koffi.encode(this.ptr(i), type, value);
  }
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

/** Serves one operation: reads the call's arguments, calls the TypeScript entry point, writes the result. */
export type Handler = (call: Call) => MaybePromise<void>;
export type Handlers = Record<string, Handler>;
