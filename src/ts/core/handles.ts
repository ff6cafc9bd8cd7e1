import type { VirError } from '../errors/index.js';
import type { ConnectionDrivers } from '../drivers/driver.js';
import { VirObject } from './object.js';

/** A connection to a driver: libvirt's virConnectPtr. */
export class VirConnect extends VirObject {
  /** The last error raised on this connection (virConnGetLastError). */
  lastError: VirError | null = null;

  constructor(
    readonly uri: string,
    readonly drivers: ConnectionDrivers,
    readonly readOnly: boolean,
  ) {
    super();
  }

  protected override dispose(): void {
    this.drivers.close();
  }
}

/** Identity of a domain as drivers hand it out; the entry layer wraps it in a VirDomain handle. */
export interface DomainRef {
  readonly name: string;
  readonly uuid: string;
  /**
   * The live id, or -1 when the domain is not running. A driver whose domains change state makes this a
   * getter that follows the domain, so every handle sees a start or a stop made through any handle.
   */
  readonly id: number;
}

export interface NetworkRef {
  name: string;
  uuid: string;
}

export interface StoragePoolRef {
  name: string;
  uuid: string;
}

export interface StorageVolRef {
  pool: string;
  name: string;
  key: string;
}

/** A handle that holds a reference on its connection for as long as it lives, as in libvirt. */
abstract class ConnectedHandle extends VirObject {
  constructor(readonly conn: VirConnect) {
    super();
    conn.ref();
  }

  protected override dispose(): void {
    this.conn.unref();
  }
}

/** libvirt's virDomainPtr: a fresh handle per lookup, naming the domain by UUID. */
export class VirDomain extends ConnectedHandle implements DomainRef {
  readonly name: string;
  readonly uuid: string;
  readonly #identity: DomainRef;

  constructor(conn: VirConnect, ref: DomainRef) {
    super(conn);
    this.name = ref.name;
    this.uuid = ref.uuid;
    this.#identity = ref;
  }

  /** The domain's id now (its driver's answer), or -1 when it is not running. */
  get id(): number {
    return this.#identity.id;
  }
}

export class VirNetwork extends ConnectedHandle implements NetworkRef {
  readonly name: string;
  readonly uuid: string;

  constructor(conn: VirConnect, ref: NetworkRef) {
    super(conn);
    this.name = ref.name;
    this.uuid = ref.uuid;
  }
}

export class VirStoragePool extends ConnectedHandle implements StoragePoolRef {
  readonly name: string;
  readonly uuid: string;

  constructor(conn: VirConnect, ref: StoragePoolRef) {
    super(conn);
    this.name = ref.name;
    this.uuid = ref.uuid;
  }
}

export class VirStorageVol extends ConnectedHandle implements StorageVolRef {
  readonly pool: string;
  readonly name: string;
  readonly key: string;

  constructor(conn: VirConnect, ref: StorageVolRef) {
    super(conn);
    this.pool = ref.pool;
    this.name = ref.name;
    this.key = ref.key;
  }
}

/**
 * What a driver attaches to a stream when an operation opens it (virStorageVolUpload, virStorageVolDownload):
 * the data path of that one transfer. `send` takes bytes from the caller (an upload) and resolves with how
 * many it took; `recv` gives up to `max` bytes (a download), an empty buffer at the end. `finish` completes
 * the transfer (an upload becomes visible only then); `abort` undoes what can be undone. Each is called by
 * one caller at a time, the next call after the previous settled.
 */
export interface StreamIO {
  readonly direction: 'send' | 'recv';
  send?(data: Buffer): Promise<number>;
  recv?(max: number): Promise<Buffer>;
  /**
   * Sparse streams only (opened with the SPARSE_STREAM flag): skip `length` bytes, a hole (an upload leaves
   * them reading as zeros; a download moves past them).
   */
  sendHole?(length: number): Promise<void>;
  /** Sparse downloads: whether the data ahead is data or a hole, and how long that lasts (0 at the end). */
  inData?(): Promise<{ inData: boolean; length: number }>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * libvirt's virStreamPtr: created unattached by virStreamNew, given its data path by the operation that
 * uses it, then finished or aborted once. Freeing an open stream aborts its transfer.
 */
export class VirStream extends ConnectedHandle {
  /** The driver's data path once an operation opened the stream. */
  io: StreamIO | null = null;
  /** 'open' while a transfer runs; 'closed' after finish, abort or an error. */
  state: 'new' | 'open' | 'closed' = 'new';
  /** A call in progress (send, recv, finish): calls on one stream run one at a time, as in libvirt. */
  busy = false;
  /** The abort that a failed call started: virStreamAbort waits for it, so its caller sees the transfer undone. */
  undoing: Promise<void> | null = null;

  constructor(
    conn: VirConnect,
    readonly flags: number,
  ) {
    super(conn);
  }

  protected override dispose(): void {
    const io = this.io;
    if (io && this.state === 'open') {
      this.state = 'closed';
      // Freed while open: the transfer is abandoned, and an upload leaves the volume as it was. Who freed it
      // may wait for that (the C ABI's virStreamFree does).
      this.undoing = io.abort().catch(() => {});
    }
    this.io = null;
    super.dispose();
  }
}
