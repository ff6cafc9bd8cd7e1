// tsvirt's job program (TSVIRT_JOB_PROGRAM 'tsvj', src/ts/rpc/tsvirt_job_protocol.x), served on the same
// connection as libvirt's REMOTE program once CONNECT_OPEN has opened it. Jobs start through the same entry
// points as in-process callers (virDomainSaveJob, ...), ids are the process registry's, so a job is found by
// id from any connection of the daemon; progress is pushed as MESSAGE packets to subscribed clients,
// coalesced, and the end at once. A client that goes away leaves its jobs running unless it started them
// with TSVIRT_JOB_START_CANCEL_ON_DISCONNECT. See docs/daemon.md and docs/jobs.md.
import * as domain from '../api/domain.js';
import * as jobApi from '../api/job.js';
import * as network from '../api/network.js';
import * as storage from '../api/storage.js';
import { virConnectListAllJobsFlags } from '../core/enums.generated.js';
import type { VirConnect } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, type VirError, toVirError, virError } from '../errors/index.js';
import { JobState, type JobInfo, type VirJob } from '../jobs/job.js';
import {
  tsvirt_job_event_kind,
  tsvirt_job_event_msg,
  tsvirt_job_info,
  tsvirt_job_procedure,
  tsvirt_job_start_flags,
} from '../rpc/generated/job-protocol.js';
import { remote_nonnull_domain, remote_nonnull_network, remote_nonnull_storage_vol } from '../rpc/generated/remote-protocol.js';
import { encodePacketWith, VIR_NET_MESSAGE, VIR_NET_OK } from '../rpc/packet.js';
import type { RpcProcedure } from '../rpc/program.js';
import { tsvirtJobProgram } from '../rpc/programs.js';
import { toRemoteError } from '../rpc/remote-error.js';
import { instanceKey, type JobJournal, type RecordedJob } from './job-journal.js';
import { fromWire, HandleScope, toWire } from './wire-values.js';

const { TSVIRT_JOB_START_CANCEL_ON_DISCONNECT: CANCEL_ON_DISCONNECT } = tsvirt_job_start_flags;
const { TSVIRT_JOB_EVENT_PROGRESS, TSVIRT_JOB_EVENT_END } = tsvirt_job_event_kind;
const { VIR_CONNECT_LIST_JOBS_RUNNING: LIST_RUNNING, VIR_CONNECT_LIST_JOBS_FINISHED: LIST_FINISHED } = virConnectListAllJobsFlags;
const PREFIX = 'TSVIRT_JOB_PROC_';
/** Pushed events carry serial 0: they answer no call. */
const EVENT_SERIAL = 0;

/** What the job program needs of a client session. */
export interface JobClient {
  readonly id: number;
  /** The connection CONNECT_OPEN made (null before it, or after CONNECT_CLOSE). */
  connection(): VirConnect | null;
  /** Sends a pushed packet; the session drops a client that leaves too much unread. */
  push(packet: Buffer): void;
  /** Bytes written to the client and not yet taken by it. */
  backlog(): number;
}

export interface JobProgramOptions {
  /** Least time between two progress pushes of one job to one client (default 20 ms). */
  pushIntervalMs?: number;
  /** Progress is not pushed to a client with more than this unread (the newest progress goes once it reads). */
  pushBacklogBytes?: number;
  journal?: JobJournal | null;
}

const DEFAULTS = { pushIntervalMs: 20, pushBacklogBytes: 256 * 1024 };

type StartEntry = (...args: any[]) => unknown;
interface Start {
  readonly entry: StartEntry;
  /** The entry point takes the connection first. */
  readonly onConnection: boolean;
  /** The file the job writes, from its decoded arguments (journaled, removed after a crash). */
  readonly output?: (args: any) => string;
}

/** Which entry point starts each job: the job functions in-process callers use (one implementation). */
const STARTS: Readonly<Record<string, Start>> = {
  DOMAIN_CREATE: { entry: domain.virDomainCreateJob, onConnection: false },
  DOMAIN_CREATE_XML: { entry: domain.virDomainCreateXMLJob, onConnection: true },
  DOMAIN_SAVE: { entry: domain.virDomainSaveJob, onConnection: false, output: (a) => a.to },
  DOMAIN_RESTORE: { entry: domain.virDomainRestoreJob, onConnection: true },
  DOMAIN_CORE_DUMP: { entry: domain.virDomainCoreDumpJob, onConnection: false, output: (a) => a.to },
  NETWORK_CREATE: { entry: network.virNetworkCreateJob, onConnection: false },
  NETWORK_CREATE_XML: { entry: network.virNetworkCreateXMLJob, onConnection: true },
  STORAGE_VOL_CREATE_XML: { entry: storage.virStorageVolCreateXMLJob, onConnection: false },
  STORAGE_VOL_CREATE_XML_FROM: { entry: storage.virStorageVolCreateXMLFromJob, onConnection: false },
  STORAGE_VOL_WIPE: { entry: storage.virStorageVolWipeJob, onConnection: false },
};

const jobWire = (job: { id: number; operation: string; type: number }) => ({ id: job.id, operation: job.operation, type: job.type });
const infoWire = (info: JobInfo) => toWire(tsvirt_job_info, info);
const rpcError = (message: string) => virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, message);

/** A job found by id: one the engine runs or retains, or one recorded by an earlier run of the daemon. */
type Found = { live: VirJob; recorded?: undefined } | { live?: undefined; recorded: RecordedJob };

/** The daemon-wide side of the job program: settings, the journal, and the jobs of earlier runs. */
export class JobProgram {
  readonly pushIntervalMs: number;
  readonly pushBacklogBytes: number;
  readonly journal: JobJournal | null;
  private readonly recorded = new Map<number, RecordedJob>();

  constructor(options: JobProgramOptions = {}) {
    this.pushIntervalMs = options.pushIntervalMs ?? DEFAULTS.pushIntervalMs;
    this.pushBacklogBytes = options.pushBacklogBytes ?? DEFAULTS.pushBacklogBytes;
    this.journal = options.journal ?? null;
    for (const job of this.journal?.recovered ?? []) this.recorded.set(job.id, job);
  }

  /** The job program's side of one client session. */
  client(client: JobClient): ClientJobs {
    return new ClientJobs(this, client);
  }

  /** A job of an earlier run, if `conn`'s driver instance is the one that ran it. */
  recordedJob(conn: VirConnect, id: number): RecordedJob | undefined {
    const job = this.recorded.get(id);
    return job && job.instance === instanceKey(conn.uri) ? job : undefined;
  }

  recordedJobs(conn: VirConnect): RecordedJob[] {
    const key = instanceKey(conn.uri);
    return [...this.recorded.values()].filter((j) => j.instance === key);
  }
}

interface Subscription {
  job: VirJob;
  unsubscribe: () => void;
  timer: NodeJS.Timeout | null;
  lastPush: number;
}

/** One client's jobs: its subscriptions and the jobs it asked to cancel when it goes away. */
export class ClientJobs {
  private readonly subscriptions = new Map<number, Subscription>();
  /** Jobs started with TSVIRT_JOB_START_CANCEL_ON_DISCONNECT, held until they end or the client goes. */
  private readonly cancelOnDisconnect = new Map<number, { job: VirJob; unsubscribe: () => void }>();
  private closed = false;

  constructor(private readonly program: JobProgram, private readonly client: JobClient) {}

  /** Runs one call of the job program; resolves to its `_ret` value. */
  async call(procedure: RpcProcedure, args: any): Promise<unknown> {
    const conn = this.client.connection();
    if (!conn) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'connection not open');
    const name = procedure.name.slice(PREFIX.length);
    const start = STARTS[name];
    if (start) return this.start(conn, procedure, start, args);
    switch (procedure.number) {
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_GET_INFO:
        return this.withJob(conn, args.id, (f) => ({ info: infoWire(f.live ? jobApi.virJobGetInfo(f.live) : f.recorded.info) }));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_CANCEL:
        return this.withJob(conn, args.id, (f) => this.cancel(conn, f));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_WAIT:
        return this.withJob(conn, args.id, async (f) => ({ state: f.live ? await jobApi.virJobWait(f.live) : f.recorded.state }));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_GET_ERROR:
        return this.withJob(conn, args.id, (f) => {
          const err = f.live ? jobApi.virJobGetError(f.live) : f.recorded.error;
          return { error: err ? toRemoteError(err) : null };
        });
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_LOOKUP_BY_ID:
        return this.withJob(conn, args.id, (f) => ({ job: jobWire(f.live ?? f.recorded) }));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_CONNECT_LIST_ALL_JOBS:
        return this.list(conn, args.need_results, args.flags);
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_GET_OBJECTS:
        return this.withJob(conn, args.id, (f) => this.objects(f));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_SUBSCRIBE:
        return this.withJob(conn, args.id, (f) => this.subscribe(f));
      case tsvirt_job_procedure.TSVIRT_JOB_PROC_UNSUBSCRIBE:
        return this.unsubscribe(args.id);
      default:
        // TSVIRT_JOB_PROC_EVENT is pushed by the daemon, never called.
        throw rpcError(`unknown procedure: ${procedure.number}`);
    }
  }

  /** The client is gone (or closed its connection): no more pushes, and its cancel-on-disconnect jobs are cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.subscriptions.keys()]) this.drop(id);
    for (const { job, unsubscribe } of this.cancelOnDisconnect.values()) {
      unsubscribe();
      if (job.running) jobApi.virJobCancel(job);
      job.unref();
    }
    this.cancelOnDisconnect.clear();
  }

  private async start(conn: VirConnect, procedure: RpcProcedure, start: Start, args: any): Promise<unknown> {
    const jobFlags: number = args.job_flags;
    if (jobFlags & ~CANCEL_ON_DISCONNECT)
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_RPC, `unsupported job flags (0x${(jobFlags & ~CANCEL_ON_DISCONNECT).toString(16)}) in ${procedure.name}`);
    const scope = new HandleScope(conn);
    let job: VirJob;
    try {
      const values: unknown[] = [];
      const shape = procedure.args!.shape;
      if (shape.kind !== 'struct') throw new Error(`${procedure.name}: args are not a struct`);
      for (const [field, codec] of shape.fields) if (field !== 'job_flags') values.push(fromWire(codec, args[field], scope));
      job = (await start.entry(...(start.onConnection ? [conn, ...values] : values))) as VirJob;
    } finally {
      scope.release();
    }
    try {
      const journal = this.program.journal;
      if (journal) {
        journal.track(job, start.output?.(args) ?? null);
        await journal.flushed();
      }
      if (jobFlags & CANCEL_ON_DISCONNECT) {
        if (this.closed) {
          if (job.running) jobApi.virJobCancel(job);
        } else if (job.running) {
          job.ref();
          const unsubscribe = job.subscribe((j, event) => {
            if (event !== 'end') return;
            const held = this.cancelOnDisconnect.get(j.id);
            if (!held) return;
            this.cancelOnDisconnect.delete(j.id);
            held.unsubscribe();
            j.unref();
          });
          this.cancelOnDisconnect.set(job.id, { job, unsubscribe });
        }
      }
      return { job: jobWire(job) };
    } finally {
      job.unref();
    }
  }

  /** Finds job `id` as virJobLookupByID does (its errors included), or one an earlier run recorded. */
  private async withJob<R>(conn: VirConnect, id: number, use: (found: Found) => R | Promise<R>): Promise<R> {
    let job: VirJob;
    try {
      job = await jobApi.virJobLookupByID(conn, id);
    } catch (err) {
      const recorded = this.program.recordedJob(conn, id);
      if (recorded) return use({ recorded });
      throw err;
    }
    try {
      return await use({ live: job });
    } finally {
      job.unref();
    }
  }

  private cancel(conn: VirConnect, found: Found): undefined {
    // A found job is the same job for every finder, so the engine cannot tell who asks: the daemon refuses
    // cancel to read-only clients itself.
    if (conn.readOnly) throw virError(ErrorNumber.VIR_ERR_OPERATION_DENIED, ErrorDomain.VIR_FROM_DOMAIN, 'read only access prevents virJobCancel');
    if (found.live) {
      jobApi.virJobCancel(found.live);
      return undefined;
    }
    const r = found.recorded;
    if (r.state === JobState.CANCELLED) return undefined;
    throw virError(
      ErrorNumber.VIR_ERR_OPERATION_INVALID,
      (r.error?.domain ?? ErrorDomain.VIR_FROM_DOMAIN) as ErrorDomain,
      `job ${r.id} (${r.operation}) has already ${r.state === JobState.COMPLETED ? 'completed' : 'failed'}`,
    );
  }

  private async list(conn: VirConnect, needResults: number, flags: number) {
    const live = await jobApi.virConnectListAllJobs(conn, flags);
    const wanted = (flags & (LIST_RUNNING | LIST_FINISHED)) || LIST_RUNNING | LIST_FINISHED;
    const seen = new Set(live.map((j) => j.id));
    const recorded = wanted & LIST_FINISHED ? this.program.recordedJobs(conn).filter((j) => !seen.has(j.id)) : [];
    const all = [...recorded.map(jobWire), ...live.map(jobWire)].sort((a, b) => a.id - b.id);
    for (const j of live) j.unref();
    return { jobs: needResults ? all : [], ret: all.length };
  }

  private objects(found: Found) {
    if (!found.live) return { dom: null, net: null, vol: null };
    const job = found.live;
    const dom = jobApi.virJobGetDomain(job);
    const net = jobApi.virJobGetNetwork(job);
    const vol = jobApi.virJobGetStorageVol(job);
    try {
      return {
        dom: dom ? toWire(remote_nonnull_domain, dom) : null,
        net: net ? toWire(remote_nonnull_network, net) : null,
        vol: vol ? toWire(remote_nonnull_storage_vol, vol) : null,
      };
    } finally {
      dom?.unref();
      net?.unref();
      vol?.unref();
    }
  }

  private subscribe(found: Found): undefined {
    if (this.closed) return undefined;
    if (!found.live || !found.live.running) {
      // Already ended: the end is pushed at once (after the reply), so a subscriber always hears it.
      const id = found.live?.id ?? found.recorded!.id;
      const info = found.live ? jobApi.virJobGetInfo(found.live) : found.recorded!.info;
      const error = found.live ? found.live.error : found.recorded!.error;
      setImmediate(() => this.pushEvent(id, TSVIRT_JOB_EVENT_END, info, error));
      return undefined;
    }
    const job = found.live;
    if (this.subscriptions.has(job.id)) return undefined;
    job.ref();
    const sub: Subscription = { job, unsubscribe: () => {}, timer: null, lastPush: -Infinity };
    sub.unsubscribe = job.subscribe((j, event) => (event === 'end' ? this.ended(j) : this.progressed(sub)));
    this.subscriptions.set(job.id, sub);
    return undefined;
  }

  private unsubscribe(id: number): undefined {
    if (!this.subscriptions.has(id)) throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_RPC, `job ${id} is not subscribed`);
    this.drop(id);
    return undefined;
  }

  private drop(id: number): void {
    const sub = this.subscriptions.get(id);
    if (!sub) return;
    this.subscriptions.delete(id);
    if (sub.timer) clearTimeout(sub.timer);
    sub.unsubscribe();
    sub.job.unref();
  }

  /**
   * Coalesced progress: at most one push per job per `pushIntervalMs`, the newest figures, and never later
   * than `pushIntervalMs` after a change. A client that does not read gets no progress until it does.
   */
  private progressed(sub: Subscription): void {
    if (sub.timer) return; // a push is already due; it will carry the newest figures
    const wait = sub.lastPush + this.program.pushIntervalMs - performance.now();
    if (wait <= 0) this.pushProgress(sub);
    else sub.timer = setTimeout(() => this.pushProgress(sub), wait);
  }

  private pushProgress(sub: Subscription): void {
    sub.timer = null;
    if (!sub.job.running || !this.subscriptions.has(sub.job.id)) return;
    if (this.client.backlog() > this.program.pushBacklogBytes) {
      sub.timer = setTimeout(() => this.pushProgress(sub), this.program.pushIntervalMs);
      return;
    }
    sub.lastPush = performance.now();
    this.pushEvent(sub.job.id, TSVIRT_JOB_EVENT_PROGRESS, jobApi.virJobGetInfo(sub.job), null);
  }

  private ended(job: VirJob): void {
    if (!this.subscriptions.has(job.id)) return;
    const info = jobApi.virJobGetInfo(job);
    const error = jobApi.virJobGetError(job);
    this.drop(job.id);
    this.pushEvent(job.id, TSVIRT_JOB_EVENT_END, info, error);
  }

  private pushEvent(id: number, event: number, info: JobInfo, error: VirError | null): void {
    if (this.closed) return;
    const header = {
      prog: tsvirtJobProgram.program,
      vers: tsvirtJobProgram.version,
      proc: tsvirt_job_procedure.TSVIRT_JOB_PROC_EVENT,
      type: VIR_NET_MESSAGE,
      serial: EVENT_SERIAL,
      status: VIR_NET_OK,
    };
    let packet: Buffer;
    try {
      packet = encodePacketWith(header, tsvirt_job_event_msg, { id, event, info: infoWire(info), error: error ? toRemoteError(error) : null });
    } catch (err) {
      packet = encodePacketWith(header, tsvirt_job_event_msg, { id, event, info: infoWire(info), error: toRemoteError(toVirError(err, ErrorDomain.VIR_FROM_RPC)) });
    }
    this.client.push(packet);
  }
}
