// Opening a remote connection: the daemon's open sequence, then the driver tables over it. Loaded on first use
// (index.ts imports it dynamically), with the RPC client and the protocol's generated codecs.
import type { ConnectionDrivers } from '../driver.js';
import { RemoteConnection } from './connection.js';
import { remoteHypervisor } from './hypervisor.js';
import { remoteNetwork } from './network.js';
import { remoteDefaults } from './options.js';
import { remoteStorage } from './storage.js';
import type { RemoteTarget } from './uri.js';

export async function openRemote(target: RemoteTarget, flags: number): Promise<ConnectionDrivers> {
  const rc = await RemoteConnection.open(target, flags, remoteDefaults);
  const drivers: ConnectionDrivers = {
    hypervisor: remoteHypervisor(rc),
    network: remoteNetwork(rc),
    storage: remoteStorage(rc),
    uri: target.uri,
    close: () => rc.close(),
  };
  return drivers;
}
