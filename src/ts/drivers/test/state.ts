import type { DomainDef } from '../../conf/domain.js';
import type { NetworkDef } from '../../conf/network.js';
import type { PoolDef, VolumeDef } from '../../conf/storage.js';
import type { NodeInfo } from '../driver.js';
import type { VirJob } from '../../jobs/job.js';

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
  /** the live id, -1 while inactive */
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
  private lastDomainId = 0;

  constructor(readonly nodeInfo: NodeInfo) {}

  /** Ids grow with every start, restore and create, as in libvirt. */
  nextDomainId(): number {
    return ++this.lastDomainId;
  }

  /** Records an id given elsewhere (a configuration file), so later ones continue after it. */
  noteDomainId(id: number): void {
    this.lastDomainId = Math.max(this.lastDomainId, id);
  }
}
