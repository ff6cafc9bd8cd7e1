import type { Readable } from 'node:stream';
import * as api from '../api/storage.js';
import type { VirStoragePool, VirStorageVol } from '../core/handles.js';
import type { StoragePoolInfo, StorageVolInfo } from '../drivers/driver.js';
import { Job, startOptions, type JobOptions } from './job.js';
import { Owned } from './owned.js';
import { readableOf, VolumeDownload, VolumeUpload, type TransferOptions, type UploadSource } from './stream.js';

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

  /**
   * Writes `source` into the volume from `offset` (virStorageVolUpload, then virStreamSend until the source
   * ends, then virStreamFinish). The volume changes only once all of it arrived: an error or the signal leave
   * it as it was.
   */
  async upload(source: UploadSource, options: TransferOptions = {}): Promise<void> {
    const upload = await this.openUpload(options);
    try {
      await upload.sendAll(source);
    } finally {
      upload.free();
    }
  }

  /**
   * The volume's bytes from `offset` as a Node Readable (virStorageVolDownload, virStreamRecv, and
   * virStreamFinish at the end). Holes read as zeros. Destroying the stream, or the signal, abandons it.
   */
  download(options: TransferOptions = {}): Readable {
    const vol = this.handle;
    async function* data(): AsyncGenerator<Buffer> {
      yield* await VolumeDownload.open(vol, options);
    }
    return readableOf(data());
  }

  /** An upload to drive step by step: `send`, then `finish` or `abort` (what tsvirsh vol-upload uses). */
  openUpload(options: TransferOptions = {}): Promise<VolumeUpload> {
    return VolumeUpload.open(this.handle, options);
  }

  /** A download to drive step by step: `read` until null, then `finish` or `abort`. */
  openDownload(options: TransferOptions = {}): Promise<VolumeDownload> {
    return VolumeDownload.open(this.handle, options);
  }
}

function takeVolume(job: { vol: VirStorageVol | null }): StorageVolume {
  return new StorageVolume(job.vol!.ref());
}
