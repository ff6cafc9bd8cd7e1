import { registerConnectDriver, registerFallbackDriver } from './registry.js';
import { remoteDriver } from './remote/index.js';
import { dirStorageDriver } from './storage-dir/index.js';
import { testDriver } from './test-driver/index.js';

/** The drivers compiled into tsvirt, registered in the order they are asked about a URI. */
registerConnectDriver(testDriver);
registerConnectDriver(dirStorageDriver);
// Last, also after drivers registered later: the URIs no local driver claims go to a daemon, as libvirt hands
// them to its remote driver.
registerFallbackDriver(remoteDriver);
