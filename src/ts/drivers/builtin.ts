import { registerConnectDriver } from './registry.js';
import { dirStorageDriver } from './storage-dir/index.js';
import { testDriver } from './test-driver/index.js';

/** The drivers compiled into tsvirt, registered in the order they are asked about a URI. */
registerConnectDriver(testDriver);
registerConnectDriver(dirStorageDriver);
