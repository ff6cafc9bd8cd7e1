import * as api from '../api/domain.js';
import type { VirDomain } from '../core/handles.js';
import type { DomainInfo, DomainJobInfo, SecurityLabel } from '../drivers/driver.js';
import { virDomainCoreDumpFlags, virDomainCoreDumpFormat, virDomainState } from '../core/enums.generated.js';
import { Job, startOptions, type JobOptions } from './job.js';
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
  /** virDomainCoreDumpFormat of a memory-only dump (virDomainCoreDumpWithFormat); raw by default. */
  format?: number;
}

export interface SaveOptions extends JobOptions {
  /** virDomainSaveRestoreFlags */
  flags?: number;
  /** A replacement domain XML to store in the image, as `virsh save --xml` (virDomainSaveFlags). */
  xml?: string;
}

/**
 * A domain (virtual machine). Methods call the same entry points as tsvirt/libvirt, each the one virsh calls
 * for the same request (virDomainDestroy without flags, virDomainDestroyFlags with them), so an error names
 * the function a libvirt program would have called.
 */
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

  /** Whether the domain starts with the host (virDomainGetAutostart). */
  async autostart(): Promise<boolean> {
    return api.virDomainGetAutostart(this.handle);
  }

  /** Whether a managed save image waits to be restored on the next start (virDomainHasManagedSaveImage). */
  async hasManagedSaveImage(): Promise<boolean> {
    return api.virDomainHasManagedSaveImage(this.handle, 0);
  }

  /** The domain's security label (virDomainGetSecurityLabel); label '' when it has none. */
  async securityLabel(): Promise<SecurityLabel> {
    return api.virDomainGetSecurityLabel(this.handle);
  }

  async isRunning(): Promise<boolean> {
    return (await this.state()).state === virDomainState.VIR_DOMAIN_RUNNING;
  }

  /** Starts a defined domain (virDomainCreate). */
  start(options: JobOptions & { flags?: number } = {}): Job<void> {
    const flags = options.flags ?? 0;
    const as = flags ? 'virDomainCreateWithFlags' : 'virDomainCreate';
    return new Job(() => api.startJobAs.create(as, this.handle, flags, startOptions(options)), () => undefined, options);
  }

  save(path: string, options: SaveOptions = {}): Job<void> {
    const flags = options.flags ?? 0;
    const xml = options.xml ?? null;
    const as = flags || xml !== null ? 'virDomainSaveFlags' : 'virDomainSave';
    return new Job(() => api.startJobAs.save(as, this.handle, path, xml, flags, startOptions(options)), () => undefined, options);
  }

  coreDump(path: string, options: CoreDumpOptions = {}): Job<void> {
    const flags = (options.flags ?? 0) | (options.crash ? virDomainCoreDumpFlags.VIR_DUMP_CRASH : 0);
    const format = options.format ?? virDomainCoreDumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW;
    const as = format !== virDomainCoreDumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW ? 'virDomainCoreDumpWithFormat' : 'virDomainCoreDump';
    return new Job(() => api.startJobAs.coreDump(as, this.handle, path, format, flags, startOptions(options)), () => undefined, options);
  }

  async destroy(flags = 0): Promise<void> {
    await (flags ? api.virDomainDestroyFlags(this.handle, flags) : api.virDomainDestroy(this.handle));
  }

  async suspend(): Promise<void> {
    await api.virDomainSuspend(this.handle);
  }

  async resume(): Promise<void> {
    await api.virDomainResume(this.handle);
  }

  async shutdown(flags = 0): Promise<void> {
    await (flags ? api.virDomainShutdownFlags(this.handle, flags) : api.virDomainShutdown(this.handle));
  }

  async reboot(flags = 0): Promise<void> {
    await api.virDomainReboot(this.handle, flags);
  }

  /** virDomainUndefineFlags, even without flags, as virsh calls it. */
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
