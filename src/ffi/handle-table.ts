import { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol, VirStream } from '../ts/core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../ts/errors/index.js';
import { VirJob } from '../ts/jobs/job.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/** abi_kind (native/src/abi/abi_handle.h). */
export const HandleKind = { CONNECT: 0, DOMAIN: 1, NETWORK: 2, STORAGE_POOL: 3, STORAGE_VOL: 4, JOB: 5, STREAM: 6 } as const;

/** The objects C gets handles for. */
export type Handled = VirConnect | VirDomain | VirNetwork | VirStoragePool | VirStorageVol | VirJob | VirStream;

/** Told of every C handle made and released: what publishes into the handles' native memory. */
export interface HandleObserver {
  /** Before the pointer reaches C, so that what it publishes is there for C's first read. */
  added(object: Handled, pointer: Pointer): void;
  released(object: Handled): void;
}

interface Entry {
  readonly id: number;
  readonly pointer: Pointer;
}

function kindOf(object: Handled): number {
  if (object instanceof VirConnect) return HandleKind.CONNECT;
  if (object instanceof VirDomain) return HandleKind.DOMAIN;
  if (object instanceof VirNetwork) return HandleKind.NETWORK;
  if (object instanceof VirStoragePool) return HandleKind.STORAGE_POOL;
  if (object instanceof VirStorageVol) return HandleKind.STORAGE_VOL;
  if (object instanceof VirStream) return HandleKind.STREAM;
  return HandleKind.JOB;
}

/**
 * The JavaScript half of the C handles (native/src/abi/abi_handle.h): one C handle per object, so C sees the
 * same pointer for the same connection or domain handle every time, as in libvirt. Reference counts are
 * the objects' own; a C handle is released once its object is gone (`sweep`), which a C caller sees as
 * libvirt's error for a freed pointer.
 */
export class HandleTable {
  private readonly byId = new Map<number, Handled>();
  private readonly entries = new Map<Handled, Entry>();
  private lastId = 0;

  constructor(
    private readonly abi: NativeAbi,
    private readonly observer: HandleObserver,
  ) {}

  /** The object behind a handle id from C; undefined for 0 (a NULL, freed or foreign pointer). */
  object(id: number): Handled | undefined {
    return this.byId.get(id);
  }

  /** The C handle of a live object, made on first use. */
  pointer(object: Handled): Pointer {
    const known = this.entries.get(object);
    if (known) return known.pointer;
    const conn = object instanceof VirConnect ? null : this.pointer(object.conn);
    const id = this.freeId();
    const pointer = this.abi.handleNew(kindOf(object), id, conn);
    if (pointer === null) throw virError(ErrorNumber.VIR_ERR_NO_MEMORY, ErrorDomain.VIR_FROM_NONE, 'no room for another handle');
    this.entries.set(object, { id, pointer });
    this.byId.set(id, object);
    this.observer.added(object, pointer);
    return pointer;
  }

  /** The C handle of an object that has one, without making one. */
  existing(object: Handled): Pointer | undefined {
    return this.entries.get(object)?.pointer;
  }

  /**
   * Releases the C handle of an object that is gone, then looks at what it held references on, which may
   * have gone with it: a handle's connection, a job's objects. Live objects and what they hold stay.
   */
  sweep(object: Handled | null | undefined): void {
    if (!object || object.alive) return;
    const entry = this.entries.get(object);
    if (entry) {
      this.entries.delete(object);
      this.byId.delete(entry.id);
      this.abi.handleRelease(entry.pointer);
      this.observer.released(object);
    }
    if (object instanceof VirJob) {
      this.sweep(object.domain);
      this.sweep(object.network);
      this.sweep(object.vol);
    }
    if (!(object instanceof VirConnect)) this.sweep(object.conn);
  }

  /** How many objects have a C handle: with abi_debug_live_handles(), what leak tests count. */
  get size(): number {
    return this.entries.size;
  }

  private freeId(): number {
    // Ids are 32-bit and 0 means "no handle"; a wrapped counter skips the ids still in use.
    do this.lastId = this.lastId === 0xffffffff ? 1 : this.lastId + 1;
    while (this.byId.has(this.lastId));
    return this.lastId;
  }
}
