import * as api from '../api/network.js';
import type { VirNetwork } from '../core/handles.js';
import { Job, startOptions, type JobOptions } from './job.js';
import { Owned } from './owned.js';

/** A virtual network. */
export class Network extends Owned<VirNetwork> {
  get name(): string {
    return this.handle.name;
  }

  get uuid(): string {
    return this.handle.uuid;
  }

  async xml(flags = 0): Promise<string> {
    return api.virNetworkGetXMLDesc(this.handle, flags);
  }

  async bridgeName(): Promise<string> {
    return api.virNetworkGetBridgeName(this.handle);
  }

  async isActive(): Promise<boolean> {
    return api.virNetworkIsActive(this.handle);
  }

  async isPersistent(): Promise<boolean> {
    return api.virNetworkIsPersistent(this.handle);
  }

  async autostart(): Promise<boolean> {
    return api.virNetworkGetAutostart(this.handle);
  }

  async setAutostart(autostart: boolean): Promise<void> {
    await api.virNetworkSetAutostart(this.handle, autostart);
  }

  /** Starts a defined network (virNetworkCreate) as a job. */
  start(options: JobOptions & { flags?: number } = {}): Job<void> {
    return new Job(() => api.startJobAs.create('virNetworkCreate', this.handle, options.flags ?? 0, startOptions(options)), () => undefined, options);
  }

  async destroy(): Promise<void> {
    await api.virNetworkDestroy(this.handle);
  }

  async undefine(): Promise<void> {
    await api.virNetworkUndefine(this.handle);
  }
}
