import * as connectApi from '../api/connect.js';
import * as domainApi from '../api/domain.js';
import * as jobApi from '../api/job.js';
import * as networkApi from '../api/network.js';
import * as storageApi from '../api/storage.js';
import type { VirConnect, VirDomain } from '../core/handles.js';
import { virConnectListAllJobsFlags } from '../core/enums.generated.js';
import type { NodeInfo, SecurityModel } from '../drivers/driver.js';
import { VirError } from '../errors/index.js';
import { Domain } from './domain.js';
import { DomainEvents, type DomainEventOptions } from './events.js';
import { Job, type JobOptions } from './job.js';
import { Network } from './network.js';
import { StoragePool, StorageVolume } from './storage.js';

export interface ConnectOptions {
  readOnly?: boolean;
}

const { VIR_CONNECT_LIST_JOBS_RUNNING: RUNNING, VIR_CONNECT_LIST_JOBS_FINISHED: FINISHED } = virConnectListAllJobsFlags;

export interface RestoreOptions extends JobOptions {
  /** virDomainSaveRestoreFlags */
  flags?: number;
  /** A replacement domain XML for the restored domain, as `virsh restore --xml` (virDomainRestoreFlags). */
  xml?: string;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Opens a connection: `test:///default`, `test:///PATH.xml`, `tsvirt:///session`, ... */
export async function connect(uri?: string, options: ConnectOptions = {}): Promise<Connection> {
  const handle = await (options.readOnly ? connectApi.virConnectOpenReadOnly(uri ?? null) : connectApi.virConnectOpen(uri ?? null));
  return new Connection(handle);
}

/** The version of this library, as libvirt numbers versions: major * 1,000,000 + minor * 1,000 + release. */
export function libraryVersion(): number {
  return connectApi.virGetVersion().libVer;
}

/**
 * A connection to a driver. Every method goes through the same entry points as tsvirt/libvirt, each the one
 * virsh calls for the same request, so an error names the function a libvirt program would have called.
 */
export class Connection implements AsyncDisposable {
  private closed = false;
  /** The event iterators still listening: they end when the connection is closed. */
  private readonly eventStreams = new Set<DomainEvents>();

  /** Listeners of the connection's loss, behind the one close callback libvirt allows a connection. */
  private readonly closeListeners = new Set<(reason: number) => void>();
  private closeRegistration: Promise<unknown> | null = null;
  private readonly relayClose = (_conn: VirConnect, reason: number) => {
    for (const listener of [...this.closeListeners]) listener(reason);
  };

  /** @internal */
  constructor(readonly handle: VirConnect) {}

  /** False once the connection to its driver was lost (a daemon gone, a keepalive timeout): virConnectIsAlive. */
  get alive(): boolean {
    return !this.closed && connectApi.virConnectIsAlive(this.handle);
  }

  /**
   * Keepalive on a daemon's connection (virConnectSetKeepAlive): a PING after `interval` seconds without word
   * from the daemon, the connection given up after `count` unanswered ones (libvirt's defaults: 5 and 5, on
   * from the open). `interval` <= 0 stops it. Resolves 1 when the daemon has no keepalive; rejects with
   * "not supported" for a local driver's connection.
   */
  async setKeepAlive(interval: number, count: number): Promise<number> {
    return connectApi.virConnectSetKeepAlive(this.handle, interval, count);
  }

  /**
   * Calls `listener` when the connection is lost other than by close(): the daemon went away (reason
   * VIR_CONNECT_CLOSE_REASON_EOF 1 or ERROR 0) or stopped answering keepalive PINGs (KEEPALIVE 2), as
   * virConnectRegisterCloseCallback does. Resolves once listening, with the function that stops it. Calls in
   * flight at that moment reject with libvirt's RPC error. Local drivers' connections are never lost.
   */
  async onClose(listener: (reason: number) => void): Promise<() => void> {
    this.closeListeners.add(listener);
    this.closeRegistration ??= Promise.resolve(connectApi.virConnectRegisterCloseCallback(this.handle, this.relayClose));
    try {
      await this.closeRegistration;
    } catch (err) {
      this.closeListeners.delete(listener);
      this.closeRegistration = null;
      throw err;
    }
    return () => {
      this.closeListeners.delete(listener);
    };
  }

  get uri(): string {
    return connectApi.virConnectGetURI(this.handle);
  }

  /** The driver's name as virConnectGetType reports it, e.g. 'TEST'. */
  get type(): string {
    return connectApi.virConnectGetType(this.handle);
  }

  async version(): Promise<number> {
    return connectApi.virConnectGetVersion(this.handle);
  }

  async hostname(): Promise<string> {
    return connectApi.virConnectGetHostname(this.handle);
  }

  async nodeInfo(): Promise<NodeInfo> {
    return connectApi.virNodeGetInfo(this.handle);
  }

  /** The version of the library serving the connection (virConnectGetLibVersion): a daemon's, through one. */
  async libVersion(): Promise<number> {
    return connectApi.virConnectGetLibVersion(this.handle);
  }

  /** The host's security model (virNodeGetSecurityModel); model '' when there is none. */
  async securityModel(): Promise<SecurityModel> {
    return connectApi.virNodeGetSecurityModel(this.handle);
  }

  // ---- domains ----

  async listDomains(flags = 0): Promise<Domain[]> {
    return (await domainApi.virConnectListAllDomains(this.handle, flags)).map((d) => new Domain(d));
  }

  /** Finds a domain by id (a number, or a string of digits), UUID or name, in virsh's order. */
  async lookupDomain(key: string | number): Promise<Domain> {
    if (typeof key === 'number') return this.lookupDomainById(key);
    if (/^\d+$/.test(key)) {
      try {
        return await this.lookupDomainById(Number(key));
      } catch (err) {
        if (!(err instanceof VirError)) throw err;
      }
    }
    if (UUID_RE.test(key)) {
      try {
        return await this.lookupDomainByUuid(key);
      } catch (err) {
        if (!(err instanceof VirError)) throw err;
      }
    }
    return this.lookupDomainByName(key);
  }

  /** The running domain with this id (virDomainLookupByID). */
  async lookupDomainById(id: number): Promise<Domain> {
    return new Domain(await domainApi.virDomainLookupByID(this.handle, id));
  }

  async lookupDomainByUuid(uuid: string): Promise<Domain> {
    return new Domain(await domainApi.virDomainLookupByUUIDString(this.handle, uuid));
  }

  async lookupDomainByName(name: string): Promise<Domain> {
    return new Domain(await domainApi.virDomainLookupByName(this.handle, name));
  }

  /** Defines a domain: virDomainDefineXML, or virDomainDefineXMLFlags with flags (virDomainDefineFlags). */
  async defineDomain(xml: string, flags = 0): Promise<Domain> {
    const conn = this.handle;
    return new Domain(await (flags ? domainApi.virDomainDefineXMLFlags(conn, xml, flags) : domainApi.virDomainDefineXML(conn, xml)));
  }

  /** Creates and starts a transient domain (virDomainCreateXML) as a job. */
  createDomain(xml: string, options: JobOptions & { flags?: number } = {}): Job<Domain> {
    return new Job(() => domainApi.startJobAs.createXML('virDomainCreateXML', this.handle, xml, options.flags ?? 0), takeDomain, options);
  }

  /** Restores a domain saved with Domain.save (virDomainRestore) as a job. */
  restore(path: string, options: RestoreOptions = {}): Job<Domain> {
    const flags = options.flags ?? 0;
    const xml = options.xml ?? null;
    const as = flags || xml !== null ? 'virDomainRestoreFlags' : 'virDomainRestore';
    return new Job(() => domainApi.startJobAs.restore(as, this.handle, path, xml, flags), takeDomain, options);
  }

  /**
   * Domain lifecycle events (defined, started, suspended, stopped, ...) of every domain or of one, from now
   * on, as an async iterator: `for await (const e of conn.domainEvents({ signal })) ...`. Every connection
   * sharing the driver's state sees the events, whichever connection caused them.
   */
  domainEvents(options: DomainEventOptions = {}): DomainEvents {
    const stream: DomainEvents = new DomainEvents(this.handle, options.domain?.handle ?? null, options.signal, () =>
      this.eventStreams.delete(stream),
    );
    if (!this.closed) this.eventStreams.add(stream);
    return stream;
  }

  // ---- networks ----

  async listNetworks(flags = 0): Promise<Network[]> {
    return (await networkApi.virConnectListAllNetworks(this.handle, flags)).map((n) => new Network(n));
  }

  /** Finds a network by UUID or name, in virsh's order. */
  async lookupNetwork(key: string): Promise<Network> {
    if (UUID_RE.test(key)) {
      try {
        return await this.lookupNetworkByUuid(key);
      } catch (err) {
        if (!(err instanceof VirError)) throw err;
      }
    }
    return this.lookupNetworkByName(key);
  }

  async lookupNetworkByUuid(uuid: string): Promise<Network> {
    return new Network(await networkApi.virNetworkLookupByUUIDString(this.handle, uuid));
  }

  async lookupNetworkByName(name: string): Promise<Network> {
    return new Network(await networkApi.virNetworkLookupByName(this.handle, name));
  }

  /** Defines a network: virNetworkDefineXML, or virNetworkDefineXMLFlags with flags (virNetworkDefineFlags). */
  async defineNetwork(xml: string, flags = 0): Promise<Network> {
    const conn = this.handle;
    return new Network(await (flags ? networkApi.virNetworkDefineXMLFlags(conn, xml, flags) : networkApi.virNetworkDefineXML(conn, xml)));
  }

  createNetwork(xml: string, options: JobOptions & { flags?: number } = {}): Job<Network> {
    return new Job(
      () => networkApi.startJobAs.createXML(options.flags ? 'virNetworkCreateXMLFlags' : 'virNetworkCreateXML', this.handle, xml, options.flags ?? 0),
      (job) => new Network(job.network!.ref()),
      options,
    );
  }

  // ---- storage ----

  async listStoragePools(flags = 0): Promise<StoragePool[]> {
    return (await storageApi.virConnectListAllStoragePools(this.handle, flags)).map((p) => new StoragePool(p));
  }

  /** Finds a pool by UUID or name, in virsh's order. */
  async lookupStoragePool(key: string): Promise<StoragePool> {
    if (UUID_RE.test(key)) {
      try {
        return await this.lookupStoragePoolByUuid(key);
      } catch (err) {
        if (!(err instanceof VirError)) throw err;
      }
    }
    return this.lookupStoragePoolByName(key);
  }

  async lookupStoragePoolByUuid(uuid: string): Promise<StoragePool> {
    return new StoragePool(await storageApi.virStoragePoolLookupByUUIDString(this.handle, uuid));
  }

  async lookupStoragePoolByName(name: string): Promise<StoragePool> {
    return new StoragePool(await storageApi.virStoragePoolLookupByName(this.handle, name));
  }

  async defineStoragePool(xml: string, flags = 0): Promise<StoragePool> {
    return new StoragePool(await storageApi.virStoragePoolDefineXML(this.handle, xml, flags));
  }

  async createStoragePool(xml: string, flags = 0): Promise<StoragePool> {
    return new StoragePool(await storageApi.virStoragePoolCreateXML(this.handle, xml, flags));
  }

  /** Finds a volume by its path, then by its key. */
  async lookupStorageVolume(pathOrKey: string): Promise<StorageVolume> {
    try {
      return await this.lookupStorageVolumeByPath(pathOrKey);
    } catch (err) {
      if (!(err instanceof VirError)) throw err;
      return this.lookupStorageVolumeByKey(pathOrKey);
    }
  }

  async lookupStorageVolumeByPath(path: string): Promise<StorageVolume> {
    return new StorageVolume(await storageApi.virStorageVolLookupByPath(this.handle, path));
  }

  async lookupStorageVolumeByKey(key: string): Promise<StorageVolume> {
    return new StorageVolume(await storageApi.virStorageVolLookupByKey(this.handle, key));
  }

  // ---- jobs and lifetime ----

  /**
   * The jobs of this connection's driver instance (those started through any connection to the same
   * `test:///default`, the same storage root, ...), oldest first: all of them, or only those running or
   * finished. Each is a Job that settles when the job ends (at once for a finished one).
   */
  async jobs(filter: { state?: 'running' | 'finished' } = {}): Promise<Job<void>[]> {
    const flags = filter.state === 'running' ? RUNNING : filter.state === 'finished' ? FINISHED : 0;
    const found = await jobApi.virConnectListAllJobs(this.handle, flags);
    const jobs = found.map((job) => new Job(() => job, () => undefined));
    await Promise.all(jobs.map((job) => job.started())); // so that id, operation and progress() answer
    return jobs;
  }

  /**
   * The job with this id, found from this connection (virJobLookupByID), as a Job that settles when the job
   * ends (at once if it already has). If no job of this connection's driver instance has the id, the Job
   * rejects with VIR_ERR_INVALID_ARG and `started()` resolves false.
   */
  jobById(id: number, options: JobOptions = {}): Job<void> {
    return new Job(() => jobApi.virJobLookupByID(this.handle, id), () => undefined, options);
  }

  /**
   * Cancels the job with this id as virJobCancel does, throwing its error when the job has already completed
   * or failed: for a caller that must know the request took effect (`tsvirsh job-cancel`). Job.cancel(), by
   * contrast, is a wish that a job already ended simply ignores.
   */
  async cancelJob(id: number): Promise<void> {
    const job = await jobApi.virJobLookupByID(this.handle, id);
    try {
      jobApi.virJobCancel(job);
    } finally {
      jobApi.virJobFree(job);
    }
  }

  /**
   * Drops this object's reference on the connection and returns how many remain (other objects, running
   * jobs). The driver lets go of the connection when none do. Closing twice is harmless.
   */
  async close(): Promise<number> {
    if (this.closed) return this.handle.refs;
    this.closed = true;
    for (const stream of [...this.eventStreams]) stream.close();
    return connectApi.virConnectClose(this.handle);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function takeDomain(job: { domain: VirDomain | null }): Domain {
  return new Domain(job.domain!.ref());
}
