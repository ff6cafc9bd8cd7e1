// Converts between the generated protocol values and the values tsvirt's entry points take and return,
// guided by each codec's shape: object references become handles and back, UUIDs become strings,
// hypers become numbers, strings fill rpcgen's char arrays. One walk for every procedure.
import { parseUUID } from '../conf/uuid.js';
import { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol } from '../core/handles.js';
import type { VirObject } from '../core/object.js';
import {
  remote_nonnull_domain,
  remote_nonnull_network,
  remote_nonnull_storage_pool,
  remote_nonnull_storage_vol,
  remote_uuid,
} from '../rpc/generated/remote-protocol.js';
import { type Codec, type Shape, xdrError } from '../rpc/xdr.js';

/** The handles made while decoding a call's arguments: released once the call has finished. */
export class HandleScope {
  private readonly handles: VirObject[] = [];

  constructor(readonly conn: VirConnect) {}

  keep<T extends VirObject>(handle: T): T {
    this.handles.push(handle);
    return handle;
  }

  release(): void {
    for (const h of this.handles.splice(0)) if (h.alive) h.unref();
  }
}

/**
 * A wire value as an entry point's argument. Handles are made from the reference as libvirtd does
 * (get_nonnull_domain: no lookup; the driver finds the object by UUID when the call runs).
 */
export function fromWire(codec: Codec<any>, value: any, scope: HandleScope | null): any {
  if (codec === remote_uuid) return formatUUID(value);
  if (codec === remote_nonnull_domain || codec === remote_nonnull_network || codec === remote_nonnull_storage_pool || codec === remote_nonnull_storage_vol) {
    if (!scope) throw xdrError('an object reference needs an open connection');
    if (codec === remote_nonnull_domain) return scope.keep(new VirDomain(scope.conn, { name: value.name, uuid: formatUUID(value.uuid), id: value.id }));
    if (codec === remote_nonnull_network) return scope.keep(new VirNetwork(scope.conn, { name: value.name, uuid: formatUUID(value.uuid) }));
    if (codec === remote_nonnull_storage_pool) return scope.keep(new VirStoragePool(scope.conn, { name: value.name, uuid: formatUUID(value.uuid) }));
    return scope.keep(new VirStorageVol(scope.conn, { pool: value.pool, name: value.name, key: value.key }));
  }
  const shape = codec.shape;
  switch (shape.kind) {
    case 'hyper':
    case 'uhyper':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case 'optional':
      return value === null ? null : fromWire(shape.of, value, scope);
    case 'array':
    case 'fixedArray':
      return (value as unknown[]).map((v) => fromWire(shape.of, v, scope));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, c] of shape.fields) out[name] = fromWire(c, value[name], scope);
      return out;
    }
    default:
      return value;
  }
}

const isCharArray = (shape: Shape) => (shape.kind === 'array' || shape.kind === 'fixedArray') && shape.of.shape.kind === 'int';

/** An entry point's result as the wire value of `codec`. */
export function toWire(codec: Codec<any>, value: any): any {
  if (codec === remote_uuid) return uuidBytes(value);
  if (codec === remote_nonnull_domain) return { name: value.name, uuid: uuidBytes(value.uuid), id: value.id };
  if (codec === remote_nonnull_network || codec === remote_nonnull_storage_pool) return { name: value.name, uuid: uuidBytes(value.uuid) };
  if (codec === remote_nonnull_storage_vol) return { pool: value.pool, name: value.name, key: value.key };
  const shape = codec.shape;
  switch (shape.kind) {
    case 'int':
    case 'uint':
      return typeof value === 'boolean' ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
    case 'hyper':
    case 'uhyper':
      return typeof value === 'bigint' ? value : BigInt(typeof value === 'boolean' ? Number(value) : Math.trunc(value));
    case 'optional':
      return value === null || value === undefined ? null : toWire(shape.of, value);
    case 'array':
    case 'fixedArray':
      if (typeof value === 'string' && isCharArray(shape)) return charArray(value, shape.kind === 'fixedArray' ? shape.size : null);
      return (value as unknown[]).map((v) => toWire(shape.of, v));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, c] of shape.fields) out[name] = toWire(c, value[name]);
      return out;
    }
    default:
      return value;
  }
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** 16 raw bytes as the canonical UUID string tsvirt's handles carry. */
function formatUUID(bytes: Buffer): string {
  return parseUUID(bytes.toString('hex'))!;
}

/** A C string in rpcgen's `char x[n]` / `char x<max>`: one int per byte, NUL-terminated, as libvirtd sends it. */
function charArray(text: string, fixed: number | null): number[] {
  const bytes = [...Buffer.from(text, 'utf8')].map((b) => (b > 127 ? b - 256 : b));
  if (fixed === null) return [...bytes, 0];
  if (bytes.length >= fixed) return bytes.slice(0, fixed);
  return [...bytes, ...new Array(fixed - bytes.length).fill(0)];
}
