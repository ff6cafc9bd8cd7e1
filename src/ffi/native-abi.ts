import koffi from 'koffi';
import { DispatcherType, ProgramDoneType, RingWakerType } from './abi-types.js';
import { nativeLibrary } from '../ts/native/library.js';

/**
 * The native library's bridge functions (native/src/abi_*.h), typed. Pointers are BigInts (koffi 3), null
 * for NULL. Every one returns at once: none waits for another thread, so the JavaScript thread never
 * blocks on C work that may call back into it (ENGINEERING.md, koffi rule 1).
 */
export type Pointer = bigint;

export interface NativeAbi {
  bridgeInit(dispatcher: Pointer): number;
  functionName(fn: number): string | null;
  setErrorDomainName(domain: number, name: string): void;

  handleNew(kind: number, id: number, conn: Pointer | null): Pointer | null;
  handleRelease(handle: Pointer): void;
  handleKeep(handle: Pointer, slot: number, text: string): void;
  objectPublish(handle: Pointer, published: number, values: BigInt64Array, count: number): void;
  liveHandles(): number;

  setValue(call: Pointer, value: number | bigint): void;
  setPointer(call: Pointer, pointer: Pointer | null): void;
  setString(call: Pointer, text: string): number;
  setList(call: Pointer, count: number): number;
  setListItem(call: Pointer, index: number, handle: Pointer): void;
  putName(call: Pointer, index: number, name: string): number;
  putInt(call: Pointer, index: number, value: number): number;
  fail(
    call: Pointer,
    code: number,
    domain: number,
    level: number,
    message: string | Buffer,
    str1: string | Buffer | null,
    str2: string | Buffer | null,
    str3: string | Buffer | null,
    int1: number,
    int2: number,
  ): void;
  settle(call: Pointer, status: number): void;
  stringBytes(call: Pointer, index: number, buf: Buffer | null, size: number): number;

  jobPublish(
    job: Pointer,
    type: number,
    state: number,
    percent: number,
    elapsedMs: number,
    remainingMs: number,
    total: number,
    processed: number,
    remaining: number,
  ): void;
  jobSetError(
    job: Pointer,
    code: number,
    domain: number,
    level: number,
    message: string,
    str1: string | null,
    str2: string | null,
    str3: string | null,
    int1: number,
    int2: number,
  ): Pointer | null;
  jobPostCallback(cb: Pointer, job: Pointer, state: number, opaque: Pointer | null, freecb: Pointer | null): number;

  ringInit(waker: Pointer): number;
  ringAwake(): void;
  ringServe(spinNs: number, budgetNs: number): number;
  ringSleep(): number;
  ringClose(): void;

  programStart(path: string, argc: number, argv: string[], done: Pointer, error: Buffer, size: number): number;
}

let bound: NativeAbi | undefined;

/** The bridge functions of the one loaded copy of the library; the first call binds them. */
export function nativeAbi(): NativeAbi {
  if (bound) return bound;
  const lib = nativeLibrary();
  const setError =
    'int code, int domain, int level, const char *message, const char *str1, const char *str2,' +
    ' const char *str3, int int1, int int2';
  bound = {
    bridgeInit: lib.func('abi_bridge_init', 'int', [koffi.pointer(DispatcherType)]),
    functionName: lib.func('const char *abi_function_name(int fn)'),
    setErrorDomainName: lib.func('void abi_set_error_domain_name(int domain, const char *name)'),
    handleNew: lib.func('void *abi_handle_new(int kind, uint32_t id, void *conn)'),
    handleRelease: lib.func('void abi_handle_release(void *handle)'),
    liveHandles: lib.func('int abi_debug_live_handles(void)'),
    handleKeep: lib.func('void abi_handle_keep(void *handle, int slot, const char *text)'),
    objectPublish: lib.func('void abi_object_publish(void *handle, int published, const int64_t *values, int count)'),
    setValue: lib.func('void abi_call_set_value(void *call, int64_t value)'),
    setPointer: lib.func('void abi_call_set_pointer(void *call, void *pointer)'),
    setString: lib.func('int abi_call_set_string(void *call, const char *text)'),
    setList: lib.func('int abi_call_set_list(void *call, int count)'),
    setListItem: lib.func('void abi_call_set_list_item(void *call, int index, void *handle)'),
    putName: lib.func('int abi_call_put_name(void *call, int index, const char *name)'),
    putInt: lib.func('int abi_call_put_int(void *call, int index, int value)'),
    fail: lib.func(`void abi_call_fail(void *call, ${setError})`),
    settle: lib.func('void abi_call_settle(void *call, int status)'),
    stringBytes: lib.func('int64_t abi_call_string_bytes(void *call, int i, void *buf, int64_t size)'),
    jobPublish: lib.func(
      'void abi_job_publish(void *job, int type, int state, int percent, uint64_t elapsed_ms,' +
        ' uint64_t remaining_ms, uint64_t total, uint64_t processed, uint64_t remaining)',
    ),
    jobSetError: lib.func(`void *abi_job_set_error(void *job, ${setError})`),
    jobPostCallback: lib.func('int abi_job_post_callback(void *cb, void *job, int state, void *opaque, void *freecb)'),
    ringInit: lib.func('abi_ring_init', 'int', [koffi.pointer(RingWakerType)]),
    ringAwake: lib.func('void abi_ring_awake(void)'),
    ringServe: lib.func('int abi_ring_serve(int64_t spin_ns, int64_t budget_ns)'),
    ringSleep: lib.func('int abi_ring_sleep(void)'),
    ringClose: lib.func('void abi_ring_close(void)'),
    programStart: lib.func('abi_program_start', 'int', [
      'const char *',
      'int',
      'const char **',
      koffi.pointer(ProgramDoneType),
      'char *',
      'int',
    ]),
  };
  return bound;
}
