// Opening a remote connection: the daemon's open sequence, then the driver tables over it. Loaded on first use
// (index.ts imports it dynamically), with the RPC client and the protocol's generated codecs.
import type { ConnectionDrivers } from '../driver.js';
import { RemoteConnection } from './connection.js';
import { DaemonJobs } from './daemon-jobs.js';
import { remoteHypervisor } from './hypervisor.js';
import { remoteNetwork } from './network.js';
import { remoteDefaults } from './options.js';
import { remoteStorage } from './storage.js';
import type { RemoteTarget } from './uri.js';

export async function openRemote(target: RemoteTarget, flags: number): Promise<ConnectionDrivers> {
  // tsvirtd's job program, if the daemon has it: jobs then start and are followed there (daemon-jobs.ts). The
  // probe travels with CONNECT_OPEN, not a round trip later.
  let probe: Promise<DaemonJobs | null> | undefined;
  const rc = await RemoteConnection.open(target, flags, remoteDefaults, (conn) => {
    probe = DaemonJobs.probe(conn);
    probe.catch(() => {});
  });
  let daemonJobs: DaemonJobs | null;
  try {
    daemonJobs = await probe!;
  } catch (err) {
    rc.close();
    throw err;
  }
  const hypervisor = remoteHypervisor(rc);
  const network = remoteNetwork(rc);
  const storage = remoteStorage(rc);
  if (!daemonJobs) return { hypervisor, network, storage, uri: target.uri, close: () => rc.close() };
  daemonJobs.fallback.hypervisor = hypervisor;
  return {
    hypervisor: { ...hypervisor, ...daemonJobs.hypervisorSlots() },
    network: { ...network, ...daemonJobs.networkSlots() },
    storage: { ...storage, ...daemonJobs.storageSlots() },
    jobs: daemonJobs,
    uri: target.uri,
    close: () => rc.close(),
  };
}
