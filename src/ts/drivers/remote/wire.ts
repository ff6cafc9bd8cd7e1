// Wire values of remote_protocol.x as the values tsvirt's drivers hand out: UUIDs as canonical strings,
// object references as refs, rpcgen's char arrays as strings, hypers as numbers.
import { parseUUID } from '../../conf/uuid.js';
import type { DomainRef, NetworkRef, StoragePoolRef, StorageVolRef } from '../../core/handles.js';
import type {
  remote_nonnull_domain,
  remote_nonnull_network,
  remote_nonnull_storage_pool,
  remote_nonnull_storage_vol,
} from '../../rpc/generated/remote-protocol.js';

export function uuidString(bytes: Buffer): string {
  return parseUUID(bytes.toString('hex'))!;
}

export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** rpcgen's `char x[n]` / `char x<n>` (one signed int per byte) up to its first NUL, as UTF-8 text. */
export function charArray(values: readonly number[]): string {
  const end = values.indexOf(0);
  return Buffer.from((end < 0 ? values : values.slice(0, end)).map((b) => b & 0xff)).toString('utf8');
}

/** A hyper as a JavaScript number (byte counts, KiB, ms: all well below 2^53 in practice). */
export const num = (value: bigint | number): number => Number(value);

/**
 * A domain the daemon named. The connection keeps one identity per UUID, so every handle sees the latest id the
 * daemon reported for it (after a start, a lookup, a listing).
 */
export class RemoteDomainRef implements DomainRef {
  constructor(
    readonly name: string,
    readonly uuid: string,
    public id: number,
  ) {}
}

export class DomainRefs {
  private readonly byUuid = new Map<string, RemoteDomainRef>();

  fromWire(dom: remote_nonnull_domain): RemoteDomainRef {
    const uuid = uuidString(dom.uuid);
    let ref = this.byUuid.get(uuid);
    if (!ref || ref.name !== dom.name) {
      ref = new RemoteDomainRef(dom.name, uuid, dom.id);
      this.byUuid.set(uuid, ref);
    } else ref.id = dom.id;
    return ref;
  }

  /** What this connection did to a domain changed its id (a destroy: -1). */
  setId(uuid: string, id: number): void {
    const ref = this.byUuid.get(uuid);
    if (ref) ref.id = id;
  }
}

export function toWireDomain(dom: DomainRef): remote_nonnull_domain {
  return { name: dom.name, uuid: uuidBytes(dom.uuid), id: dom.id };
}

export function networkFromWire(net: remote_nonnull_network): NetworkRef {
  return { name: net.name, uuid: uuidString(net.uuid) };
}

export function toWireNetwork(net: NetworkRef): remote_nonnull_network {
  return { name: net.name, uuid: uuidBytes(net.uuid) };
}

export function poolFromWire(pool: remote_nonnull_storage_pool): StoragePoolRef {
  return { name: pool.name, uuid: uuidString(pool.uuid) };
}

export function toWirePool(pool: StoragePoolRef): remote_nonnull_storage_pool {
  return { name: pool.name, uuid: uuidBytes(pool.uuid) };
}

export function volFromWire(vol: remote_nonnull_storage_vol): StorageVolRef {
  return { pool: vol.pool, name: vol.name, key: vol.key };
}

export function toWireVol(vol: StorageVolRef): remote_nonnull_storage_vol {
  return { pool: vol.pool, name: vol.name, key: vol.key };
}
