import type {
  DomainRef,
  NetworkRef,
  StoragePoolRef,
  StorageVolRef,
  StreamIO,
  VirConnect,
  VirDomain,
  VirNetwork,
  VirStoragePool,
  VirStorageVol,
} from '../core/handles.js';
import type { JobControl, JobSpec, VirJob } from '../jobs/job.js';
import type { VirError } from '../errors/index.js';
import type { DomainEventOptions, DomainLifecycleCallback } from './domain-events.js';

/**
 * Driver tables, shaped like libvirt's virHypervisorDriver / virNetworkDriver / virStorageDriver: one
 * function per operation, every one optional (a missing slot is VIR_ERR_NO_SUPPORT). The entry layer has
 * already validated handles and arguments; drivers throw VirError for everything else. A slot may return a
 * Promise (the remote driver will); synchronous callers then get a clear error instead of a block.
 *
 * Long operations return a VirJob started through the JobStarter they are given: the driver decides
 * synchronously whether the operation may start (throwing libvirt's error if not) and what the job does.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Starts a job on the caller's connection; the job takes the references it needs. */
export type JobStarter = (<T>(spec: Omit<JobSpec, 'conn'>, work: (control: JobControl) => Promise<T>) => VirJob<T>) & {
  /** How the caller asked the job to be started (virJobStartFlags); drivers that run jobs elsewhere honour it. */
  readonly options?: JobStartOptions;
};

/** virJobStartFlags as options. */
export interface JobStartOptions {
  /**
   * VIR_JOB_START_CANCEL_ON_DISCONNECT: a daemon that runs the job cancels it when the connection that started
   * it closes or its client goes away. A job of the caller's own process ends with the process anyway.
   */
  cancelOnDisconnect?: boolean;
}

export interface NodeInfo {
  model: string;
  /** KiB */
  memory: number;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

export interface DomainInfo {
  state: number;
  /** KiB */
  maxMem: number;
  /** KiB */
  memory: number;
  nrVirtCpu: number;
  /** nanoseconds */
  cpuTime: bigint;
}

export interface DomainJobInfo {
  /** virDomainJobType: NONE 0, BOUNDED 1, UNBOUNDED 2, COMPLETED 3, FAILED 4, CANCELLED 5 */
  type: number;
  /** virDomainJobOperation (for virDomainGetJobStats-style output); 0 when unknown. */
  operation: number;
  timeElapsed: number;
  timeRemaining: number;
  dataTotal: number;
  dataProcessed: number;
  dataRemaining: number;
  memTotal: number;
  memProcessed: number;
  memRemaining: number;
  fileTotal: number;
  fileProcessed: number;
  fileRemaining: number;
}

export interface SecurityModel {
  model: string;
  doi: string;
}

export interface SecurityLabel {
  label: string;
  enforcing: boolean;
}

export interface StoragePoolInfo {
  /** virStoragePoolState */
  state: number;
  capacity: number;
  allocation: number;
  available: number;
}

export interface StorageVolInfo {
  /** virStorageVolType */
  type: number;
  capacity: number;
  allocation: number;
}

/**
 * How a driver whose objects live in this process announces their changes, so that what C reads without
 * entering JavaScript (src/ffi/object-publisher.ts) is refreshed before the change is visible to anyone.
 * A driver that cannot know (a remote one) has none, and its getters always ask it.
 */
export interface ChangeFeed {
  /** Calls listener(uuid), synchronously, after every change of an object's state or definition, its
   * creation and its removal. Returns how to stop. */
  watch(listener: (uuid: string) => void): () => void;
}

export interface DomainChangeFeed extends ChangeFeed {
  /** How virDomainInfo's cpuTime moves between changes: as reported, or as the wall clock (the test driver). */
  readonly cpuTime: 'reported' | 'wall-clock';
}

export interface HypervisorDriver {
  readonly name: string;
  /** Announces every change of a domain; absent when the driver cannot. */
  readonly domainChanges?: DomainChangeFeed;
  connectGetType?(conn: VirConnect): string;
  connectGetVersion?(conn: VirConnect): number;
  /** The version of the library serving the connection: a daemon's, through one (absent: this library's). */
  connectGetLibVersion?(conn: VirConnect): number;
  /**
   * virConnectSetKeepAlive: PING a daemon that has been quiet for `interval` seconds, give up after `count`
   * unanswered; interval <= 0 stops. Resolves 1 when the daemon has no keepalive. Local drivers have none.
   */
  connectSetKeepAlive?(conn: VirConnect, interval: number, count: number): MaybePromise<number>;
  connectGetHostname?(conn: VirConnect): MaybePromise<string>;
  connectGetCapabilities?(conn: VirConnect): MaybePromise<string>;
  connectGetMaxVcpus?(conn: VirConnect, type: string | null): MaybePromise<number>;
  connectIsSecure?(conn: VirConnect): boolean;
  connectIsEncrypted?(conn: VirConnect): boolean;
  nodeGetInfo?(conn: VirConnect): MaybePromise<NodeInfo>;
  nodeGetSecurityModel?(conn: VirConnect): MaybePromise<SecurityModel>;

  connectListAllDomains?(conn: VirConnect, flags: number): MaybePromise<DomainRef[]>;
  connectNumOfDomains?(conn: VirConnect): MaybePromise<number>;
  connectListDomains?(conn: VirConnect): MaybePromise<number[]>;
  connectNumOfDefinedDomains?(conn: VirConnect): MaybePromise<number>;
  connectListDefinedDomains?(conn: VirConnect): MaybePromise<string[]>;
  domainLookupByName?(conn: VirConnect, name: string): MaybePromise<DomainRef>;
  domainLookupByID?(conn: VirConnect, id: number): MaybePromise<DomainRef>;
  domainLookupByUUID?(conn: VirConnect, uuid: string): MaybePromise<DomainRef>;

  domainGetInfo?(dom: VirDomain): MaybePromise<DomainInfo>;
  domainGetState?(dom: VirDomain, flags: number): MaybePromise<{ state: number; reason: number }>;
  domainGetID?(dom: VirDomain): MaybePromise<number>;
  domainGetXMLDesc?(dom: VirDomain, flags: number): MaybePromise<string>;
  domainGetOSType?(dom: VirDomain): MaybePromise<string>;
  domainGetMaxMemory?(dom: VirDomain): MaybePromise<number>;
  domainGetAutostart?(dom: VirDomain): MaybePromise<boolean>;
  domainIsActive?(dom: VirDomain): MaybePromise<boolean>;
  domainIsPersistent?(dom: VirDomain): MaybePromise<boolean>;
  domainHasManagedSaveImage?(dom: VirDomain, flags: number): MaybePromise<boolean>;
  domainGetSecurityLabel?(dom: VirDomain): MaybePromise<SecurityLabel>;

  domainDefineXML?(conn: VirConnect, xml: string, flags: number): MaybePromise<DomainRef>;
  domainUndefine?(dom: VirDomain, flags: number): MaybePromise<void>;
  domainDestroy?(dom: VirDomain, flags: number): MaybePromise<void>;
  domainSuspend?(dom: VirDomain): MaybePromise<void>;
  domainResume?(dom: VirDomain): MaybePromise<void>;
  domainShutdown?(dom: VirDomain, flags: number): MaybePromise<void>;
  domainReboot?(dom: VirDomain, flags: number): MaybePromise<void>;

  /** Jobs. A create job's result is the domain it started. */
  domainCreate?(dom: VirDomain, flags: number, start: JobStarter): MaybePromise<VirJob<void>>;
  domainCreateXML?(conn: VirConnect, xml: string, flags: number, start: JobStarter): MaybePromise<VirJob<DomainRef>>;
  domainSave?(dom: VirDomain, to: string, xml: string | null, flags: number, start: JobStarter): MaybePromise<VirJob<void>>;
  domainRestore?(conn: VirConnect, from: string, xml: string | null, flags: number, start: JobStarter): MaybePromise<VirJob<DomainRef>>;
  domainCoreDump?(dom: VirDomain, to: string, format: number, flags: number, start: JobStarter): MaybePromise<VirJob<void>>;
  /** The job running on the domain, whichever connection started it. */
  domainGetJob?(dom: VirDomain): MaybePromise<VirJob | null>;
  /**
   * libvirt's per-domain job view from a driver whose jobs are not VirJobs of this process (a remote daemon's):
   * when present, virDomainGetJobInfo and virDomainAbortJob use these instead of domainGetJob.
   */
  domainGetJobInfo?(dom: VirDomain): MaybePromise<DomainJobInfo>;
  domainAbortJob?(dom: VirDomain): MaybePromise<void>;

  /**
   * Domain events: registers `callback` for events of `eventID` (on `dom` only, or all domains), returning
   * libvirt's callback id; only lifecycle events are delivered (VIR_DOMAIN_EVENT_ID_LIFECYCLE), on a later
   * turn of the event loop, or at once with `options.atEmit` when the driver can. Deregistering an id the
   * connection did not register is libvirt's error.
   */
  connectDomainEventRegisterAny?(
    conn: VirConnect,
    dom: VirDomain | null,
    eventID: number,
    callback: DomainLifecycleCallback,
    options?: DomainEventOptions,
  ): MaybePromise<number>;
  connectDomainEventDeregisterAny?(conn: VirConnect, callbackID: number): MaybePromise<void>;

  /**
   * virConnectRegisterCloseCallback: `callback` is called with a virConnectCloseReason when the connection
   * ends other than by the caller's close (a daemon gone, a keepalive timeout). Drivers whose connections
   * cannot end that way have none (registering then succeeds and the callback is never called, as in libvirt).
   * `error` is what ended it, when something failed (what calls waiting then fail with).
   */
  connectRegisterCloseCallback?(conn: VirConnect, callback: (reason: number, error?: VirError) => void): MaybePromise<void>;
  connectUnregisterCloseCallback?(conn: VirConnect, callback: (reason: number, error?: VirError) => void): MaybePromise<void>;
  /** virConnectIsAlive: false once the connection to the driver has been lost. */
  connectIsAlive?(conn: VirConnect): boolean;
}

export interface NetworkDriver {
  /** Announces every change of a network; absent when the driver cannot. */
  readonly networkChanges?: ChangeFeed;
  connectListAllNetworks?(conn: VirConnect, flags: number): MaybePromise<NetworkRef[]>;
  connectNumOfNetworks?(conn: VirConnect): MaybePromise<number>;
  connectListNetworks?(conn: VirConnect): MaybePromise<string[]>;
  connectNumOfDefinedNetworks?(conn: VirConnect): MaybePromise<number>;
  connectListDefinedNetworks?(conn: VirConnect): MaybePromise<string[]>;
  networkLookupByName?(conn: VirConnect, name: string): MaybePromise<NetworkRef>;
  networkLookupByUUID?(conn: VirConnect, uuid: string): MaybePromise<NetworkRef>;
  networkGetXMLDesc?(net: VirNetwork, flags: number): MaybePromise<string>;
  networkGetBridgeName?(net: VirNetwork): MaybePromise<string>;
  networkGetAutostart?(net: VirNetwork): MaybePromise<boolean>;
  networkSetAutostart?(net: VirNetwork, autostart: boolean): MaybePromise<void>;
  networkIsActive?(net: VirNetwork): MaybePromise<boolean>;
  networkIsPersistent?(net: VirNetwork): MaybePromise<boolean>;
  networkDefineXML?(conn: VirConnect, xml: string, flags: number): MaybePromise<NetworkRef>;
  networkUndefine?(net: VirNetwork): MaybePromise<void>;
  networkDestroy?(net: VirNetwork): MaybePromise<void>;
  networkCreate?(net: VirNetwork, flags: number, start: JobStarter): MaybePromise<VirJob<void>>;
  networkCreateXML?(conn: VirConnect, xml: string, flags: number, start: JobStarter): MaybePromise<VirJob<NetworkRef>>;
}

export interface StorageDriver {
  /** Announces every change of a pool's state, definition or allocation; absent when the driver cannot. */
  readonly storagePoolChanges?: ChangeFeed;
  connectListAllStoragePools?(conn: VirConnect, flags: number): MaybePromise<StoragePoolRef[]>;
  storagePoolLookupByName?(conn: VirConnect, name: string): MaybePromise<StoragePoolRef>;
  storagePoolLookupByUUID?(conn: VirConnect, uuid: string): MaybePromise<StoragePoolRef>;
  storagePoolLookupByVolume?(vol: VirStorageVol): MaybePromise<StoragePoolRef>;
  storagePoolGetInfo?(pool: VirStoragePool): MaybePromise<StoragePoolInfo>;
  storagePoolGetXMLDesc?(pool: VirStoragePool, flags: number): MaybePromise<string>;
  storagePoolGetAutostart?(pool: VirStoragePool): MaybePromise<boolean>;
  storagePoolSetAutostart?(pool: VirStoragePool, autostart: boolean): MaybePromise<void>;
  storagePoolIsActive?(pool: VirStoragePool): MaybePromise<boolean>;
  storagePoolIsPersistent?(pool: VirStoragePool): MaybePromise<boolean>;
  storagePoolDefineXML?(conn: VirConnect, xml: string, flags: number): MaybePromise<StoragePoolRef>;
  storagePoolCreateXML?(conn: VirConnect, xml: string, flags: number): MaybePromise<StoragePoolRef>;
  storagePoolBuild?(pool: VirStoragePool, flags: number): MaybePromise<void>;
  storagePoolCreate?(pool: VirStoragePool, flags: number): MaybePromise<void>;
  storagePoolDestroy?(pool: VirStoragePool): MaybePromise<void>;
  storagePoolUndefine?(pool: VirStoragePool): MaybePromise<void>;
  storagePoolDelete?(pool: VirStoragePool, flags: number): MaybePromise<void>;
  storagePoolRefresh?(pool: VirStoragePool, flags: number): MaybePromise<void>;
  storagePoolListAllVolumes?(pool: VirStoragePool, flags: number): MaybePromise<StorageVolRef[]>;

  storageVolLookupByName?(pool: VirStoragePool, name: string): MaybePromise<StorageVolRef>;
  storageVolLookupByKey?(conn: VirConnect, key: string): MaybePromise<StorageVolRef>;
  storageVolLookupByPath?(conn: VirConnect, path: string): MaybePromise<StorageVolRef>;
  storageVolGetPath?(vol: VirStorageVol): MaybePromise<string>;
  storageVolGetInfo?(vol: VirStorageVol): MaybePromise<StorageVolInfo>;
  storageVolGetXMLDesc?(vol: VirStorageVol, flags: number): MaybePromise<string>;
  storageVolDelete?(vol: VirStorageVol, flags: number): MaybePromise<void>;
  storageVolResize?(vol: VirStorageVol, capacity: number, flags: number): MaybePromise<void>;
  /** Jobs: the result of a create or clone job is the new volume. */
  storageVolCreateXML?(pool: VirStoragePool, xml: string, flags: number, start: JobStarter): MaybePromise<VirJob<StorageVolRef>>;
  storageVolCreateXMLFrom?(
    pool: VirStoragePool,
    xml: string,
    source: VirStorageVol,
    flags: number,
    start: JobStarter,
  ): MaybePromise<VirJob<StorageVolRef>>;
  storageVolWipe?(vol: VirStorageVol, algorithm: number, flags: number, start: JobStarter): MaybePromise<VirJob<void>>;
  /**
   * Streams: the data path of one upload into, or download from, a volume. `offset` and `length` are C's
   * unsigned long long (a length of 0: no limit); the entry point checked them and the handles.
   */
  storageVolUpload?(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): MaybePromise<StreamIO>;
  storageVolDownload?(vol: VirStorageVol, offset: bigint, length: bigint, flags: number): MaybePromise<StreamIO>;
}

/**
 * Finding jobs again by id (virJobLookupByID, virConnectListAllJobs). One table per driver instance (the state
 * a driver's connections share, e.g. all of `test:///default`'s), shared by its connections: a job is visible
 * to the connections of the instance that runs it and to no other. Local drivers use LocalJobs
 * (src/ts/jobs/local-jobs.ts); a remote driver asks its daemon.
 */
export interface JobDriver {
  /** The job with this id (the entry point checked it is positive), as a new reference, or VirError. */
  jobLookupByID?(conn: VirConnect, id: number): MaybePromise<VirJob>;
  /** The instance's jobs, oldest first, each a new reference; flags: virConnectListAllJobsFlags. */
  connectListAllJobs?(conn: VirConnect, flags: number): MaybePromise<VirJob[]>;
}

/** What a driver's open gives a connection: its tables, and how to let go of the connection's resources. */
export interface ConnectionDrivers {
  readonly hypervisor: HypervisorDriver;
  readonly network?: NetworkDriver;
  readonly storage?: StorageDriver;
  /** The same object for every connection to the same driver instance. */
  readonly jobs?: JobDriver;
  /** The URI the connection reports (virConnectGetURI). */
  readonly uri: string;
  close(): void;
}

/** A connection driver: claims the URIs it serves and opens connections on them. */
export interface ConnectDriver {
  readonly name: string;
  /** True when this driver serves `uri` (by scheme, host, path), false to let the next one try. */
  accepts(uri: URL): boolean;
  open(uri: URL, flags: number): MaybePromise<ConnectionDrivers>;
}
