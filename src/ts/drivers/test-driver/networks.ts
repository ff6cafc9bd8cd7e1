import { formatNetworkXML, parseNetworkXML, type NetworkDef } from '../../conf/network.js';
import type { NetworkRef, VirConnect, VirNetwork } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { JobType, type VirJob } from '../../jobs/job.js';
import { simulateTransfer } from '../../jobs/simulated-transfer.js';
import { checkFlags } from '../../core/flags.js';
import { virConnectListAllNetworksFlags as ListFlags } from '../../core/enums.generated.js';
import type { ChangeFeed, JobStarter, NetworkDriver } from '../driver.js';
import type { TestNetwork, TestState } from './state.js';

const FROM_TEST = ErrorDomain.VIR_FROM_TEST;
const FROM_NETWORK = ErrorDomain.VIR_FROM_NETWORK;

/**
 * Starting a network moves no data, so the simulation gives it a fixed amount of work: 64 MiB, an eighth of
 * a second at the default rate, long enough for a client to watch it and cancel it.
 */
export const NETWORK_START_BYTES = 64 * 1024 * 1024;

/** VIR_NETWORK_DEFINE_VALIDATE and VIR_NETWORK_CREATE_VALIDATE (libvirt-network.h), not in the generated enums. */
const DEFINE_VALIDATE = 1;
const CREATE_VALIDATE = 1;

const LIST_FILTERS =
  ListFlags.VIR_CONNECT_LIST_NETWORKS_INACTIVE |
  ListFlags.VIR_CONNECT_LIST_NETWORKS_ACTIVE |
  ListFlags.VIR_CONNECT_LIST_NETWORKS_PERSISTENT |
  ListFlags.VIR_CONNECT_LIST_NETWORKS_TRANSIENT |
  ListFlags.VIR_CONNECT_LIST_NETWORKS_AUTOSTART |
  ListFlags.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;

/**
 * The test driver's network table: libvirt 9.0's test driver semantics and errors, except that starting a
 * network (virNetworkCreate, virNetworkCreateXML) is a job with progress and cancel. A network being started
 * by virNetworkCreateXML is not listed until its job completes.
 */
export class TestNetworks implements NetworkDriver {
  /** Every change below ends in state.networkChanged(). */
  readonly networkChanges: ChangeFeed;

  constructor(
    private readonly state: TestState,
    /** simulated bytes per second for jobs; 0 = instant */
    private readonly rate: number,
  ) {
    this.networkChanges = { watch: (listener) => state.networkChanges.watch(listener) };
  }

  // ---- lists and lookups ----

  connectListAllNetworks(_conn: VirConnect, flags: number): NetworkRef[] {
    checkFlags(flags, LIST_FILTERS, 'testConnectListAllNetworks', FROM_TEST);
    return this.state.networks.filter((n) => matchesListFlags(n, flags)).map(refOf);
  }

  connectNumOfNetworks(): number {
    return this.state.networks.filter((n) => n.active).length;
  }

  connectListNetworks(): string[] {
    return this.state.networks.filter((n) => n.active).map((n) => n.def.name);
  }

  connectNumOfDefinedNetworks(): number {
    return this.state.networks.filter((n) => !n.active).length;
  }

  connectListDefinedNetworks(): string[] {
    return this.state.networks.filter((n) => !n.active).map((n) => n.def.name);
  }

  networkLookupByName(_conn: VirConnect, name: string): NetworkRef {
    return refOf(this.byName(name));
  }

  networkLookupByUUID(_conn: VirConnect, uuid: string): NetworkRef {
    return refOf(this.byUuid(uuid));
  }

  // ---- queries (libvirt finds some by name, some by UUID: the errors say which) ----

  networkGetXMLDesc(net: VirNetwork, flags: number): string {
    checkFlags(flags, 0, 'testNetworkGetXMLDesc', FROM_TEST);
    return formatNetworkXML(this.byName(net.name).def);
  }

  networkGetBridgeName(net: VirNetwork): string {
    const n = this.byName(net.name);
    const bridge = n.def.bridge.name;
    if (!bridge)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM_TEST, `network '${n.def.name}' does not have a bridge name.`);
    return bridge;
  }

  networkGetAutostart(net: VirNetwork): boolean {
    return this.byName(net.name).autostart;
  }

  networkSetAutostart(net: VirNetwork, autostart: boolean): void {
    this.byName(net.name).autostart = autostart;
  }

  networkIsActive(net: VirNetwork): boolean {
    return this.byUuid(net.uuid).active;
  }

  networkIsPersistent(net: VirNetwork): boolean {
    return this.byUuid(net.uuid).persistent;
  }

  // ---- definitions and state changes ----

  networkDefineXML(_conn: VirConnect, xml: string, flags: number): NetworkRef {
    checkFlags(flags, DEFINE_VALIDATE, 'testNetworkDefineXMLFlags', FROM_TEST);
    const def = parseNetworkXML(xml);
    const existing = this.checkUnique(def, false);
    if (existing) {
      requireNoJob(existing);
      // As in libvirt's test driver, a running network keeps the definition it was started with.
      if (!existing.active) existing.def = def;
      existing.persistent = true;
      this.state.networkChanged(existing);
      return refOf(existing);
    }
    const added: TestNetwork = { def, persistent: true, active: false, autostart: false, job: null };
    this.state.networks.push(added);
    this.state.networkChanged(added);
    return refOf(added);
  }

  networkUndefine(net: VirNetwork): void {
    const n = this.byName(net.name);
    requireNoJob(n);
    if (n.active)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, `Network '${net.name}' is still running`);
    this.remove(n);
  }

  /** Like libvirt's test driver, destroying an inactive network is not an error. */
  networkDestroy(net: VirNetwork): void {
    const n = this.byName(net.name);
    requireNoJob(n);
    n.active = false;
    if (!n.persistent) this.remove(n);
    this.state.networkChanged(n);
  }

  // ---- jobs ----

  networkCreate(net: VirNetwork, flags: number, start: JobStarter): VirJob<void> {
    checkFlags(flags, 0, 'testNetworkCreate', FROM_TEST);
    const n = this.byName(net.name);
    if (n.active)
      throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_TEST, `Network '${net.name}' is already running`);
    requireNoJob(n);
    return track(n, start({ ...jobSpec(), network: net }, async (control) => {
      await simulateTransfer(control, NETWORK_START_BYTES, this.rate);
      control.commit();
      n.active = true;
      this.state.networkChanged(n);
    }));
  }

  networkCreateXML(_conn: VirConnect, xml: string, flags: number, start: JobStarter): VirJob<NetworkRef> {
    checkFlags(flags, CREATE_VALIDATE, 'testNetworkCreateXMLFlags', FROM_TEST);
    const def = parseNetworkXML(xml);
    const existing = this.checkUnique(def, true);
    if (existing) requireNoJob(existing);
    // A new transient network is not listed until it runs; a defined one is started with the new definition.
    const target: TestNetwork = existing ?? { def, persistent: false, active: false, autostart: false, job: null };
    return track(target, start(jobSpec(), async (control) => {
      await simulateTransfer(control, NETWORK_START_BYTES, this.rate);
      // Another client may have taken the name or UUID while this job ran: then the job fails.
      if (!existing) this.checkUnique(def, true);
      control.commit();
      if (!existing) this.state.networks.push(target);
      target.def = def;
      target.active = true;
      this.state.networkChanged(target);
      return refOf(target);
    }));
  }

  // ---- internals ----

  private byName(name: string): TestNetwork {
    const found = this.state.networks.find((n) => n.def.name === name);
    if (!found) throw virError(ErrorNumber.VIR_ERR_NO_NETWORK, FROM_TEST, `no network with matching name '${name}'`);
    return found;
  }

  private byUuid(uuid: string): TestNetwork {
    const found = this.state.networks.find((n) => n.def.uuid === uuid);
    if (!found) throw virError(ErrorNumber.VIR_ERR_NO_NETWORK, FROM_TEST, `no network with matching uuid '${uuid}'`);
    return found;
  }

  /**
   * libvirt's uniqueness rules (virNetworkObjAssignDef): a name belongs to one UUID. Returns the network with
   * the same name and UUID, if any; with `live`, starting one that already runs is an error.
   */
  private checkUnique(def: NetworkDef, live: boolean): TestNetwork | undefined {
    const byUuid = this.state.networks.find((n) => n.def.uuid === def.uuid);
    if (byUuid) {
      if (byUuid.def.name !== def.name)
        throw virError(
          ErrorNumber.VIR_ERR_OPERATION_FAILED,
          FROM_NETWORK,
          `network '${byUuid.def.name}' is already defined with uuid ${byUuid.def.uuid}`,
        );
      if (live && byUuid.active)
        throw virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, FROM_NETWORK, `network is already active as '${def.name}'`);
      return byUuid;
    }
    const byName = this.state.networks.find((n) => n.def.name === def.name);
    if (byName)
      throw virError(
        ErrorNumber.VIR_ERR_OPERATION_FAILED,
        FROM_NETWORK,
        `network '${def.name}' already exists with uuid ${byName.def.uuid}`,
      );
    return undefined;
  }

  private remove(n: TestNetwork): void {
    const at = this.state.networks.indexOf(n);
    if (at >= 0) this.state.networks.splice(at, 1);
    this.state.networkChanged(n);
  }
}

function jobSpec() {
  return {
    operation: 'network-start',
    label: 'network create',
    type: JobType.BOUNDED,
    total: NETWORK_START_BYTES,
    errorDomain: FROM_TEST,
  };
}

/** Marks the network busy for the job's lifetime, so conflicting operations fail instead of interleaving. */
function track<J extends VirJob<any>>(n: TestNetwork, job: J): J {
  n.job = job;
  job.subscribe((_j, event) => {
    if (event === 'end' && n.job === job) n.job = null;
  });
  return job;
}

function requireNoJob(n: TestNetwork): void {
  if (n.job?.running)
    throw virError(
      ErrorNumber.VIR_ERR_OPERATION_INVALID,
      FROM_NETWORK,
      `network '${n.def.name}' has an active ${n.job.operation} job`,
    );
}

function refOf(n: TestNetwork): NetworkRef {
  return { name: n.def.name, uuid: n.def.uuid };
}

/** Each pair of filters narrows the list only when one of the two is given, as in libvirt. */
function matchesListFlags(n: TestNetwork, flags: number): boolean {
  const pick = (yes: number, no: number, value: boolean) =>
    !(flags & (yes | no)) || ((flags & yes) !== 0 && value) || ((flags & no) !== 0 && !value);
  return (
    pick(ListFlags.VIR_CONNECT_LIST_NETWORKS_ACTIVE, ListFlags.VIR_CONNECT_LIST_NETWORKS_INACTIVE, n.active) &&
    pick(ListFlags.VIR_CONNECT_LIST_NETWORKS_PERSISTENT, ListFlags.VIR_CONNECT_LIST_NETWORKS_TRANSIENT, n.persistent) &&
    pick(ListFlags.VIR_CONNECT_LIST_NETWORKS_AUTOSTART, ListFlags.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART, n.autostart)
  );
}
