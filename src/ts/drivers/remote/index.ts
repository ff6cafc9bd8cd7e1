// The remote driver: asked last, after every local driver, as libvirt asks its remote driver. It serves URIs
// with a unix transport (`test+unix:///default?socket=S`, `qemu+unix:///system`, `tsvirt+unix:///session`) and
// URIs without host that no local driver claimed (`qemu:///session`, `qemu:///system`): it connects to the
// daemon's socket and speaks libvirt's RPC protocol to it (src/ts/rpc/client.ts).
import { existsSync } from 'node:fs';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { isInsideDaemon } from '../registry.js';
import type { ConnectDriver, ConnectionDrivers } from '../driver.js';
import { RemoteConnection } from './connection.js';
import { DaemonJobs } from './daemon-jobs.js';
import { remoteHypervisor } from './hypervisor.js';
import { remoteNetwork } from './network.js';
import { remoteStorage } from './storage.js';
import { remoteTarget, type RemoteTarget } from './uri.js';

export { remoteDefaults, RemoteConnection } from './connection.js';

/** The remote connection behind a connection's driver tables, for what only it can answer (close callbacks). */
const connections = new WeakMap<ConnectionDrivers, RemoteConnection>();

export function remoteConnectionOf(drivers: ConnectionDrivers): RemoteConnection | undefined {
  return connections.get(drivers);
}

/** Whether a connection's daemon serves tsvirt's job program (tsvirtd) rather than only libvirt's (libvirtd). */
export function hasJobProgram(drivers: ConnectionDrivers): boolean {
  return drivers.jobs instanceof DaemonJobs;
}

export const remoteDriver: ConnectDriver = {
  name: 'remote',
  // Inside tsvirtd, as inside libvirtd, a URI no local driver claims is unknown, never handed on.
  accepts: (uri) => !isInsideDaemon() && (uri.protocol.includes('+') || uri.host === '' || uri.host === 'localhost'),
  open(uri, flags) {
    const target = remoteTarget(uri, uri.href)!;
    // No daemon there: known at once, so even a synchronous open gets libvirt's error.
    if (!existsSync(target.socketPath)) {
      throw virError(
        ErrorNumber.VIR_ERR_SYSTEM_ERROR,
        ErrorDomain.VIR_FROM_RPC,
        `Failed to connect socket to '${target.socketPath}': No such file or directory`,
      );
    }
    return openRemote(target, flags);
  },
};

async function openRemote(target: RemoteTarget, flags: number): Promise<ConnectionDrivers> {
  const rc = await RemoteConnection.open(target, flags);
  let daemonJobs: DaemonJobs | null;
  try {
    // tsvirtd's job program, if the daemon has it: jobs then start and are followed there (daemon-jobs.ts).
    daemonJobs = await DaemonJobs.probe(rc);
  } catch (err) {
    rc.close();
    throw err;
  }
  const hypervisor = remoteHypervisor(rc);
  const network = remoteNetwork(rc);
  const storage = remoteStorage(rc);
  if (daemonJobs) daemonJobs.fallback.hypervisor = hypervisor;
  const drivers: ConnectionDrivers = daemonJobs
    ? {
        hypervisor: { ...hypervisor, ...daemonJobs.hypervisorSlots() },
        network: { ...network, ...daemonJobs.networkSlots() },
        storage: { ...storage, ...daemonJobs.storageSlots() },
        jobs: daemonJobs,
        uri: target.uri,
        close: () => rc.close(),
      }
    : { hypervisor, network, storage, uri: target.uri, close: () => rc.close() };
  connections.set(drivers, rc);
  return drivers;
}
