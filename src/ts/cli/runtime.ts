/**
 * Everything the commands need from tsvirt, behind one module that the shell imports only when a command
 * first needs a connection: `help`, parse errors and `--version` never pay for loading the drivers.
 */
export { connect, Connection, Domain, Network, StoragePool, StorageVolume, VirError } from '../index.js';
export type { Job, JobProgress } from '../index.js';
export * as connectApi from '../api/connect.js';
export * as domainApi from '../api/domain.js';
export * as jobApi from '../api/job.js';
export * as networkApi from '../api/network.js';
export * as storageApi from '../api/storage.js';
