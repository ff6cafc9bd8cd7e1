import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { formatPoolXML, parsePoolXML, type PoolDef } from '../../conf/storage.js';
import { removeFileDurably, syncDir, writeFileAtomic } from './atomic-file.js';
import { sysError, xmlError } from './errors.js';

/**
 * The driver's state on disk, laid out as libvirt lays out its storage driver's:
 *
 *   <root>/storage/NAME.xml             definition of each persistent pool (libvirt's config dir)
 *   <root>/storage/autostart/NAME.xml   symbolic link to ../NAME.xml while the pool autostarts
 *   <root>/run/boot-id                  the boot the run state belongs to
 *   <root>/run/storage/NAME.xml         definition each active pool runs with (libvirt's state dir)
 *
 * There is no daemon: every connection, in any process, reads these files, so they are the only truth.
 * Each file is replaced atomically (see atomic-file.ts). The run state only means something during the
 * boot that wrote it; a driver that finds run state from another boot drops it, as a host that reboots
 * has no pools running, and then autostarts pools.
 */
export interface PoolRecord {
  /** The persistent definition; null for a transient pool. */
  config: PoolDef | null;
  /** The definition the pool runs with; null while inactive. */
  live: PoolDef | null;
  autostart: boolean;
}

export function currentDef(record: PoolRecord): PoolDef {
  return (record.live ?? record.config)!;
}

export class PoolStore {
  readonly configDir: string;
  readonly autostartDir: string;
  readonly runDir: string;
  readonly liveDir: string;

  constructor(readonly root: string) {
    this.configDir = join(root, 'storage');
    this.autostartDir = join(this.configDir, 'autostart');
    this.runDir = join(root, 'run');
    this.liveDir = join(this.runDir, 'storage');
  }

  /**
   * Creates the layout where it is missing and drops run state left by another boot. True when this is
   * the first start of the driver in this boot, when pools marked autostart are due to start.
   */
  open(): boolean {
    for (const dir of [this.configDir, this.autostartDir, this.liveDir]) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw sysError(err, `cannot create directory ${dir}`);
      }
    }
    const bootFile = join(this.runDir, 'boot-id');
    const boot = currentBootId();
    if (readText(bootFile) === boot) return false;
    for (const name of readdirSync(this.liveDir)) rmSync(join(this.liveDir, name), { force: true, recursive: true });
    syncDir(this.liveDir);
    writeFileAtomic(bootFile, boot);
    return true;
  }

  /** Every pool, persistent or running, in name order. */
  list(): PoolRecord[] {
    const names = new Set([...xmlNames(this.configDir), ...xmlNames(this.liveDir)]);
    const records: PoolRecord[] = [];
    for (const name of [...names].sort()) {
      const record = this.get(name);
      if (record) records.push(record);
    }
    return records;
  }

  /** The pool called `name`, or null. */
  get(name: string): PoolRecord | null {
    if (!isPoolName(name)) return null;
    const config = readDef(join(this.configDir, `${name}.xml`), name);
    const live = readDef(join(this.liveDir, `${name}.xml`), name);
    if (!config && !live) return null;
    return { config, live, autostart: config !== null && isLink(join(this.autostartDir, `${name}.xml`)) };
  }

  saveConfig(def: PoolDef): void {
    this.write(join(this.configDir, `${def.name}.xml`), def);
  }

  removeConfig(name: string): void {
    this.setAutostart(name, false);
    this.remove(join(this.configDir, `${name}.xml`));
  }

  saveLive(def: PoolDef): void {
    this.write(join(this.liveDir, `${def.name}.xml`), def);
  }

  removeLive(name: string): void {
    this.remove(join(this.liveDir, `${name}.xml`));
  }

  setAutostart(name: string, on: boolean): void {
    const link = join(this.autostartDir, `${name}.xml`);
    if (on === isLink(link)) return;
    try {
      if (on) symlinkSync(join('..', `${name}.xml`), link);
      else unlinkSync(link);
      syncDir(this.autostartDir);
    } catch (err) {
      const config = join(this.configDir, `${name}.xml`);
      throw sysError(err, on ? `Failed to create symlink '${link}' to '${config}'` : `Failed to delete symlink '${link}'`);
    }
  }

  private write(path: string, def: PoolDef): void {
    if (!isPoolName(def.name)) throw xmlError(`name ${def.name} cannot contain '/'`);
    try {
      writeFileAtomic(path, formatPoolXML(def));
    } catch (err) {
      throw sysError(err, `cannot write config file '${path}'`);
    }
  }

  private remove(path: string): void {
    try {
      removeFileDurably(path);
    } catch (err) {
      throw sysError(err, `cannot remove config file '${path}'`);
    }
  }
}

/** Pool names become file names (NAME.xml): one that could name another path never reaches the disk. */
export function isPoolName(name: string): boolean {
  return name !== '' && !name.includes('/') && !name.includes('\0');
}

/**
 * A definition file, or null when it is missing or not usable: a damaged or hand-edited file whose pool
 * name does not match its file name is skipped, as libvirt skips pool configs it cannot load, rather than
 * taking every other pool down with it.
 */
function readDef(path: string, name: string): PoolDef | null {
  const text = readText(path);
  if (text === null) return null;
  try {
    const def = parsePoolXML(text);
    return def.name === name ? def : null;
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function xmlNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -'.xml'.length));
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The kernel's id of this boot; run state written under another is stale. */
function currentBootId(): string {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() ?? 'unknown';
}
