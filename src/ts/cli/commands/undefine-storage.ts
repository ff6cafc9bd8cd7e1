import type { Domain, StorageVolume } from '../../index.js';
import { ErrorDomain } from '../../errors/index.js';
import { splitList } from '../lists.js';
import { CommandFailed, type Session } from '../session.js';

/**
 * `undefine --storage LIST` / `--remove-all-storage`: the managed volumes behind the domain's disks are
 * found before the domain is undefined and removed (optionally wiped first) after, with virsh's messages.
 */
export interface StorageRemoval {
  /** Comma-separated disk targets or source paths (--storage). */
  list: string | undefined;
  all: boolean;
  wipe: boolean;
  deleteSnapshots: boolean;
}

interface PlannedVolume {
  vol: StorageVolume;
  target: string;
  source: string;
}

export interface RemovalPlan {
  volumes: PlannedVolume[];
  wipe: boolean;
  deleteFlags: number;
}

const VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 2;

async function plan(s: Session, dom: Domain, removal: StorageRemoval): Promise<RemovalPlan> {
  if (await dom.isActive()) {
    s.error('Storage volume deletion is supported only on stopped domains');
    throw new CommandFailed();
  }
  if (removal.list && removal.all) {
    s.error('Specified both --storage and --remove-all-storage');
    throw new CommandFailed();
  }
  // The XML parser is loaded by the commands that read XML only.
  const { parseXml } = await import('../../xml/index.js');
  const root = parseXml(await dom.xml(), { docName: 'domain_definition', errorDomain: ErrorDomain.VIR_FROM_NONE });
  const wanted = removal.list ? splitList(removal.list) : null;
  const matched = new Set<string>();
  const volumes: PlannedVolume[] = [];
  for (const disk of root.child('devices')?.childrenNamed('disk') ?? []) {
    const target = disk.child('target')?.attr('dev') ?? '';
    const src = disk.child('source');
    const source = src && (src.attr('file') ?? src.attr('dir') ?? src.attr('name') ?? src.attr('dev') ?? src.attr('volume'));
    if (source === undefined || source === null) continue;
    if (wanted) {
      const hit = wanted.find((w) => w === target || w === source);
      if (hit === undefined) continue;
      matched.add(hit);
    }
    const poolName = src!.attr('pool');
    let vol: StorageVolume | null = null;
    try {
      if (poolName !== undefined) {
        let pool;
        try {
          pool = s.keep(await s.connection.lookupStoragePoolByName(poolName));
        } catch {
          s.error(`Storage pool '${poolName}' for volume '${target}' not found.`);
          continue;
        }
        vol = await pool.lookupVolume(source);
      } else {
        vol = await s.connection.lookupStorageVolumeByPath(source);
      }
    } catch {
      vol = null;
    }
    if (!vol) {
      // virsh ends these two messages with a newline of their own, which shows as an empty line.
      s.error(`Storage volume '${target}'(${source}) is not managed by libvirt. Remove it manually.\n`);
      continue;
    }
    volumes.push({ vol: s.keep(vol), target, source });
  }
  const missing = (wanted ?? []).filter((w) => !matched.has(w));
  for (const name of missing) s.error(`Volume '${name}' was not found in domain's definition.\n`);
  if (missing.length) throw new CommandFailed();
  s.lastError = null;
  return { volumes, wipe: removal.wipe, deleteFlags: removal.deleteSnapshots ? VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS : 0 };
}

async function run(s: Session, { volumes, wipe, deleteFlags }: RemovalPlan): Promise<boolean> {
  let ok = true;
  for (const { vol, target, source } of volumes) {
    if (wipe) {
      s.printExtra(`Wiping volume '${target}'(${source}) ... `);
      try {
        await s.waitForJob(vol.wipe());
      } catch (err) {
        s.keepError(err);
        s.error('Failed! Volume not removed.');
        ok = false;
        continue;
      }
      s.printExtra('Done.\n');
    }
    try {
      await vol.delete(deleteFlags);
    } catch (err) {
      s.keepError(err);
      s.error(`Failed to remove storage volume '${target}'(${source})`);
      ok = false;
      continue;
    }
    s.printExtra(`Volume '${target}'(${source}) removed.\n`);
  }
  return ok;
}

export const removeDomainStorage = { plan, run };
