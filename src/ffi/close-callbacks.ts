import koffi from 'koffi';
import * as api from '../ts/api/connect.js';
import { checkConnect, mapResult } from '../ts/api/check.js';
import type { VirConnect } from '../ts/core/handles.js';
import type { MaybePromise } from '../ts/drivers/driver.js';
import { ErrorDomain, ErrorNumber, virError } from '../ts/errors/index.js';
import type { HandleTable } from './handle-table.js';
import { holdEventLoop } from './keep-alive.js';
import type { NativeAbi, Pointer } from './native-abi.js';

interface Registration {
  /** the C function's address: unregistering names it */
  readonly cb: bigint;
  /** what the TypeScript entry point knows it by */
  readonly relay: api.virConnectCloseFunc;
  readonly releaseLoop: () => void;
}

/**
 * The close callbacks of C programs (virConnectRegisterCloseCallback). Each is registered with the same entry
 * point the TypeScript APIs use (src/ts/api/connect.ts); when the connection is lost, the driver's relay (on
 * this thread) hands the reason to native/src/abi/abi_close.h, whose timer calls the C function from the
 * program's event loop (virEventRunDefaultImpl), on the loop's thread, as libvirt's remote driver calls it
 * from its socket's watch.
 *
 * As in libvirt, a registration holds a reference on its connection (given back by C after the callback
 * ran, or at unregistering), and a local driver's connection keeps none: the entry point answers 0 and C
 * records nothing, so freecb never runs.
 */
export class CloseCallbacks {
  private readonly byConnection = new WeakMap<VirConnect, Registration>();

  constructor(
    private readonly abi: NativeAbi,
    private readonly table: HandleTable,
  ) {}

  register(conn: VirConnect, cb: Pointer | null, opaque: Pointer | null, freecb: Pointer | null): MaybePromise<number> {
    checkConnect(conn, 'virConnectRegisterCloseCallback');
    const keeps = api.hasCloseCallbacks(conn);
    const connPointer = this.table.pointer(conn);
    const relay: api.virConnectCloseFunc = (_conn, reason) => {
      // Nothing to do when C will not call it (fired already, no event loop): the reference stays until
      // unregistering.
      const error = api.closeError(conn);
      this.abi.closePost(connPointer, reason, error?.code ?? 0, error?.domain ?? 0, error?.message ?? null);
    };
    const registered = api.virConnectRegisterCloseCallback(conn, cb === null ? (null as never) : relay);
    if (!keeps || cb === null) return registered;
    return mapResult(registered, () => {
      conn.ref();
      if (this.abi.closeAdd(connPointer, cb, opaque, freecb) !== 0) {
        conn.unref();
        api.virConnectUnregisterCloseCallback(conn, relay);
        throw virError(ErrorNumber.VIR_ERR_NO_MEMORY, ErrorDomain.VIR_FROM_NONE, 'no room for a close callback');
      }
      this.byConnection.set(conn, { cb: BigInt(koffi.address(cb)), relay, releaseLoop: holdEventLoop() });
      return 0;
    });
  }

  /** Unregisters: C then forgets the callback, calls its freecb and gives the connection's reference back. */
  unregister(conn: VirConnect, cb: Pointer | null): MaybePromise<number> {
    const registration = this.byConnection.get(conn);
    const matches = registration !== undefined && cb !== null && registration.cb === BigInt(koffi.address(cb));
    // Any other function than the registered one makes the entry point refuse, as libvirt does.
    const relay = cb === null ? (null as never) : matches ? registration.relay : () => {};
    return mapResult(api.virConnectUnregisterCloseCallback(conn, relay), () => {
      if (matches) {
        this.byConnection.delete(conn);
        registration.releaseLoop();
      }
      return 0;
    });
  }
}
