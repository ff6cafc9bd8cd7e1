// Watching the jobs of a remote connection's domains: ONE polling loop per domain, shared by everything that
// watches it, asks the daemon for the domain's job figures (DOMAIN_GET_JOB_STATS, or DOMAIN_GET_JOB_INFO from a
// daemon or driver without stats) every `intervalMs`. The connection's loops take turns: at most
// `concurrentPolls` (1) polls are outstanding per connection, in order of asking, so a poll the daemon holds
// back (as it does while QEMU shuts down after a save) delays the polls behind it instead of piling up and
// taking the daemon's per-client request slots (call-slots.ts). The job-completed
// event (VIR_DOMAIN_EVENT_ID_JOB_COMPLETED), registered once per connection when the daemon offers it, hands the
// final figures to the same watchers. The loop lives while someone watches, and costs one timer.
import { virDomainEventID } from '../../core/enums.generated.js';
import type { DomainRef } from '../../core/handles.js';
import { ErrorNumber, VirError } from '../../errors/index.js';
import { remote_procedure, type remote_domain_event_callback_job_completed_msg, type remote_domain_get_job_stats_ret } from '../../rpc/generated/remote-protocol.js';
import { remoteProgram } from '../../rpc/programs.js';
import { CallSlots } from './call-slots.js';
import { FEATURE, type RemoteConnection } from './connection.js';
import { type DomainJobStats, statsFromInfo, statsFromParams } from './job-stats.js';
import { toWireDomain, uuidString } from './wire.js';

/** The process's default poll interval (virsh's --verbose polls every 500 ms too). */
export const jobWatchDefaults = { intervalMs: 500, concurrentPolls: 1 };

/** Polling loops running in the process, all connections together. */
let loopsRunning = 0;

/** Job-completed events received for a watched domain, all connections together. */
let completedEvents = 0;

export function jobCompletedEvents(): number {
  return completedEvents;
}

/** How many domains are being polled now, all remote connections of the process together. */
export function pollingLoops(): number {
  return loopsRunning;
}

export type StatsListener = (stats: DomainJobStats, source: 'poll' | 'event') => void;

interface Loop {
  readonly dom: DomainRef;
  readonly listeners: Set<StatsListener>;
  timer: NodeJS.Timeout | null;
}

export class JobWatch {
  readonly #rc: RemoteConnection;
  readonly #loops = new Map<string, Loop>();
  readonly #intervalMs: number;
  readonly #pollSlots: CallSlots;
  /** Null until known: whether the daemon answers DOMAIN_GET_JOB_STATS (else DOMAIN_GET_JOB_INFO). */
  #statsSupported: boolean | null = null;
  #eventState: 'none' | 'registering' | 'registered' | 'unavailable' = 'none';
  #eventCallbackId = -1;
  /** Polls sent so far (all domains): what the tests and the bench count. */
  polls = 0;

  constructor(rc: RemoteConnection, intervalMs = jobWatchDefaults.intervalMs, concurrentPolls = jobWatchDefaults.concurrentPolls) {
    this.#rc = rc;
    this.#intervalMs = intervalMs;
    this.#pollSlots = new CallSlots(concurrentPolls);
  }

  /** Polling loops running now (one per watched domain). */
  get loops(): number {
    return this.#loops.size;
  }

  /** Calls `listener` with every figure of the domain's job until the returned function is called. */
  watch(dom: DomainRef, listener: StatsListener): () => void {
    this.#listenForCompletion();
    let loop = this.#loops.get(dom.uuid);
    if (!loop) {
      loop = { dom, listeners: new Set(), timer: null };
      this.#loops.set(dom.uuid, loop);
      loopsRunning++;
      this.#schedule(loop);
    }
    const entry = loop;
    // One function per watch: the same listener watching twice is two watches.
    const own: StatsListener = (stats, source) => listener(stats, source);
    entry.listeners.add(own);
    return () => {
      entry.listeners.delete(own);
      if (entry.listeners.size === 0 && this.#loops.get(dom.uuid) === entry) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = null;
        this.#loops.delete(dom.uuid);
        loopsRunning--;
      }
    };
  }

  #schedule(loop: Loop): void {
    loop.timer = setTimeout(() => {
      loop.timer = null;
      void this.#poll(loop);
    }, this.#intervalMs);
    // The job's own blocking call keeps the process alive; the poll timer alone never does.
    loop.timer.unref();
  }

  async #poll(loop: Loop): Promise<void> {
    if (this.#loops.get(loop.dom.uuid) !== loop || !this.#rc.alive) return;
    let stats: DomainJobStats | null = null;
    const release = await this.#pollSlots.acquire();
    try {
      if (this.#loops.get(loop.dom.uuid) !== loop || !this.#rc.alive) return;
      this.polls++;
      stats = await this.#ask(loop.dom);
    } catch {
      // No figures this time (the domain went away at the end of a save, the daemon is busy, the connection
      // ended: the job's own call reports what matters). The loop goes on while someone watches.
    } finally {
      release();
    }
    if (this.#loops.get(loop.dom.uuid) !== loop) return;
    if (stats) this.#deliver(loop, stats, 'poll');
    if (this.#loops.get(loop.dom.uuid) === loop && this.#rc.alive) this.#schedule(loop);
  }

  async #ask(dom: DomainRef): Promise<DomainJobStats> {
    const wire = toWireDomain(dom);
    if (this.#statsSupported !== false) {
      try {
        const r = await this.#rc.call<remote_domain_get_job_stats_ret>('DOMAIN_GET_JOB_STATS', { dom: wire, flags: 0 });
        this.#statsSupported = true;
        return statsFromParams(r.type, r.params);
      } catch (err) {
        if (!(err instanceof VirError) || err.code !== ErrorNumber.VIR_ERR_NO_SUPPORT || this.#statsSupported) throw err;
        this.#statsSupported = false;
      }
    }
    return statsFromInfo(await this.#rc.call<Record<string, number | bigint>>('DOMAIN_GET_JOB_INFO', { dom: wire }));
  }

  #deliver(loop: Loop, stats: DomainJobStats, source: 'poll' | 'event'): void {
    for (const listener of [...loop.listeners]) {
      try {
        listener(stats, source);
      } catch (err) {
        process.emitWarning(`tsvirt: a remote job watcher failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Registers for the job-completed event once per connection, if the daemon has per-callback events. */
  #listenForCompletion(): void {
    if (this.#eventState !== 'none') return;
    this.#eventState = 'registering';
    const rc = this.#rc;
    rc.client.onMessage(remoteProgram, (procedure, msg) => {
      if (procedure.number !== remote_procedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED) return;
      const m = msg as remote_domain_event_callback_job_completed_msg;
      if (m.callbackID !== this.#eventCallbackId) return;
      const loop = this.#loops.get(uuidString(m.dom.uuid));
      if (!loop) return;
      completedEvents++;
      this.#deliver(loop, statsFromParams(3, m.params), 'event');
    });
    (async () => {
      if (!(await rc.supports(FEATURE.REMOTE_EVENT_CALLBACK))) throw new Error('no per-callback events');
      const r = await rc.call<{ callbackID: number }>('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', {
        eventID: virDomainEventID.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
        dom: null,
      });
      this.#eventCallbackId = r.callbackID;
      this.#eventState = 'registered';
    })().catch(() => {
      // Polling alone then: the event only brings the final figures sooner.
      this.#eventState = 'unavailable';
    });
  }
}

const watches = new WeakMap<RemoteConnection, JobWatch>();

/** The watch of one connection. */
export function jobWatchOf(rc: RemoteConnection): JobWatch {
  let w = watches.get(rc);
  if (!w) watches.set(rc, (w = new JobWatch(rc)));
  return w;
}
