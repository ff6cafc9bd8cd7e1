import type { NodeInfo } from '../drivers/driver.js';
import { readFileSync } from 'node:fs';
import { ErrorDomain, ErrorNumber, virError, VirError } from '../errors/index.js';
import { parseXml, type XmlElement } from '../xml/index.js';
import type { DomainDef } from './domain-def.js';
import { copyDomainDef, parseDomainElement } from './domain.js';
import { parseNetworkElement, type NetworkDef } from './network.js';
import { parsePoolElement, parseVolumeElement, type PoolDef, type VolumeDef } from './storage.js';
import { parseULongLong } from './units.js';
import { xmlError } from './xml-values.js';

/**
 * libvirt's test-driver configuration files (`test:///ABSOLUTE/PATH.xml`): a `<node>` with host CPU and
 * memory figures, domains, networks and storage pools, each inline or in a file of its own (`file=`,
 * relative to the configuration's folder). Loading gives plain data in the state libvirt starts it in.
 */

/** Host figures, as virNodeGetInfo reports them. */
export type TestNodeInfo = NodeInfo;

export interface TestNodeDomain {
  /** The definition in force: the live one of a running domain. */
  def: DomainDef;
  /**
   * What `dumpxml --inactive` shows. For a domain libvirt started, its copy of the definition, which can
   * differ in device order (see copyDomainDef); for a shut-off domain, `def` itself.
   */
  persistentDef: DomainDef;
  /** virDomainState: running, unless the file's `<test:runstate>` says otherwise. */
  state: number;
  /** The live id libvirt gave it while loading, in file order; -1 for a domain left shut off. */
  id: number;
  /** False for a `<test:transient/>` domain. */
  persistent: boolean;
  /** `<test:hasmanagedsave/>`: the domain has a managed save image. */
  hasManagedSave: boolean;
}

export interface TestNodePool {
  /** With the test driver's sizes: 100 GiB, less what its volumes allocate. */
  def: PoolDef;
  volumes: VolumeDef[];
}

/** Everything in a configuration. All networks and pools in it are active and persistent. */
export interface TestNode {
  nodeInfo: TestNodeInfo;
  domains: TestNodeDomain[];
  networks: NetworkDef[];
  pools: TestNodePool[];
}

export interface LoadTestNodeOptions {
  /** Reads a file as text; node's fs by default. Errors are expected to carry node's `code` ('ENOENT'...). */
  readFile?: (path: string) => string;
}

/** The host libvirt's test driver describes when a configuration does not (its defaultNodeInfo). */
export const DEFAULT_TEST_NODE_INFO: Readonly<TestNodeInfo> = {
  model: 'i686',
  memory: 3145728,
  cpus: 16,
  mhz: 1400,
  nodes: 2,
  sockets: 2,
  cores: 2,
  threads: 2,
};

/** Every test-driver pool is this big, whatever its definition says. */
export const TEST_POOL_CAPACITY = 107374182400;

/** The XML namespace of the test driver's per-domain settings. */
const TEST_NAMESPACE = 'http://libvirt.org/schemas/domain/test/1.0';

const T = ErrorDomain.VIR_FROM_TEST;
const VIR_DOMAIN_RUNNING = 1;
const VIR_DOMAIN_SHUTOFF = 5;
/** virDomainState's count of states (VIR_DOMAIN_LAST). */
const DOMAIN_STATES = 8;

/**
 * Loads a configuration file. Errors are libvirt's: a file that cannot be read is "failed to parse xml
 * document", a malformed one gets libxml2's message naming the file, definitions fail as they would on define.
 */
export function loadTestNode(path: string, opts: LoadTestNodeOptions = {}): TestNode {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const load = (file: string): XmlElement => parseXml(readConfigFile(file, read), { docName: file, errorDomain: T });
  const root = load(path);
  if (root.localName !== 'node') throw xmlError(`expecting root element of 'node', not '${root.name}'`);
  // A `file=` element is replaced by the root of that file, as libvirt does before reading it.
  const resolve = (el: XmlElement): XmlElement => {
    const file = el.attr('file');
    return file === undefined ? el : load(relativeTo(path, file));
  };

  const node: TestNode = { nodeInfo: parseNodeInfo(root), domains: [], networks: [], pools: [] };
  let lastId = 0;
  for (const el of root.childrenNamed('domain')) {
    const domainEl = resolve(el);
    const def = parseDomainElement(domainEl);
    const extra = parseTestNamespace(domainEl, domainEl === el ? root : undefined);
    const running = extra.state !== VIR_DOMAIN_SHUTOFF;
    const same = sameObject(node.domains, def, (d) => d.def, 'domain', ErrorDomain.VIR_FROM_DOMAIN);
    if (same !== undefined && same.id !== -1) {
      // Defining a running domain again only replaces its persistent configuration; libvirt then starts
      // it again, which gives it a new id.
      same.persistentDef = def;
      same.id = ++lastId;
      continue;
    }
    if (same !== undefined) node.domains.splice(node.domains.indexOf(same), 1);
    node.domains.push({ ...extra, def, persistentDef: running ? copyDomainDef(def) : def, id: running ? ++lastId : -1 });
  }
  for (const el of root.childrenNamed('network')) {
    const def = parseNetworkElement(resolve(el));
    // An active network defined again keeps the definition it runs with.
    if (sameObject(node.networks, def, (n) => n, 'network', ErrorDomain.VIR_FROM_NETWORK) === undefined) node.networks.push(def);
  }
  for (const el of root.childrenNamed('pool')) {
    const poolEl = resolve(el);
    const pool: TestNodePool = { def: parsePoolElement(poolEl), volumes: [] };
    pool.def.capacity = TEST_POOL_CAPACITY;
    pool.def.allocation = 0;
    pool.def.available = TEST_POOL_CAPACITY;
    // Volumes are read from the pool as it ends up: a pool loaded from a file has lost the inline ones.
    for (const volEl of poolEl.childrenNamed('volume')) addVolume(pool, parseVolumeElement(resolve(volEl)));
    if (sameObject(node.pools, pool.def, (p) => p.def, 'pool', ErrorDomain.VIR_FROM_STORAGE) === undefined) node.pools.push(pool);
  }
  return node;
}

function readConfigFile(file: string, read: (path: string) => string): string {
  try {
    return read(file);
  } catch (err) {
    // libxml2 reads a folder as an empty document.
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return '';
    throw xmlError(`failed to parse xml document '${file}'`, T);
  }
}

/** libvirt's testBuildFilename: a relative name is appended to the configuration's folder, slash included. */
function relativeTo(config: string, file: string): string {
  if (file.startsWith('/')) return file;
  const slash = config.lastIndexOf('/');
  return slash < 0 ? file : config.slice(0, slash + 1) + file;
}

function parseNodeInfo(root: XmlElement): TestNodeInfo {
  const info: TestNodeInfo = { ...DEFAULT_TEST_NODE_INFO };
  const cpu = root.child('cpu');
  const uint = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined || text === '') return undefined;
    const n = parseULongLong(text);
    if (n === null || n > 0xffff_ffffn) throw xmlError(`invalid node cpu ${what} value`, T);
    return Number(n);
  };
  info.nodes = uint(cpu?.childText('nodes'), 'nodes') ?? info.nodes;
  info.sockets = uint(cpu?.childText('sockets'), 'sockets') ?? info.sockets;
  info.cores = uint(cpu?.childText('cores'), 'cores') ?? info.cores;
  info.threads = uint(cpu?.childText('threads'), 'threads') ?? info.threads;
  info.cpus = uint(cpu?.childText('active'), 'active') ?? info.cpus;
  info.cpus = Math.min(info.cpus, info.nodes * info.sockets * info.cores * info.threads);
  info.mhz = uint(cpu?.childText('mhz'), 'mhz') ?? info.mhz;
  const model = cpu?.childText('model');
  if (model !== undefined && model !== '') {
    // virNodeInfo keeps the model in 32 bytes, NUL included.
    if (model.length > 31) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, T, `Model ${model} too big for destination`);
    info.model = model;
  }
  const memory = root.childText('memory');
  if (memory !== undefined && memory !== '') {
    const n = parseULongLong(memory);
    if (n === null) throw xmlError('invalid node memory value', T);
    info.memory = Number(n);
  }
  return info;
}

/**
 * The test driver's own elements in a domain (`<test:runstate>`, `<test:transient/>`,
 * `<test:hasmanagedsave/>`), found by namespace whatever their prefix; `outer` is the node element an
 * inline domain sits in, which may declare the prefix.
 */
function parseTestNamespace(
  el: XmlElement,
  outer: XmlElement | undefined,
): Pick<TestNodeDomain, 'state' | 'persistent' | 'hasManagedSave'> {
  const prefixes = new Set<string>();
  for (const scope of [outer, el]) {
    for (const [name, value] of scope?.attrs ?? []) {
      if (name.startsWith('xmlns:') && value === TEST_NAMESPACE) prefixes.add(name.slice(6));
    }
  }
  const find = (local: string) => el.children.find((c) => [...prefixes].some((p) => c.name === `${p}:${local}`));

  let state = VIR_DOMAIN_RUNNING;
  const runstate = find('runstate')?.text();
  if (runstate !== undefined && runstate !== '') {
    const n = parseULongLong(runstate);
    if (n === null || n > 0xffff_ffffn) throw xmlError('invalid runstate', T);
    if (n >= BigInt(DOMAIN_STATES)) throw xmlError(`runstate '${n}' out of range'`, T);
    state = Number(n);
  }
  const persistent = find('transient') === undefined;
  const hasManagedSave = find('hasmanagedsave') !== undefined;
  if (hasManagedSave && state !== VIR_DOMAIN_SHUTOFF) {
    throw xmlError("domain with managedsave data can only have runstate 'shutoff'", T);
  }
  if (!persistent && state === VIR_DOMAIN_SHUTOFF) throw xmlError("transient domain cannot have runstate 'shutoff'", T);
  return { state, persistent, hasManagedSave };
}

/**
 * Checks a new definition against the objects loaded so far, as libvirt's object lists do: a name or UUID
 * taken by another object is an error. Returns the object with the same name and UUID, if there is one.
 */
function sameObject<E>(
  list: E[],
  def: { name: string; uuid: string },
  defOf: (e: E) => { name: string; uuid: string },
  kind: string,
  domain: ErrorDomain,
): E | undefined {
  const byName = list.find((e) => defOf(e).name === def.name);
  const byUuid = list.find((e) => defOf(e).uuid === def.uuid);
  if (byUuid !== undefined && byName !== byUuid) {
    const other = defOf(byUuid);
    throw operationFailed(domain, `${kind} '${other.name}' is already defined with uuid ${other.uuid}`);
  }
  if (byName !== undefined && byUuid === undefined) {
    throw operationFailed(domain, `${kind} '${def.name}' already exists with uuid ${defOf(byName).uuid}`);
  }
  return byName;
}

function operationFailed(domain: ErrorDomain, detail: string): VirError {
  return virError(ErrorNumber.VIR_ERR_OPERATION_FAILED, domain, detail);
}

/** A volume joins its pool: placed under the pool's path unless it says where, and counted in its allocation. */
function addVolume(pool: TestNodePool, vol: VolumeDef): void {
  if (pool.volumes.some((v) => v.name === vol.name)) {
    // libvirt fails here without saying why.
    throw new VirError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, 'An error occurred, but the cause is unknown');
  }
  vol.target.path ??= `${pool.def.target.path}/${vol.name}`;
  vol.key ??= vol.target.path;
  pool.volumes.push(vol);
  pool.def.allocation = (pool.def.allocation ?? 0) + vol.allocation;
  // Unsigned arithmetic in libvirt: an overcommitted pool shows a huge free size rather than a negative one.
  pool.def.available = Number(BigInt.asUintN(64, BigInt(TEST_POOL_CAPACITY) - BigInt(pool.def.allocation)));
}
