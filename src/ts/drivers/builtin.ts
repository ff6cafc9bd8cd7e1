import type { ConnectDriver } from './driver.js';
import { registerConnectDriver, registerFallbackDriver } from './registry.js';
import { remoteDriver } from './remote/index.js';
import { dirStorageDriver } from './storage-dir/index.js';
import { testDriver } from './test-driver/index.js';

/**
 * The local drivers compiled into tsvirt, in the order they are asked about a URI. The shell's build replaces
 * this module with builtin-on-demand.ts, the same drivers loaded on first use.
 */
export const builtinDrivers: readonly ConnectDriver[] = [testDriver, dirStorageDriver];

for (const driver of builtinDrivers) registerConnectDriver(driver);
// Last, also after drivers registered later: the URIs no local driver claims go to a daemon, as libvirt hands
// them to its remote driver.
registerFallbackDriver(remoteDriver);
