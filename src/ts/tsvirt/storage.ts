import * as api from '../api/storage.js';
import type { VirStoragePool, VirStorageVol } from '../core/handles.js';
import type { StoragePoolInfo, StorageVolInfo } from '../drivers/driver.js';
import { Job, startOptions, type JobOptions } from './job.js';
import { Owned } from './owned.js';

type FlagOptions = JobOptions & { flags?: number };

/** A storage pool. */
export class StoragePool extends Owned<VirStoragePool> {
  get name(): string {
    return this.handle.name;
  }

  get uuid(): string {
    return this.handle.uuid;
  }

  async info(): Promise<StoragePoolInfo> {
    return api.virStoragePoolGetInfo(this.handle);
  }

  async xml(flags = 0): Promise<string> {
    return api.virStoragePoolGetXMLDesc(this.handle, flags);
  }

  async isActive(): Promise<boolean> {
    return api.virStoragePoolIsActive(this.handle);
  }

  async isPersistent(): Promise<boolean> {
    return api.virStoragePoolIsPersistent(this.handle);
  }

  /** Whether the pool starts with the host (virStoragePoolGetAutostart). */
  async autostart(): Promise<boolean> {
    return api.virStoragePoolGetAutostart(this.handle);
  }

  async build(flags = 0): Promise<void> {
    await api.virStoragePoolBuild(this.handle, flags);
  }

  async start(flags = 0): Promise<void> {
    await api.virStoragePoolCreate(this.handle, flags);
  }

  async destroy(): Promise<void> {
    await api.virStoragePoolDestroy(this.handle);
  }

  async undefine(): Promise<void> {
    await api.virStoragePoolUndefine(this.handle);
  }

  async refresh(flags = 0): Promise<void> {
    await api.virStoragePoolRefresh(this.handle, flags);
  }

  async listVolumes(flags = 0): Promise<StorageVolume[]> {
    return (await api.virStoragePoolListAllVolumes(this.handle, flags)).map((v) => new StorageVolume(v));
  }

  async lookupVolume(name: string): Promise<StorageVolume> {
    return new StorageVolume(await api.virStorageVolLookupByName(this.handle, name));
  }

  /** Creates a volume from its XML description (virStorageVolCreateXML) as a job. */
  createVolume(xml: string, options: FlagOptions = {}): Job<StorageVolume> {
    return new Job(() => api.startJobAs.create('virStorageVolCreateXML', this.handle, xml, options.flags ?? 0, startOptions(options)), takeVolume, options);
  }

  /** Clones `source` into a new volume of this pool (virStorageVolCreateXMLFrom) as a job. */
  cloneVolume(xml: string, source: StorageVolume, options: FlagOptions = {}): Job<StorageVolume> {
    return new Job(
      () => api.startJobAs.clone('virStorageVolCreateXMLFrom', this.handle, xml, source.handle, options.flags ?? 0, startOptions(options)),
      takeVolume,
      options,
    );
  }
}

/** A storage volume. */
export class StorageVolume extends Owned<VirStorageVol> {
  get name(): string {
    return this.handle.name;
  }

  get key(): string {
    return this.handle.key;
  }

  async path(): Promise<string> {
    return api.virStorageVolGetPath(this.handle);
  }

  async info(): Promise<StorageVolInfo> {
    return api.virStorageVolGetInfo(this.handle);
  }

  async xml(flags = 0): Promise<string> {
    return api.virStorageVolGetXMLDesc(this.handle, flags);
  }

  async pool(): Promise<StoragePool> {
    return new StoragePool(await api.virStoragePoolLookupByVolume(this.handle));
  }

  async delete(flags = 0): Promise<void> {
    await api.virStorageVolDelete(this.handle, flags);
  }

  async resize(capacity: number, flags = 0): Promise<void> {
    await api.virStorageVolResize(this.handle, capacity, flags);
  }

  /** Overwrites the volume's data (virStorageVolWipePattern; algorithm 0 = zeros) as a job. */
  wipe(options: FlagOptions & { algorithm?: number } = {}): Job<void> {
    return new Job(
      () => api.startJobAs.wipe(options.algorithm ? 'virStorageVolWipePattern' : 'virStorageVolWipe', this.handle, options.algorithm ?? 0, options.flags ?? 0, startOptions(options)),
      () => undefined,
      options,
    );
  }
}

function takeVolume(job: { vol: VirStorageVol | null }): StorageVolume {
  return new StorageVolume(job.vol!.ref());
}
