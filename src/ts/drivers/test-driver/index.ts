import { readFileSync } from 'node:fs';
import { copyDomainDef, parseDomainXML } from '../../conf/domain.js';
import { parseNetworkXML } from '../../conf/network.js';
import { parsePoolXML } from '../../conf/storage.js';
import { loadTestNode } from '../../conf/test-node.js';
import { virDomainRunningReason, virDomainState } from '../../core/enums.generated.js';
import { checkFlags } from '../../core/flags.js';
import { virConnectFlags } from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import type { ConnectDriver, ConnectionDrivers } from '../driver.js';
import { isTestUri } from '../local-uris.js';
import { DEFAULT_DOMAIN_XML, DEFAULT_NETWORK_XML, DEFAULT_NODE_INFO, DEFAULT_POOL_XML } from './defaults.js';
import { TestHypervisor } from './hypervisor.js';
import { TestNetworks } from './networks.js';
import { rateFor } from './rate.js';
import { TestState, type TestDomain } from './state.js';
import { TestStorage } from './storage.js';

const { VIR_CONNECT_RO } = virConnectFlags;

/** The state of `test:///default`, shared by a process's connections while any is open. */
let shared: { state: TestState; users: number } | null = null;

function defaultState(): TestState {
  const state = new TestState(DEFAULT_NODE_INFO);
  const def = parseDomainXML(DEFAULT_DOMAIN_XML);
  const test: TestDomain = {
    def,
    persistentDef: copyDomainDef(def),
    persistent: true,
    state: virDomainState.VIR_DOMAIN_SHUTOFF,
    reason: 0,
    id: -1,
    job: null,
  };
  state.domains.push(test);
  state.setDomainState(test, virDomainState.VIR_DOMAIN_RUNNING, virDomainRunningReason.VIR_DOMAIN_RUNNING_UNKNOWN);
  state.networks.push({ def: parseNetworkXML(DEFAULT_NETWORK_XML), persistent: true, active: true, autostart: false, job: null });
  state.pools.push({ def: parsePoolXML(DEFAULT_POOL_XML), persistent: true, active: true, autostart: false, volumes: [] });
  return state;
}

/**
 * Reads a configuration file as libvirt's XML library does, including its side effect: a file it cannot load
 * makes libxml2 print a warning on the process's stderr before libvirt reports the error, and programs
 * written against libvirt (virsh among them) show that line.
 */
function readLikeLibxml2(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`I/O warning : failed to load external entity "${file}"\n`);
    throw err;
  }
}

/** A custom test-driver file (libvirt's `<node>` format), with the states and ids libvirt gives its domains. */
function fileState(path: string): TestState {
  const node = loadTestNode(path, { readFile: readLikeLibxml2 });
  const state = new TestState(node.nodeInfo);
  for (const domain of node.domains) {
    const running = domain.state !== virDomainState.VIR_DOMAIN_SHUTOFF;
    if (running) state.noteDomainId(domain.id);
    state.domains.push({
      def: domain.def,
      persistentDef: running && domain.persistent ? domain.persistentDef : null,
      persistent: domain.persistent,
      state: domain.state,
      // libvirt's test driver gives the domains of a file no reason: 'running (unknown)', 'paused (unknown)'.
      reason: 0,
      id: running ? domain.id : -1,
      job: null,
    });
  }
  for (const def of node.networks) state.networks.push({ def, persistent: true, active: true, autostart: false, job: null });
  for (const pool of node.pools) {
    state.pools.push({
      def: pool.def,
      persistent: true,
      active: true,
      autostart: false,
      volumes: pool.volumes.map((def) => ({ def, pending: false, job: null })),
    });
  }
  return state;
}

function tables(state: TestState, uri: URL, release: () => void): ConnectionDrivers {
  const rate = rateFor(uri);
  return {
    hypervisor: new TestHypervisor(state, rate),
    network: new TestNetworks(state, rate),
    storage: new TestStorage(state, rate),
    jobs: state.jobs,
    uri: uri.href,
    close: release,
  };
}

/** libvirt's mock hypervisor: `test:///default` or `test:///ABSOLUTE/PATH.xml`. */
export const testDriver: ConnectDriver = {
  name: 'Test',
  accepts: isTestUri,
  open(uri, flags) {
    checkFlags(flags, VIR_CONNECT_RO, 'testConnectOpen', ErrorDomain.VIR_FROM_TEST);
    // `test:`, `test:/`, `test://`: no file and not the default.
    if (uri.pathname === '' || uri.pathname === '/') {
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_TEST, 'testOpen: supply a path or use test:///default');
    }
    if (uri.pathname === '/default') {
      const entry = (shared ??= { state: defaultState(), users: 0 });
      entry.users++;
      return tables(entry.state, uri, () => {
        if (--entry.users === 0 && shared === entry) shared = null;
      });
    }
    return tables(fileState(decodeURIComponent(uri.pathname)), uri, () => {});
  },
};
