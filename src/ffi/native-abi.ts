// Declares the callback types the declarations below name: abi_dispatcher, abi_waker, abi_program_done.
import './abi-types.js';
import { bridgeFunction } from '../ts/native/library.js';

/**
 * The native library's bridge functions (native/src/abi/abi_*.h), typed. Pointers are BigInts (koffi 3), null
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
  copyIn(call: Pointer, buf: Buffer, size: number): number | bigint;
  copyOut(call: Pointer, buf: Buffer, size: number): number;

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

  eventTimerAcquire(): number;
  eventTimerRelease(): void;
  eventCallbackAdd(conn: Pointer, id: number, cb: Pointer, opaque: Pointer | null, freecb: Pointer | null): number;
  eventPost(conn: Pointer, id: number, dom: Pointer, event: number, detail: number): number;
  closeAdd(conn: Pointer, cb: Pointer, opaque: Pointer | null, freecb: Pointer | null): number;
  closePost(conn: Pointer, reason: number, errorCode: number, errorDomain: number, errorMessage: string | null): number;

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
  const setError =
    'int code, int domain, int level, const char *message, const char *str1, const char *str2,' +
    ' const char *str3, int int1, int int2';
  bound = {
    bridgeInit: bridgeFunction('int abi_bridge_init(abi_dispatcher *dispatcher)'),
    functionName: bridgeFunction('const char *abi_function_name(int fn)'),
    setErrorDomainName: bridgeFunction('void abi_set_error_domain_name(int domain, const char *name)'),
    handleNew: bridgeFunction('void *abi_handle_new(int kind, uint32_t id, void *conn)'),
    handleRelease: bridgeFunction('void abi_handle_release(void *handle)'),
    liveHandles: bridgeFunction('int abi_debug_live_handles(void)'),
    handleKeep: bridgeFunction('void abi_handle_keep(void *handle, int slot, const char *text)'),
    objectPublish: bridgeFunction('void abi_object_publish(void *handle, int published, const int64_t *values, int count)'),
    setValue: bridgeFunction('void abi_call_set_value(void *call, int64_t value)'),
    setPointer: bridgeFunction('void abi_call_set_pointer(void *call, void *pointer)'),
    setString: bridgeFunction('int abi_call_set_string(void *call, const char *text)'),
    setList: bridgeFunction('int abi_call_set_list(void *call, int count)'),
    setListItem: bridgeFunction('void abi_call_set_list_item(void *call, int index, void *handle)'),
    putName: bridgeFunction('int abi_call_put_name(void *call, int index, const char *name)'),
    putInt: bridgeFunction('int abi_call_put_int(void *call, int index, int value)'),
    fail: bridgeFunction(`void abi_call_fail(void *call, ${setError})`),
    settle: bridgeFunction('void abi_call_settle(void *call, int status)'),
    stringBytes: bridgeFunction('int64_t abi_call_string_bytes(void *call, int i, void *buf, int64_t size)'),
    copyIn: bridgeFunction('int64_t abi_call_copy_in(void *call, void *buf, int64_t size)'),
    copyOut: bridgeFunction('int abi_call_copy_out(void *call, const void *buf, int64_t size)'),
    jobPublish: bridgeFunction(
      'void abi_job_publish(void *job, int type, int state, int percent, uint64_t elapsed_ms,' +
        ' uint64_t remaining_ms, uint64_t total, uint64_t processed, uint64_t remaining)',
    ),
    jobSetError: bridgeFunction(`void *abi_job_set_error(void *job, ${setError})`),
    jobPostCallback: bridgeFunction('int abi_job_post_callback(void *cb, void *job, int state, void *opaque, void *freecb)'),
    eventTimerAcquire: bridgeFunction('int abi_event_timer_acquire(void)'),
    eventTimerRelease: bridgeFunction('void abi_event_timer_release(void)'),
    eventCallbackAdd: bridgeFunction('int abi_event_callback_add(void *conn, int id, void *cb, void *opaque, void *freecb)'),
    eventPost: bridgeFunction('int abi_event_post(void *conn, int id, void *dom, int event, int detail)'),
    closeAdd: bridgeFunction('int abi_close_add(void *conn, void *cb, void *opaque, void *freecb)'),
    closePost: bridgeFunction('int abi_close_post(void *conn, int reason, int error_code, int error_domain, const char *error_message)'),
    ringInit: bridgeFunction('int abi_ring_init(abi_waker *waker)'),
    ringAwake: bridgeFunction('void abi_ring_awake(void)'),
    ringServe: bridgeFunction('int abi_ring_serve(int64_t spin_ns, int64_t budget_ns)'),
    ringSleep: bridgeFunction('int abi_ring_sleep(void)'),
    ringClose: bridgeFunction('void abi_ring_close(void)'),
    programStart: bridgeFunction(
      'int abi_program_start(const char *path, int argc, const char **argv, abi_program_done *done,' +
        ' char *error, int size)',
    ),
  };
  return bound;
}
