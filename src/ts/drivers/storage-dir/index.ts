import type { ConnectDriver, ConnectionDrivers } from '../driver.js';
import { isTsvirtUri } from '../local-uris.js';
import { DriverState } from './driver-state.js';
import { DirHypervisor } from './hypervisor.js';
import { stateRootFor } from './state-root.js';
import { DirStorage } from './storage.js';

/**
 * tsvirt's own driver: directory storage pools on the local disks, with no daemon. `tsvirt:///session`
 * keeps the user's pools in their state directory, `tsvirt:///embed?root=DIR` keeps everything under DIR
 * (see state-root.ts and docs/storage.md). Opening a connection starts the driver on that state: pools
 * due to autostart start, and what crashed processes left half-built is removed.
 */
export const dirStorageDriver: ConnectDriver = {
  name: 'tsvirt',
  accepts: isTsvirtUri,
  open(uri): ConnectionDrivers {
    const root = stateRootFor(uri);
    const state = DriverState.acquire(root.dir);
    let closed = false;
    return {
      hypervisor: new DirHypervisor(),
      storage: new DirStorage(state),
      jobs: state.jobs,
      uri: root.uri,
      close: () => {
        if (closed) return;
        closed = true;
        state.release();
      },
    };
  },
};
