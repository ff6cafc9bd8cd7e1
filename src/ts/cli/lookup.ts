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

export async function lookupDomain(s: Session, key: string, by = BY_ANY): Promise<Domain> {
  const rt = await s.rt();
  const conn = s.connection.handle;
  const attempt = async (find: () => unknown): Promise<Domain | null> => {
    try {
      return s.keep(new rt.Domain((await find()) as ConstructorParameters<typeof rt.Domain>[0]));
    } catch (err) {
      s.keepError(err);
      return null;
    }
  };
  let dom: Domain | null = null;
  const id = by & BY_ID ? parseId(key) : null;
  if (id !== null && id >= 0) dom = await attempt(() => rt.domainApi.virDomainLookupByID(conn, id));
  if (!dom && by & BY_UUID && key.length === UUID_LENGTH)
    dom = await attempt(() => rt.domainApi.virDomainLookupByUUIDString(conn, key));
  if (!dom && by & BY_NAME) dom = await attempt(() => rt.domainApi.virDomainLookupByName(conn, key));
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
  const rt = await s.rt();
  const key = optRequired(s, cmd, 'network');
  const conn = s.connection.handle;
  let net: Network | null = null;
  try {
    if (by & BY_UUID && key.length === UUID_LENGTH) net = new rt.Network(await rt.networkApi.virNetworkLookupByUUIDString(conn, key));
  } catch (err) {
    s.keepError(err);
  }
  try {
    if (!net && by & BY_NAME) net = new rt.Network(await rt.networkApi.virNetworkLookupByName(conn, key));
  } catch (err) {
    s.keepError(err);
  }
  if (!net) {
    s.error(`failed to get network '${key}'`);
    throw new CommandFailed();
  }
  return { net: s.keep(net), key };
}

export async function lookupPool(s: Session, key: string, by = BY_UUID | BY_NAME): Promise<StoragePool> {
  const rt = await s.rt();
  const conn = s.connection.handle;
  let pool: StoragePool | null = null;
  try {
    if (by & BY_UUID && key.length === UUID_LENGTH) pool = new rt.StoragePool(await rt.storageApi.virStoragePoolLookupByUUIDString(conn, key));
  } catch (err) {
    s.keepError(err);
  }
  try {
    if (!pool && by & BY_NAME) pool = new rt.StoragePool(await rt.storageApi.virStoragePoolLookupByName(conn, key));
  } catch (err) {
    s.keepError(err);
  }
  if (!pool) {
    s.error(`failed to get pool '${key}'`);
    throw new CommandFailed();
  }
  return s.keep(pool);
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
  const rt = await s.rt();
  const key = optRequired(s, cmd, name);
  const poolKey = optString(s, cmd, poolOption);
  let pool: StoragePool | null = null;
  if (poolKey !== undefined) {
    pool = await lookupPool(s, poolKey);
    if (!(await pool.isActive())) {
      s.error(`pool '${poolKey}' is not active`);
      throw new CommandFailed();
    }
  }
  const conn = s.connection.handle;
  let vol: StorageVolume | null = null;
  const attempt = async (find: () => unknown) => {
    if (vol) return;
    try {
      vol = s.keep(new rt.StorageVolume((await find()) as ConstructorParameters<typeof rt.StorageVolume>[0]));
    } catch (err) {
      s.keepError(err);
    }
  };
  if (pool) {
    const inPool = pool;
    await attempt(() => rt.storageApi.virStorageVolLookupByName(inPool.handle, key));
  }
  await attempt(() => rt.storageApi.virStorageVolLookupByKey(conn, key));
  await attempt(() => rt.storageApi.virStorageVolLookupByPath(conn, key));
  if (!vol) {
    s.error(pool ? `failed to get vol '${key}'` : `failed to get vol '${key}', specifying --${poolOption} might help`);
    throw new CommandFailed();
  }
  const found: StorageVolume = vol;
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
