import { ErrorDomain, ErrorNumber, VirError, virError } from '../errors/index.js';
import { bridgeFunction, koffi } from './library.js';

/**
 * The data path of directory storage pools: clone, allocate and wipe volume files on native threads
 * (native/src/copy/copy.h), with progress and cancel. Nothing here blocks the event loop: a task's progress
 * lives in native memory that a timer reads every POLL_MS while tasks run (and keeps the loop alive
 * meanwhile), and no native thread ever calls into JavaScript.
 */

export interface NativeProgress {
  /** Bytes moved so far; never goes down. */
  processed: number;
  /** Bytes the task expects to move (data bytes of a clone's source; passes × data bytes of a wipe). */
  total: number;
}

export interface NativeTask {
  /** Settles once: resolves on success, rejects with a VirError on failure or cancel. */
  readonly done: Promise<void>;
  /** Current progress; after the task ended, its final progress. Cheap: reads native memory. */
  progress(): NativeProgress;
  /** Asks the task to stop; returns at once. Idempotent; no effect once the task has ended. */
  cancel(): void;
}

/** libvirt's virStorageVolWipeAlgorithm. */
export const WipeAlgorithm = {
  ZERO: 0,
  NNSA: 1,
  DOD: 2,
  BSI: 3,
  GUTMANN: 4,
  SCHNEIER: 5,
  PFITZNER7: 6,
  PFITZNER33: 7,
  RANDOM: 8,
  TRIM: 9,
} as const;
const WIPE_ALGORITHM_LAST = 10;

/** How a clone may share extents with its source: 'always' is libvirt's VIR_STORAGE_VOL_CREATE_REFLINK. */
export type ReflinkMode = 'never' | 'auto' | 'always';

interface CommonOptions {
  /** Aborting it cancels the task; already aborted, the task never starts. */
  signal?: AbortSignal;
}

export interface CloneOptions extends CommonOptions {
  source: string;
  /** A new file (created exclusively, removed on failure or cancel); rename it into place on success. */
  target: string;
  /** Target size in bytes; the source's size when smaller or absent. */
  capacity?: number;
  /** Default 'never'. */
  reflink?: ReflinkMode;
  /** Permission bits of the target, applied exactly; default 0o600. */
  mode?: number;
  /** false: read and write only, no copy_file_range() (default true). */
  offload?: boolean;
}

export interface AllocateOptions extends CommonOptions {
  /** A new file (created exclusively, removed on failure or cancel); rename it into place on success. */
  target: string;
  capacity: number;
  /** Bytes to allocate from the start; 0 leaves the file sparse. At most `capacity`. */
  allocation: number;
  /** Permission bits of the target, applied exactly; default 0o600. */
  mode?: number;
  /** false: write zeros instead of calling fallocate() (default true). */
  offload?: boolean;
}

export interface WipeOptions extends CommonOptions {
  /** An existing file or block device. Holes of a sparse file stay holes. */
  target: string;
  /** A WipeAlgorithm value. */
  algorithm: number;
  /** Start of the range to wipe; default 0. */
  offset?: number;
  /** Bytes to wipe; default (or 0) to the end. */
  length?: number;
}

// Values of native/src/copy/copy.h.
const STATE_RUNNING = 0;
const STATE_DONE = 1;
const STATE_FAILED = 2;
const FLAG_REFLINK_AUTO = 1 << 0;
const FLAG_REFLINK_ALWAYS = 1 << 1;
const FLAG_NO_OFFLOAD = 1 << 2;
const PROGRESS_BYTES = 24;

const POLL_MS = 50;
/** After a cancel, poll faster: whoever cancels usually waits for the task to end. */
const CANCEL_POLL_MS = 5;

interface Bindings {
  cloneStart(source: string, target: string, capacity: number, mode: number, flags: number): bigint | null;
  allocateStart(target: string, capacity: number, allocation: number, mode: number, flags: number): bigint | null;
  wipeStart(target: string, algorithm: number, offset: number, length: number, flags: number): bigint | null;
  progress(task: bigint): bigint;
  message(task: bigint): string;
  cancel(task: bigint): void;
  free(task: bigint): void;
}

let bindings: Bindings | undefined;

function native(): Bindings {
  if (!bindings) {
    bindings = {
      cloneStart: bridgeFunction(
        'void *tsvirt_copy_clone_start(const char *source, const char *target, uint64_t capacity, uint32_t mode, unsigned int flags)',
      ),
      allocateStart: bridgeFunction(
        'void *tsvirt_copy_allocate_start(const char *target, uint64_t capacity, uint64_t allocation, uint32_t mode, unsigned int flags)',
      ),
      wipeStart: bridgeFunction(
        'void *tsvirt_copy_wipe_start(const char *target, int algorithm, uint64_t offset, uint64_t length, unsigned int flags)',
      ),
      progress: bridgeFunction('void *tsvirt_copy_task_progress(void *task)'),
      message: bridgeFunction('const char *tsvirt_copy_task_message(void *task)'),
      cancel: bridgeFunction('void tsvirt_copy_task_cancel(void *task)'),
      free: bridgeFunction('void tsvirt_copy_task_free(void *task)'),
    };
  }
  return bindings;
}

/** Tasks that still run, and the one timer that polls them. */
const running = new Set<RunningTask>();
let pollTimer: NodeJS.Timeout | undefined;
let pollDelay = 0;

function schedulePoll(): void {
  if (running.size === 0) return;
  const delay = [...running].some((t) => t.cancelRequested) ? CANCEL_POLL_MS : POLL_MS;
  if (pollTimer && delay >= pollDelay) return;
  clearTimeout(pollTimer);
  pollDelay = delay;
  pollTimer = setTimeout(poll, delay);
}

function poll(): void {
  pollTimer = undefined;
  for (const task of running) if (task.settleIfEnded()) running.delete(task);
  schedulePoll();
}

class RunningTask implements NativeTask {
  readonly done: Promise<void>;
  cancelRequested = false;
  #handle: bigint | null;
  #counters: BigUint64Array | null;
  #status: Int32Array | null;
  #final: NativeProgress | undefined;
  #resolve!: () => void;
  #reject!: (err: VirError) => void;
  #signal: AbortSignal | undefined;
  #onAbort = () => this.cancel();

  constructor(
    handle: bigint,
    readonly jobName: string,
    signal: AbortSignal | undefined,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#handle = handle;
    const view = koffi().view(native().progress(handle), PROGRESS_BYTES);
    this.#counters = new BigUint64Array(view, 0, 2);
    this.#status = new Int32Array(view, 16, 2);
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    running.add(this);
    // A task rejected by the native argument checks has ended already: settle it on the first poll.
    schedulePoll();
  }

  progress(): NativeProgress {
    if (this.#final) return { ...this.#final };
    const counters = this.#counters!;
    return { processed: Number(Atomics.load(counters, 0)), total: Number(Atomics.load(counters, 1)) };
  }

  cancel(): void {
    if (this.#handle === null || this.cancelRequested) return;
    this.cancelRequested = true;
    native().cancel(this.#handle);
    schedulePoll();
  }

  /** Settles `done` and frees the native task when it has ended; true then. */
  settleIfEnded(): boolean {
    const handle = this.#handle!;
    const state = Atomics.load(this.#status!, 0);
    if (state === STATE_RUNNING) return false;
    this.#final = this.progress();
    const errno = Atomics.load(this.#status!, 1);
    const message = state === STATE_FAILED ? native().message(handle) : '';
    // The views point into the task: drop them before the memory goes.
    this.#counters = this.#status = null;
    this.#handle = null;
    native().free(handle);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (state === STATE_DONE) this.#resolve();
    else if (state === STATE_FAILED)
      this.#reject(virError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE, message, { int1: errno }));
    else this.#reject(aborted(this.jobName));
    return true;
  }
}

/** A task whose signal was aborted before it could start: it never touches the disk. */
class NeverStartedTask implements NativeTask {
  readonly done: Promise<void>;
  constructor(jobName: string) {
    this.done = Promise.reject(aborted(jobName));
  }
  progress(): NativeProgress {
    return { processed: 0, total: 0 };
  }
  cancel(): void {}
}

function aborted(jobName: string): VirError {
  return virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, ErrorDomain.VIR_FROM_STORAGE, `job '${jobName}' canceled by client`);
}

function invalid(detail: string): VirError {
  return virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_STORAGE, detail);
}

function received(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : typeof value === 'number' ? String(value) : typeof value;
}

function checkPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0'))
    throw invalid(`${name} must be a non-empty path without NUL characters, received ${received(value)}`);
  return value;
}

function checkBytes(name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalid(`${name} must be a non-negative integer number of bytes, received ${received(value)}`);
  return value;
}

function checkMode(value: unknown): number {
  if (value === undefined) return 0o600;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o7777)
    throw invalid(`mode must be permission bits between 0 and 0o7777, received ${received(value)}`);
  return value;
}

function offloadFlag(value: unknown): number {
  if (value === undefined || value === true) return 0;
  if (value === false) return FLAG_NO_OFFLOAD;
  throw invalid(`offload must be a boolean, received ${received(value)}`);
}

function reflinkFlag(value: unknown): number {
  switch (value) {
    case undefined:
    case 'never':
      return 0;
    case 'auto':
      return FLAG_REFLINK_AUTO;
    case 'always':
      return FLAG_REFLINK_ALWAYS;
    default:
      throw invalid(`reflink must be 'never', 'auto' or 'always', received ${received(value)}`);
  }
}

function checkAlgorithm(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= WIPE_ALGORITHM_LAST)
    throw invalid(`wiping algorithm ${received(value)} not supported`);
  if (value === WipeAlgorithm.TRIM)
    throw virError(
      ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED,
      ErrorDomain.VIR_FROM_STORAGE,
      "'trim' algorithm not supported",
    );
  return value;
}

function launch(jobName: string, signal: AbortSignal | undefined, start: () => bigint | null): NativeTask {
  if (signal?.aborted) return new NeverStartedTask(jobName);
  const handle = start();
  if (!handle) throw virError(ErrorNumber.VIR_ERR_NO_MEMORY, ErrorDomain.VIR_FROM_STORAGE);
  return new RunningTask(handle, jobName, signal);
}

/**
 * Clones `source` into the new file `target`: holes stay holes, data moves in the kernel where it can.
 * Throws a VirError (VIR_ERR_INVALID_ARG) for invalid options; `done` rejects with VIR_ERR_SYSTEM_ERROR
 * (libvirt's wording, e.g. "failed writing to file '…': No space left on device", errno in int1) or
 * VIR_ERR_OPERATION_ABORTED ("operation aborted: job 'volume clone' canceled by client").
 */
export function startClone(opts: CloneOptions): NativeTask {
  const source = checkPath('source', opts.source);
  const target = checkPath('target', opts.target);
  const capacity = checkBytes('capacity', opts.capacity, 0);
  const mode = checkMode(opts.mode);
  const flags = reflinkFlag(opts.reflink) | offloadFlag(opts.offload);
  return launch('volume clone', opts.signal, () => native().cloneStart(source, target, capacity, mode, flags));
}

/** Creates `target` with `capacity` bytes, the first `allocation` of them allocated. Errors as startClone. */
export function startAllocate(opts: AllocateOptions): NativeTask {
  const target = checkPath('target', opts.target);
  const capacity = checkBytes('capacity', opts.capacity);
  const allocation = checkBytes('allocation', opts.allocation);
  if (allocation > capacity) throw invalid(`allocation ${allocation} exceeds capacity ${capacity}`);
  const mode = checkMode(opts.mode);
  const flags = offloadFlag(opts.offload);
  return launch('volume allocation', opts.signal, () =>
    native().allocateStart(target, capacity, allocation, mode, flags),
  );
}

/**
 * Overwrites `target` with a libvirt wiping algorithm. Throws VIR_ERR_INVALID_ARG for an unknown
 * algorithm and VIR_ERR_ARGUMENT_UNSUPPORTED for TRIM (as libvirt does for files). A cancelled wipe
 * leaves the volume partly overwritten.
 */
export function startWipe(opts: WipeOptions): NativeTask {
  const target = checkPath('target', opts.target);
  const algorithm = checkAlgorithm(opts.algorithm);
  const offset = checkBytes('offset', opts.offset, 0);
  const length = checkBytes('length', opts.length, 0);
  return launch('volume wipe', opts.signal, () => native().wipeStart(target, algorithm, offset, length, 0));
}
