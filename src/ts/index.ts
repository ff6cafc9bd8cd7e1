/**
 * tsvirt: libvirt's API where every long operation is a job you can await, watch and cancel.
 *
 *   const conn = await connect('test:///default');
 *   const dom = await conn.lookupDomain('test');
 *   for await (const p of dom.save('/tmp/test.save')) console.log(p.percent, p.remainingMs);
 */
export { connect, Connection, libraryVersion, type ConnectOptions, type RestoreOptions } from './tsvirt/connection.js';
export { Domain, type CoreDumpOptions, type DomainState, type DomainStateName, type SaveOptions } from './tsvirt/domain.js';
export { DomainEvents, type DomainEventName, type DomainEventOptions, type DomainLifecycleEvent } from './tsvirt/events.js';
export { Job, type JobOptions, type JobProgress, type JobStateName } from './tsvirt/job.js';
export { Network } from './tsvirt/network.js';
export { StoragePool, StorageVolume } from './tsvirt/storage.js';
export { VolumeDownload, VolumeUpload, type TransferOptions, type UploadSource } from './tsvirt/stream.js';
export type {
  DomainInfo,
  DomainJobInfo,
  NodeInfo,
  SecurityLabel,
  SecurityModel,
  StoragePoolInfo,
  StorageVolInfo,
} from './drivers/driver.js';
export { ErrorDomain, ErrorNumber, VirError } from './errors/index.js';
