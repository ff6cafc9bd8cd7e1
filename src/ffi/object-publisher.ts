import * as domains from '../ts/api/domain.js';
import * as networks from '../ts/api/network.js';
import * as storage from '../ts/api/storage.js';
import { VirDomain, VirNetwork, VirStoragePool, VirStorageVol } from '../ts/core/handles.js';
import type { ChangeFeed } from '../ts/drivers/driver.js';
import type { Handled } from './handle-table.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/** abi_field and the ABI_PUBLISHED_* groups (native/src/abi/abi_handle.h). */
const Field = {
  UUID_HIGH: 0,
  UUID_LOW: 1,
  ID: 2,
  STATE: 3,
  REASON: 4,
  ACTIVE: 5,
  PERSISTENT: 6,
  MAX_MEM: 7,
  MEMORY: 8,
  VCPUS: 9,
  CPU_TIME: 10,
  CPU_TIME_IS_CLOCK: 11,
  CAPACITY: 12,
  ALLOCATION: 13,
  AVAILABLE: 14,
  COUNT: 15,
} as const;
const IDENTITY = 1;
const STATE = 2;
/** ABI_KEPT_* */
const KEPT_NAME = 0;
const KEPT_KEY = 1;

type Published = VirDomain | VirNetwork | VirStoragePool | VirStorageVol;
/** The objects whose drivers may announce their changes. */
type Followed = VirDomain | VirNetwork | VirStoragePool;

/** The handles C holds on the objects of one change feed (one connection's driver), by UUID. */
interface Watched {
  readonly byUuid: Map<string, Set<Followed>>;
  readonly stop: () => void;
}

/**
 * Publishes what the getters of C handles answer into the handles' native memory (a sequence lock,
 * native/src/abi/abi_object.c), so that those getters answer on any thread without waking this one:
 *  - a handle's identity (name, UUID, a volume's key) when it is made;
 *  - a domain's state, id and info, a network's or a pool's active and persistent flags and a pool's info,
 *    whenever their driver announces a change (HypervisorDriver.domainChanges, NetworkDriver.networkChanges,
 *    StorageDriver.storagePoolChanges), synchronously, so that the change is published before the call
 *    that made it returns to anyone.
 * The values come from the TypeScript entry points, the one implementation of the reads. A driver without
 * a feed, a getter that answers later (a Promise) or fails (the domain is gone) publishes no state: C then
 * asks the bridge, which gives the driver's answer or libvirt's error as before.
 */
export class ObjectPublisher {
  private readonly watched = new Map<ChangeFeed, Watched>();
  private readonly values = new BigInt64Array(Field.COUNT);

  constructor(
    private readonly abi: NativeAbi,
    /** The C handle of an object, if it has one. */
    private readonly pointerOf: (object: Handled) => Pointer | undefined,
  ) {}

  /** A new C handle: keeps its strings, publishes what it answers, and follows its domain. */
  added(object: Handled, pointer: Pointer): void {
    if (!isPublished(object)) return;
    this.abi.handleKeep(pointer, KEPT_NAME, object.name);
    if (object instanceof VirStorageVol) this.abi.handleKeep(pointer, KEPT_KEY, object.key);
    if (isFollowed(object)) this.follow(object);
    this.publish(object, pointer);
  }

  /** A released C handle: stops following its object (the native side forgets what it published). */
  released(object: Handled): void {
    const feed = isFollowed(object) ? feedOf(object) : undefined;
    const watched = feed && this.watched.get(feed);
    const handles = watched?.byUuid.get((object as Followed).uuid);
    if (!feed || !watched || !handles) return;
    handles.delete(object as Followed);
    if (handles.size === 0) watched.byUuid.delete((object as Followed).uuid);
    if (watched.byUuid.size === 0) {
      watched.stop();
      this.watched.delete(feed);
    }
  }

  private follow(object: Followed): void {
    const feed = feedOf(object);
    if (!feed) return;
    let watched = this.watched.get(feed);
    if (!watched) {
      const byUuid = new Map<string, Set<Followed>>();
      const stop = feed.watch((uuid) => this.changed(byUuid, uuid));
      watched = { byUuid, stop };
      this.watched.set(feed, watched);
    }
    let handles = watched.byUuid.get(object.uuid);
    if (!handles) watched.byUuid.set(object.uuid, (handles = new Set()));
    handles.add(object);
  }

  private changed(byUuid: Map<string, Set<Followed>>, uuid: string): void {
    for (const object of byUuid.get(uuid) ?? []) {
      const pointer = this.pointerOf(object);
      if (pointer !== undefined) this.publish(object, pointer);
    }
  }

  private publish(object: Published, pointer: Pointer): void {
    const values = this.values;
    values.fill(0n);
    const uuid = object instanceof VirStorageVol ? null : uuidHalves(object.uuid);
    if (uuid) [values[Field.UUID_HIGH], values[Field.UUID_LOW]] = uuid;
    let published = uuid ? IDENTITY : 0;
    if (object instanceof VirDomain && this.domainState(object)) published |= STATE;
    if (object instanceof VirNetwork && this.networkState(object)) published |= STATE;
    if (object instanceof VirStoragePool && this.poolState(object)) published |= STATE;
    this.abi.objectPublish(pointer, published, values, Field.COUNT);
  }

  /** Fills in a domain's state when its driver announces changes and answers at once; false otherwise. */
  private domainState(dom: VirDomain): boolean {
    const feed = dom.conn.drivers.hypervisor.domainChanges;
    if (!feed) return false;
    try {
      const info = domains.virDomainGetInfo(dom);
      const state = domains.virDomainGetState(dom, 0);
      const active = domains.virDomainIsActive(dom);
      const persistent = domains.virDomainIsPersistent(dom);
      // The id follows the domain's state (libvirt's drivers update the handle's), so it is state here.
      const id: unknown = domains.virDomainGetID(dom);
      if (info instanceof Promise || state instanceof Promise || active instanceof Promise || persistent instanceof Promise)
        return false;
      if (typeof id !== 'number') return false;
      const values = this.values;
      values[Field.ID] = BigInt(id);
      values[Field.STATE] = BigInt(info.state);
      values[Field.REASON] = BigInt(state.reason);
      values[Field.ACTIVE] = active ? 1n : 0n;
      values[Field.PERSISTENT] = persistent ? 1n : 0n;
      values[Field.MAX_MEM] = BigInt(info.maxMem);
      values[Field.MEMORY] = BigInt(info.memory);
      values[Field.VCPUS] = BigInt(info.nrVirtCpu);
      values[Field.CPU_TIME] = info.cpuTime;
      values[Field.CPU_TIME_IS_CLOCK] = feed.cpuTime === 'wall-clock' ? 1n : 0n;
      return true;
    } catch {
      // Gone, or failing for another reason: the bridge reports it when asked.
      return false;
    }
  }

  private poolState(pool: VirStoragePool): boolean {
    if (!feedOf(pool)) return false;
    try {
      const info = storage.virStoragePoolGetInfo(pool);
      const active = storage.virStoragePoolIsActive(pool);
      const persistent = storage.virStoragePoolIsPersistent(pool);
      if (info instanceof Promise || active instanceof Promise || persistent instanceof Promise) return false;
      const values = this.values;
      values[Field.STATE] = BigInt(info.state);
      values[Field.CAPACITY] = BigInt(info.capacity);
      values[Field.ALLOCATION] = BigInt(info.allocation);
      values[Field.AVAILABLE] = BigInt(info.available);
      values[Field.ACTIVE] = active ? 1n : 0n;
      values[Field.PERSISTENT] = persistent ? 1n : 0n;
      return true;
    } catch {
      return false;
    }
  }

  private networkState(net: VirNetwork): boolean {
    if (!feedOf(net)) return false;
    try {
      const active = networks.virNetworkIsActive(net);
      const persistent = networks.virNetworkIsPersistent(net);
      if (active instanceof Promise || persistent instanceof Promise) return false;
      this.values[Field.ACTIVE] = active ? 1n : 0n;
      this.values[Field.PERSISTENT] = persistent ? 1n : 0n;
      return true;
    } catch {
      return false;
    }
  }
}

/** A UUID as the two signed 64-bit halves native memory holds; parsed once per UUID, as states change often. */
const halvesByUuid = new Map<string, readonly [bigint, bigint]>();
function uuidHalves(uuid: string): readonly [bigint, bigint] {
  let halves = halvesByUuid.get(uuid);
  if (!halves) {
    const hex = uuid.replace(/-/g, '');
    halves = [BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)), BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`))];
    if (halvesByUuid.size >= 4096) halvesByUuid.clear();
    halvesByUuid.set(uuid, halves);
  }
  return halves;
}

/** The change feed of an object's driver, if it has one. */
function feedOf(object: Followed): ChangeFeed | undefined {
  if (object instanceof VirDomain) return object.conn.drivers.hypervisor.domainChanges;
  if (object instanceof VirNetwork) return object.conn.drivers.network?.networkChanges;
  return object.conn.drivers.storage?.storagePoolChanges;
}

function isFollowed(object: Handled): object is Followed {
  return object instanceof VirDomain || object instanceof VirNetwork || object instanceof VirStoragePool;
}

function isPublished(object: Handled): object is Published {
  return (
    object instanceof VirDomain || object instanceof VirNetwork || object instanceof VirStoragePool || object instanceof VirStorageVol
  );
}
