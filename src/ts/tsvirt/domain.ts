import * as api from '../api/domain.js';
import type { VirDomain } from '../core/handles.js';
import type { DomainInfo, DomainJobInfo } from '../drivers/driver.js';
import { virDomainCoreDumpFlags, virDomainState } from '../core/enums.generated.js';
import { Job, type JobOptions } from './job.js';
import { Owned } from './owned.js';

export type DomainStateName = 'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';
const STATE_NAMES: readonly DomainStateName[] = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'];

export interface DomainState {
  /** virDomainState */
  state: number;
  /** the state's reason, as libvirt numbers it for that state */
  reason: number;
  name: DomainStateName;
}

export interface CoreDumpOptions extends JobOptions {
  /** Leave the domain crashed (shut off) after the dump, as `virsh dump --crash`. */
  crash?: boolean;
  /** virDomainCoreDumpFlags, for flags without an option of their own. */
  flags?: number;
}

/** A domain (virtual machine). Methods call the same entry points as tsvirt/libvirt. */
export class Domain extends Owned<VirDomain> {
  get name(): string {
    return this.handle.name;
  }

  get uuid(): string {
    return this.handle.uuid;
  }

  /** The live id, or -1 while the domain is not running: it follows starts and stops. */
  get id(): number {
    return this.handle.id;
  }

  async info(): Promise<DomainInfo> {
    return api.virDomainGetInfo(this.handle);
  }

  async state(): Promise<DomainState> {
    const { state, reason } = await api.virDomainGetState(this.handle, 0);
    return { state, reason, name: STATE_NAMES[state] ?? 'nostate' };
  }

  async xml(flags = 0): Promise<string> {
    return api.virDomainGetXMLDesc(this.handle, flags);
  }

  async osType(): Promise<string> {
    return api.virDomainGetOSType(this.handle);
  }

  async isActive(): Promise<boolean> {
    return api.virDomainIsActive(this.handle);
  }

  async isPersistent(): Promise<boolean> {
    return api.virDomainIsPersistent(this.handle);
  }

  async isRunning(): Promise<boolean> {
    return (await this.state()).state === virDomainState.VIR_DOMAIN_RUNNING;
  }

  /** Starts a defined domain (virDomainCreate). */
  start(options: JobOptions & { flags?: number } = {}): Job<void> {
    const flags = options.flags ?? 0;
    const as = flags ? 'virDomainCreateWithFlags' : 'virDomainCreate';
    return new Job(() => api.startJobAs.create(as, this.handle, flags), () => undefined, options);
  }

  save(path: string, options: JobOptions & { flags?: number } = {}): Job<void> {
    const flags = options.flags ?? 0;
    const as = flags ? 'virDomainSaveFlags' : 'virDomainSave';
    return new Job(() => api.startJobAs.save(as, this.handle, path, null, flags), () => undefined, options);
  }

  coreDump(path: string, options: CoreDumpOptions = {}): Job<void> {
    const flags = (options.flags ?? 0) | (options.crash ? virDomainCoreDumpFlags.VIR_DUMP_CRASH : 0);
    return new Job(() => api.startJobAs.coreDump('virDomainCoreDump', this.handle, path, 0, flags), () => undefined, options);
  }

  async destroy(flags = 0): Promise<void> {
    await api.virDomainDestroyFlags(this.handle, flags);
  }

  async suspend(): Promise<void> {
    await api.virDomainSuspend(this.handle);
  }

  async resume(): Promise<void> {
    await api.virDomainResume(this.handle);
  }

  async shutdown(flags = 0): Promise<void> {
    await api.virDomainShutdownFlags(this.handle, flags);
  }

  async reboot(flags = 0): Promise<void> {
    await api.virDomainReboot(this.handle, flags);
  }

  async undefine(flags = 0): Promise<void> {
    await api.virDomainUndefineFlags(this.handle, flags);
  }

  /** The domain's running job as libvirt's virDomainGetJobInfo shows it (type NONE when idle). */
  async jobInfo(): Promise<DomainJobInfo> {
    return api.virDomainGetJobInfo(this.handle);
  }

  /** Cancels the domain's running job, whoever started it (virDomainAbortJob). */
  async abortJob(): Promise<void> {
    await api.virDomainAbortJob(this.handle);
  }
}
