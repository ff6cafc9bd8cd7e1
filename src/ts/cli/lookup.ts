import type { Domain, Network, StoragePool, StorageVolume } from '../index.js';
import type { ParsedCommand } from './command-def.js';
import { optRequired, optString } from './options.js';
import { CommandFailed, type Session } from './session.js';

/**
 * Finding the object a command names, in virsh's order and with virsh's errors (virshLookupDomainBy,
 * virshCommandOptNetworkBy, virshCommandOptPoolBy, virshCommandOptVolBy). A domain that is not found is
 * reported by virsh alone; for networks, pools and volumes libvirt's reason follows.
 */
export const BY_ID = 1;
export const BY_UUID = 2;
export const BY_NAME = 4;
const BY_ANY = BY_ID | BY_UUID | BY_NAME;

/** A UUID is only tried for strings of a UUID's printed length (VIR_UUID_STRING_BUFLEN - 1). */
const UUID_LENGTH = 36;

/** virStrToLong_i with the whole string consumed: blanks, a sign, decimal digits, within int. */
function parseId(text: string): number | null {
  if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(text)) return null;
  const n = Number(text.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : null;
}

/**
 * The first of `finds` that succeeds, held for the command; the error of each that fails is kept as
 * libvirt's last error (virsh reports the last one).
 */
export async function firstFound<T extends { free(): void }>(s: Session, finds: (false | (() => Promise<T>))[]): Promise<T | null> {
  for (const find of finds) {
    if (!find) continue;
    try {
      return s.keep(await find());
    } catch (err) {
      s.keepError(err);
    }
  }
  return null;
}

export async function lookupDomain(s: Session, key: string, by = BY_ANY): Promise<Domain> {
  const conn = s.connection;
  const id = by & BY_ID ? parseId(key) : null;
  const dom = await firstFound(s, [
    id !== null && id >= 0 && (() => conn.lookupDomainById(id)),
    (by & BY_UUID) !== 0 && key.length === UUID_LENGTH && (() => conn.lookupDomainByUuid(key)),
    (by & BY_NAME) !== 0 && (() => conn.lookupDomainByName(key)),
  ]);
  // virsh drops libvirt's reason for a domain it could not find and says only this.
  s.lastError = null;
  if (!dom) {
    s.error(`failed to get domain '${key}'`);
    throw new CommandFailed();
  }
  return dom;
}

/** virshCommandOptDomain: the domain named by option `name`, with the name as given. */
export async function optDomain(s: Session, cmd: ParsedCommand, by = BY_ANY, name = 'domain'): Promise<{ dom: Domain; key: string }> {
  const key = optRequired(s, cmd, name);
  return { dom: await lookupDomain(s, key, by), key };
}

export async function optNetwork(s: Session, cmd: ParsedCommand, by = BY_UUID | BY_NAME): Promise<{ net: Network; key: string }> {
  const key = optRequired(s, cmd, 'network');
  const conn = s.connection;
  const net = await firstFound(s, [
    (by & BY_UUID) !== 0 && key.length === UUID_LENGTH && (() => conn.lookupNetworkByUuid(key)),
    (by & BY_NAME) !== 0 && (() => conn.lookupNetworkByName(key)),
  ]);
  if (!net) {
    s.error(`failed to get network '${key}'`);
    throw new CommandFailed();
  }
  return { net, key };
}

export async function lookupPool(s: Session, key: string, by = BY_UUID | BY_NAME): Promise<StoragePool> {
  const conn = s.connection;
  const pool = await firstFound(s, [
    (by & BY_UUID) !== 0 && key.length === UUID_LENGTH && (() => conn.lookupStoragePoolByUuid(key)),
    (by & BY_NAME) !== 0 && (() => conn.lookupStoragePoolByName(key)),
  ]);
  if (!pool) {
    s.error(`failed to get pool '${key}'`);
    throw new CommandFailed();
  }
  return pool;
}

export async function optPool(s: Session, cmd: ParsedCommand, name = 'pool'): Promise<{ pool: StoragePool; key: string }> {
  const key = optRequired(s, cmd, name);
  return { pool: await lookupPool(s, key), key };
}

/**
 * virshCommandOptVol: with a pool, the volume is first looked up by name in it (and must belong to it);
 * then, anywhere, by key and by path.
 */
export async function optVolume(
  s: Session,
  cmd: ParsedCommand,
  name = 'vol',
  poolOption = 'pool',
): Promise<{ vol: StorageVolume; key: string }> {
  const key = optRequired(s, cmd, name);
  const poolKey = optString(s, cmd, poolOption);
  const pool = poolKey === undefined ? null : await lookupPool(s, poolKey);
  if (pool && !(await pool.isActive())) {
    s.error(`pool '${poolKey}' is not active`);
    throw new CommandFailed();
  }
  const conn = s.connection;
  const found = await firstFound(s, [
    pool !== null && (() => pool.lookupVolume(key)),
    () => conn.lookupStorageVolumeByKey(key),
    () => conn.lookupStorageVolumeByPath(key),
  ]);
  if (!found) {
    s.error(pool ? `failed to get vol '${key}'` : `failed to get vol '${key}', specifying --${poolOption} might help`);
    throw new CommandFailed();
  }
  s.lastError = null;
  if (pool) {
    const owner = s.keep(await found.pool());
    if (owner.name !== pool.name) {
      s.error(`Requested volume '${key}' is not in pool '${pool.name}'`);
      throw new CommandFailed();
    }
  }
  return { vol: found, key };
}
