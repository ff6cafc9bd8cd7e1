import { virDomainState } from '../../core/enums.generated.js';
import type { DomainDef } from '../../conf/domain.js';
import type { DomainRef } from '../../core/handles.js';
import type { NetworkDef } from '../../conf/network.js';
import type { PoolDef, VolumeDef } from '../../conf/storage.js';
import type { ChangeFeed, NodeInfo } from '../driver.js';
import { DomainEventState } from '../domain-events.js';
import type { VirJob } from '../../jobs/job.js';
import { LocalJobs } from '../../jobs/local-jobs.js';
import { ErrorDomain } from '../../errors/index.js';

const SHUTOFF = virDomainState.VIR_DOMAIN_SHUTOFF;

/** One domain as the test driver tracks it: its definition plus libvirt's run-time state. */
export interface TestDomain {
  /** The definition in force: the live one while the domain runs. */
  def: DomainDef;
  /**
   * The persistent configuration of a running persistent domain (libvirt's newDef), which `dumpxml --inactive`
   * shows and which becomes `def` again when the domain stops; null otherwise.
   */
  persistentDef: DomainDef | null;
  persistent: boolean;
  /** virDomainState and the reason for it */
  state: number;
  reason: number;
  /** the live id, -1 while inactive; changed only by TestState.setDomainState */
  id: number;
  /** the job running on the domain, whichever connection started it */
  job: VirJob | null;
}

export interface TestNetwork {
  def: NetworkDef;
  persistent: boolean;
  active: boolean;
  autostart: boolean;
  job: VirJob | null;
}

export interface TestVolume {
  def: VolumeDef;
  /** set while a job creates the volume: it is not listed until complete */
  pending: boolean;
  job: VirJob | null;
}

export interface TestPool {
  def: PoolDef;
  persistent: boolean;
  active: boolean;
  autostart: boolean;
  volumes: TestVolume[];
}

/**
 * Everything a test-driver connection sees. `test:///default` shares one instance between the
 * connections of a process until the last closes; a file-based URI gets its own.
 */
export class TestState {
  readonly domains: TestDomain[] = [];
  readonly networks: TestNetwork[] = [];
  readonly pools: TestPool[] = [];
  /** Told of every change of a domain: shared by the connections that share this state. */
  readonly domainChanges = new Listeners();
  /** The lifecycle event callbacks of every connection sharing this state. */
  readonly domainEvents = new DomainEventState();
  readonly networkChanges = new Listeners();
  readonly poolChanges = new Listeners();
  /** The jobs of this state's connections, findable by id from any of them. */
  readonly jobs = new LocalJobs(ErrorDomain.VIR_FROM_TEST);
  private lastDomainId = 0;

  constructor(readonly nodeInfo: NodeInfo) {}

  /**
   * The one place where a domain's run state changes, whatever the call: its id follows, a new one when it
   * starts (ids grow with every start, restore and create, as in libvirt) and -1 once it is shut off.
   * Handles read the id through domainRef, so every face of the API sees the change at once.
   */
  setDomainState(d: TestDomain, state: number, reason: number): void {
    const wasActive = d.state !== SHUTOFF;
    d.state = state;
    d.reason = reason;
    if (state === SHUTOFF) d.id = -1;
    else if (!wasActive) d.id = ++this.lastDomainId;
  }

  /**
   * A domain's identity for its handles: name and UUID as given, the id always that of the domain with this
   * UUID now (-1 when it is not running or no longer exists), as every other call on a handle finds its domain.
   */
  domainRef(d: TestDomain): DomainRef {
    const { name, uuid } = d.def;
    const domains = this.domains;
    return {
      name,
      uuid,
      get id() {
        const now = domains.find((candidate) => candidate.def.uuid === uuid);
        return now && now.state !== SHUTOFF ? now.id : -1;
      },
    };
  }

  /**
   * The one way the driver announces that a domain changed, once its change is complete; with `lifecycle`,
   * the change is also a lifecycle event (libvirt's virDomainEventType and detail). The event names the
   * domain by its id now, unless `lifecycle.id` says otherwise (a stopped domain's last id, see stop()).
   */
  domainChanged(d: TestDomain, lifecycle?: { event: number; detail: number; id?: number }): void {
    this.domainChanges.notify(d.def.uuid);
    if (!lifecycle) return;
    const { name, uuid } = d.def;
    const id = lifecycle.id ?? (d.state === SHUTOFF ? -1 : d.id);
    this.domainEvents.emit({ domain: { name, uuid, id }, event: lifecycle.event, detail: lifecycle.detail });
  }

  networkChanged(n: TestNetwork): void {
    this.networkChanges.notify(n.def.uuid);
  }

  /** A pool's state or definition changed, or what its volumes hold. */
  poolChanged(p: TestPool): void {
    this.poolChanges.notify(p.def.uuid);
  }

  /** Records an id given elsewhere (a configuration file), so later ones continue after it. */
  noteDomainId(id: number): void {
    this.lastDomainId = Math.max(this.lastDomainId, id);
  }
}

/** A ChangeFeed's listeners. One that throws must not stop the others nor the change: it is isolated. */
export class Listeners implements ChangeFeed {
  private readonly listeners = new Set<(uuid: string) => void>();

  watch(listener: (uuid: string) => void): () => void {
    // A wrapper per call, so that watching twice with one function needs stopping twice.
    const entry = (uuid: string) => listener(uuid);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  notify(uuid: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(uuid);
      } catch (err) {
        process.emitWarning(`tsvirt: a change listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
