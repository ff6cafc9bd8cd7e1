/**
 * tsvirt/libvirt: libvirt's C API, by libvirt's names, in TypeScript over opaque handles.
 *
 * Conventions, so C code ports line by line:
 * - Failure returns NULL (null) or -1 and sets the last error (virGetLastError), which the default error
 *   callback also prints to stderr, as libvirt does (replace it with virSetErrorFunc).
 * - An out-parameter becomes the return value: virDomainGetInfo(dom) returns the info or null.
 * - Functions whose libvirt twin blocks (virDomainSave, virDomainCreateXML, ...) return a Promise of the same
 *   result; each has a *Job variant that returns a virJobPtr at once.
 * - Handles are reference counted exactly like libvirt's: every handle returned is the caller's to free.
 */
import * as connect from './api/connect.js';
import * as domain from './api/domain.js';
import * as events from './api/events.js';
import * as job from './api/job.js';
import * as network from './api/network.js';
import * as storage from './api/storage.js';
import * as stream from './api/stream.js';
import { blocking, predicate, sync } from './cstyle/wrap.js';
import { virConnectListAllJobsFlags } from './core/enums.generated.js';
import type { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol, VirStream } from './core/handles.js';
import type { VirJob } from './jobs/job.js';

export type virConnectPtr = VirConnect;
export type virDomainPtr = VirDomain;
export type virNetworkPtr = VirNetwork;
export type virStoragePoolPtr = VirStoragePool;
export type virStorageVolPtr = VirStorageVol;
export type virStreamPtr = VirStream;
export type virJobPtr = VirJob;
export type { JobInfo as virJobInfo } from './jobs/job.js';
export type {
  DomainInfo as virDomainInfo,
  DomainJobInfo as virDomainJobInfo,
  NodeInfo as virNodeInfo,
  SecurityLabel as virSecurityLabel,
  SecurityModel as virSecurityModel,
  StoragePoolInfo as virStoragePoolInfo,
  StorageVolInfo as virStorageVolInfo,
} from './drivers/driver.js';
export type { VirError as virError } from './errors/index.js';
export type { virConnectDomainEventCallback, virFreeCallback } from './api/events.js';
export type { virConnectCloseFunc } from './api/connect.js';

export * from './core/enums.generated.js';
export { ErrorDomain as virErrorDomain, ErrorLevel as virErrorLevel, ErrorNumber as virErrorNumber } from './errors/index.js';
export { JobState as virJobState, JobType as virJobType } from './jobs/job.js';
export const VIR_JOB_BOUNDED = 0;
export const VIR_JOB_UNBOUNDED = 1;
export const VIR_JOB_RUNNING = 0;
export const VIR_JOB_COMPLETED = 1;
export const VIR_JOB_FAILED = 2;
export const VIR_JOB_CANCELLED = 3;
export const { VIR_CONNECT_LIST_JOBS_RUNNING, VIR_CONNECT_LIST_JOBS_FINISHED } = virConnectListAllJobsFlags;

export {
  virConnGetLastError,
  virConnResetLastError,
  virDefaultErrorFunc,
  virGetLastError,
  virGetLastErrorCode,
  virGetLastErrorDomain,
  virGetLastErrorMessage,
  virResetLastError,
  virSaveLastError,
  virSetErrorFunc,
  type virErrorFunc,
} from './cstyle/last-error.js';

// ---- host and connections ----
export const virGetVersion = connect.virGetVersion;
export const virConnectOpen = sync('virConnectOpen', connect.virConnectOpen, null);
export const virConnectOpenReadOnly = sync('virConnectOpenReadOnly', connect.virConnectOpenReadOnly, null);
export const virConnectOpenAuth = sync('virConnectOpenAuth', connect.virConnectOpenAuth, null);
export const virConnectClose = sync('virConnectClose', connect.virConnectClose, -1);
export const virConnectRef = sync('virConnectRef', connect.virConnectRef, -1);
export const virConnectGetType = sync('virConnectGetType', connect.virConnectGetType, null);
export const virConnectGetVersion = sync('virConnectGetVersion', connect.virConnectGetVersion, -1);
export const virConnectGetLibVersion = sync('virConnectGetLibVersion', connect.virConnectGetLibVersion, -1);
export const virConnectGetURI = sync('virConnectGetURI', connect.virConnectGetURI, null);
export const virConnectGetHostname = sync('virConnectGetHostname', connect.virConnectGetHostname, null);
export const virConnectGetCapabilities = sync('virConnectGetCapabilities', connect.virConnectGetCapabilities, null);
export const virConnectGetMaxVcpus = sync('virConnectGetMaxVcpus', connect.virConnectGetMaxVcpus, -1);
export const virConnectIsAlive = predicate('virConnectIsAlive', connect.virConnectIsAlive);
export const virConnectSetKeepAlive = sync('virConnectSetKeepAlive', connect.virConnectSetKeepAlive, -1);
export const virConnectRegisterCloseCallback = sync('virConnectRegisterCloseCallback', connect.virConnectRegisterCloseCallback, -1);
export const virConnectUnregisterCloseCallback = sync('virConnectUnregisterCloseCallback', connect.virConnectUnregisterCloseCallback, -1);
export const virConnectIsSecure = predicate('virConnectIsSecure', connect.virConnectIsSecure);
export const virConnectIsEncrypted = predicate('virConnectIsEncrypted', connect.virConnectIsEncrypted);
export const virNodeGetInfo = sync('virNodeGetInfo', connect.virNodeGetInfo, null);
export const virNodeGetSecurityModel = sync('virNodeGetSecurityModel', connect.virNodeGetSecurityModel, null);

// ---- domains ----
export const virConnectListAllDomains = sync('virConnectListAllDomains', domain.virConnectListAllDomains, null);
export const virConnectNumOfDomains = sync('virConnectNumOfDomains', domain.virConnectNumOfDomains, -1);
export const virConnectListDomains = sync('virConnectListDomains', domain.virConnectListDomains, null);
export const virConnectNumOfDefinedDomains = sync('virConnectNumOfDefinedDomains', domain.virConnectNumOfDefinedDomains, -1);
export const virConnectListDefinedDomains = sync('virConnectListDefinedDomains', domain.virConnectListDefinedDomains, null);
export const virDomainLookupByName = sync('virDomainLookupByName', domain.virDomainLookupByName, null);
export const virDomainLookupByID = sync('virDomainLookupByID', domain.virDomainLookupByID, null);
export const virDomainLookupByUUIDString = sync('virDomainLookupByUUIDString', domain.virDomainLookupByUUIDString, null);
export const virDomainGetConnect = sync('virDomainGetConnect', domain.virDomainGetConnect, null);
export const virDomainGetName = sync('virDomainGetName', domain.virDomainGetName, null);
export const virDomainGetUUIDString = sync('virDomainGetUUIDString', domain.virDomainGetUUIDString, null);
export const virDomainGetID = sync('virDomainGetID', domain.virDomainGetID, -1);
export const virDomainGetInfo = sync('virDomainGetInfo', domain.virDomainGetInfo, null);
export const virDomainGetState = sync('virDomainGetState', domain.virDomainGetState, null);
export const virDomainGetXMLDesc = sync('virDomainGetXMLDesc', domain.virDomainGetXMLDesc, null);
export const virDomainGetOSType = sync('virDomainGetOSType', domain.virDomainGetOSType, null);
export const virDomainGetMaxMemory = sync('virDomainGetMaxMemory', domain.virDomainGetMaxMemory, 0);
export const virDomainGetAutostart = sync('virDomainGetAutostart', domain.virDomainGetAutostart, null);
export const virDomainGetSecurityLabel = sync('virDomainGetSecurityLabel', domain.virDomainGetSecurityLabel, null);
export const virDomainIsActive = predicate('virDomainIsActive', domain.virDomainIsActive);
export const virDomainIsPersistent = predicate('virDomainIsPersistent', domain.virDomainIsPersistent);
export const virDomainHasManagedSaveImage = predicate('virDomainHasManagedSaveImage', domain.virDomainHasManagedSaveImage);
export const virDomainDefineXML = sync('virDomainDefineXML', domain.virDomainDefineXML, null);
export const virDomainDefineXMLFlags = sync('virDomainDefineXMLFlags', domain.virDomainDefineXMLFlags, null);
export const virDomainUndefine = sync('virDomainUndefine', domain.virDomainUndefine, -1);
export const virDomainUndefineFlags = sync('virDomainUndefineFlags', domain.virDomainUndefineFlags, -1);
export const virDomainDestroy = sync('virDomainDestroy', domain.virDomainDestroy, -1);
export const virDomainDestroyFlags = sync('virDomainDestroyFlags', domain.virDomainDestroyFlags, -1);
export const virDomainSuspend = sync('virDomainSuspend', domain.virDomainSuspend, -1);
export const virDomainResume = sync('virDomainResume', domain.virDomainResume, -1);
export const virDomainShutdown = sync('virDomainShutdown', domain.virDomainShutdown, -1);
export const virDomainShutdownFlags = sync('virDomainShutdownFlags', domain.virDomainShutdownFlags, -1);
export const virDomainReboot = sync('virDomainReboot', domain.virDomainReboot, -1);
export const virDomainGetJobInfo = sync('virDomainGetJobInfo', domain.virDomainGetJobInfo, null);
export const virDomainAbortJob = sync('virDomainAbortJob', domain.virDomainAbortJob, -1);
// ---- domain events (lifecycle; callbacks run on a later turn of the event loop) ----
export const virConnectDomainEventRegisterAny = sync('virConnectDomainEventRegisterAny', events.virConnectDomainEventRegisterAny, -1);
export const virConnectDomainEventDeregisterAny = sync('virConnectDomainEventDeregisterAny', events.virConnectDomainEventDeregisterAny, -1);
export const virDomainRef = sync('virDomainRef', domain.virDomainRef, -1);
export const virDomainFree = sync('virDomainFree', domain.virDomainFree, -1);

export const virDomainCreate = blocking(domain.virDomainCreate, -1);
export const virDomainCreateWithFlags = blocking(domain.virDomainCreateWithFlags, -1);
export const virDomainCreateXML = blocking(domain.virDomainCreateXML, null);
export const virDomainCreateLinux = blocking(domain.virDomainCreateLinux, null);
export const virDomainSave = blocking(domain.virDomainSave, -1);
export const virDomainSaveFlags = blocking(domain.virDomainSaveFlags, -1);
export const virDomainRestore = blocking(domain.virDomainRestore, -1);
export const virDomainRestoreFlags = blocking(domain.virDomainRestoreFlags, -1);
export const virDomainCoreDump = blocking(domain.virDomainCoreDump, -1);
export const virDomainCoreDumpWithFormat = blocking(domain.virDomainCoreDumpWithFormat, -1);

// ---- networks ----
export const virConnectListAllNetworks = sync('virConnectListAllNetworks', network.virConnectListAllNetworks, null);
export const virConnectNumOfNetworks = sync('virConnectNumOfNetworks', network.virConnectNumOfNetworks, -1);
export const virConnectListNetworks = sync('virConnectListNetworks', network.virConnectListNetworks, null);
export const virConnectNumOfDefinedNetworks = sync('virConnectNumOfDefinedNetworks', network.virConnectNumOfDefinedNetworks, -1);
export const virConnectListDefinedNetworks = sync('virConnectListDefinedNetworks', network.virConnectListDefinedNetworks, null);
export const virNetworkLookupByName = sync('virNetworkLookupByName', network.virNetworkLookupByName, null);
export const virNetworkLookupByUUIDString = sync('virNetworkLookupByUUIDString', network.virNetworkLookupByUUIDString, null);
export const virNetworkGetConnect = sync('virNetworkGetConnect', network.virNetworkGetConnect, null);
export const virNetworkGetName = sync('virNetworkGetName', network.virNetworkGetName, null);
export const virNetworkGetUUIDString = sync('virNetworkGetUUIDString', network.virNetworkGetUUIDString, null);
export const virNetworkGetXMLDesc = sync('virNetworkGetXMLDesc', network.virNetworkGetXMLDesc, null);
export const virNetworkGetBridgeName = sync('virNetworkGetBridgeName', network.virNetworkGetBridgeName, null);
export const virNetworkGetAutostart = sync('virNetworkGetAutostart', network.virNetworkGetAutostart, null);
export const virNetworkSetAutostart = sync('virNetworkSetAutostart', network.virNetworkSetAutostart, -1);
export const virNetworkIsActive = predicate('virNetworkIsActive', network.virNetworkIsActive);
export const virNetworkIsPersistent = predicate('virNetworkIsPersistent', network.virNetworkIsPersistent);
export const virNetworkDefineXML = sync('virNetworkDefineXML', network.virNetworkDefineXML, null);
export const virNetworkDefineXMLFlags = sync('virNetworkDefineXMLFlags', network.virNetworkDefineXMLFlags, null);
export const virNetworkUndefine = sync('virNetworkUndefine', network.virNetworkUndefine, -1);
export const virNetworkDestroy = sync('virNetworkDestroy', network.virNetworkDestroy, -1);
export const virNetworkCreateJob = sync('virNetworkCreateJob', network.virNetworkCreateJob, null);
export const virNetworkCreate = blocking(network.virNetworkCreate, -1);
export const virNetworkCreateXMLJob = sync('virNetworkCreateXMLJob', network.virNetworkCreateXMLJob, null);
export const virNetworkCreateXML = blocking(network.virNetworkCreateXML, null);
export const virNetworkCreateXMLFlags = blocking(network.virNetworkCreateXMLFlags, null);
export const virNetworkRef = sync('virNetworkRef', network.virNetworkRef, -1);
export const virNetworkFree = sync('virNetworkFree', network.virNetworkFree, -1);

// ---- storage pools and volumes ----
export const virConnectListAllStoragePools = sync('virConnectListAllStoragePools', storage.virConnectListAllStoragePools, null);
export const virConnectNumOfStoragePools = sync('virConnectNumOfStoragePools', storage.virConnectNumOfStoragePools, -1);
export const virConnectListStoragePools = sync('virConnectListStoragePools', storage.virConnectListStoragePools, null);
export const virConnectNumOfDefinedStoragePools = sync('virConnectNumOfDefinedStoragePools', storage.virConnectNumOfDefinedStoragePools, -1);
export const virConnectListDefinedStoragePools = sync('virConnectListDefinedStoragePools', storage.virConnectListDefinedStoragePools, null);
export const virStoragePoolLookupByName = sync('virStoragePoolLookupByName', storage.virStoragePoolLookupByName, null);
export const virStoragePoolLookupByUUIDString = sync('virStoragePoolLookupByUUIDString', storage.virStoragePoolLookupByUUIDString, null);
export const virStoragePoolLookupByVolume = sync('virStoragePoolLookupByVolume', storage.virStoragePoolLookupByVolume, null);
export const virStoragePoolGetConnect = sync('virStoragePoolGetConnect', storage.virStoragePoolGetConnect, null);
export const virStoragePoolGetName = sync('virStoragePoolGetName', storage.virStoragePoolGetName, null);
export const virStoragePoolGetUUIDString = sync('virStoragePoolGetUUIDString', storage.virStoragePoolGetUUIDString, null);
export const virStoragePoolGetInfo = sync('virStoragePoolGetInfo', storage.virStoragePoolGetInfo, null);
export const virStoragePoolGetXMLDesc = sync('virStoragePoolGetXMLDesc', storage.virStoragePoolGetXMLDesc, null);
export const virStoragePoolGetAutostart = sync('virStoragePoolGetAutostart', storage.virStoragePoolGetAutostart, null);
export const virStoragePoolSetAutostart = sync('virStoragePoolSetAutostart', storage.virStoragePoolSetAutostart, -1);
export const virStoragePoolIsActive = predicate('virStoragePoolIsActive', storage.virStoragePoolIsActive);
export const virStoragePoolIsPersistent = predicate('virStoragePoolIsPersistent', storage.virStoragePoolIsPersistent);
export const virStoragePoolDefineXML = sync('virStoragePoolDefineXML', storage.virStoragePoolDefineXML, null);
export const virStoragePoolCreateXML = sync('virStoragePoolCreateXML', storage.virStoragePoolCreateXML, null);
export const virStoragePoolBuild = sync('virStoragePoolBuild', storage.virStoragePoolBuild, -1);
export const virStoragePoolCreate = sync('virStoragePoolCreate', storage.virStoragePoolCreate, -1);
export const virStoragePoolDelete = sync('virStoragePoolDelete', storage.virStoragePoolDelete, -1);
export const virStoragePoolRefresh = sync('virStoragePoolRefresh', storage.virStoragePoolRefresh, -1);
export const virStoragePoolDestroy = sync('virStoragePoolDestroy', storage.virStoragePoolDestroy, -1);
export const virStoragePoolUndefine = sync('virStoragePoolUndefine', storage.virStoragePoolUndefine, -1);
export const virStoragePoolListAllVolumes = sync('virStoragePoolListAllVolumes', storage.virStoragePoolListAllVolumes, null);
export const virStoragePoolNumOfVolumes = sync('virStoragePoolNumOfVolumes', storage.virStoragePoolNumOfVolumes, -1);
export const virStoragePoolListVolumes = sync('virStoragePoolListVolumes', storage.virStoragePoolListVolumes, null);
export const virStoragePoolRef = sync('virStoragePoolRef', storage.virStoragePoolRef, -1);
export const virStoragePoolFree = sync('virStoragePoolFree', storage.virStoragePoolFree, -1);
export const virStorageVolLookupByName = sync('virStorageVolLookupByName', storage.virStorageVolLookupByName, null);
export const virStorageVolLookupByKey = sync('virStorageVolLookupByKey', storage.virStorageVolLookupByKey, null);
export const virStorageVolLookupByPath = sync('virStorageVolLookupByPath', storage.virStorageVolLookupByPath, null);
export const virStorageVolGetConnect = sync('virStorageVolGetConnect', storage.virStorageVolGetConnect, null);
export const virStorageVolGetName = sync('virStorageVolGetName', storage.virStorageVolGetName, null);
export const virStorageVolGetKey = sync('virStorageVolGetKey', storage.virStorageVolGetKey, null);
export const virStorageVolGetPath = sync('virStorageVolGetPath', storage.virStorageVolGetPath, null);
export const virStorageVolGetInfo = sync('virStorageVolGetInfo', storage.virStorageVolGetInfo, null);
export const virStorageVolGetXMLDesc = sync('virStorageVolGetXMLDesc', storage.virStorageVolGetXMLDesc, null);
export const virStorageVolDelete = sync('virStorageVolDelete', storage.virStorageVolDelete, -1);
export const virStorageVolResize = blocking(storage.virStorageVolResize, -1);
export const virStorageVolRef = sync('virStorageVolRef', storage.virStorageVolRef, -1);
export const virStorageVolFree = sync('virStorageVolFree', storage.virStorageVolFree, -1);
export const virStorageVolCreateXMLJob = sync('virStorageVolCreateXMLJob', storage.virStorageVolCreateXMLJob, null);
export const virStorageVolCreateXML = blocking(storage.virStorageVolCreateXML, null);
export const virStorageVolCreateXMLFromJob = sync('virStorageVolCreateXMLFromJob', storage.virStorageVolCreateXMLFromJob, null);
export const virStorageVolCreateXMLFrom = blocking(storage.virStorageVolCreateXMLFrom, null);
export const virStorageVolWipeJob = sync('virStorageVolWipeJob', storage.virStorageVolWipeJob, null);
export const virStorageVolWipe = blocking(storage.virStorageVolWipe, -1);
export const virStorageVolWipePattern = blocking(storage.virStorageVolWipePattern, -1);

// ---- streams (virStorageVolUpload / virStorageVolDownload) ----
// The data calls return Promises: virStreamSend resolves with the bytes taken, virStreamRecv with a Buffer
// of the bytes read (empty at the end of the stream), or -1 / null with the last error set.
export { VIR_STREAM_NONBLOCK, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM } from './api/stream.js';
export const virStreamNew = sync('virStreamNew', stream.virStreamNew, null);
export const virStreamRef = sync('virStreamRef', stream.virStreamRef, -1);
export const virStreamFree = sync('virStreamFree', stream.virStreamFree, -1);
export const virStreamSend = blocking(stream.virStreamSend, -1);
export const virStreamRecv = blocking(stream.virStreamRecv, null);
export const virStreamFinish = blocking(stream.virStreamFinish, -1);
export const virStreamAbort = blocking(stream.virStreamAbort, -1);
export const virStreamSendHole = blocking(stream.virStreamSendHole, -1);
export const virStreamInData = blocking(stream.virStreamInData, null);
export const virStorageVolUpload = blocking(stream.virStorageVolUpload, -1);
export const virStorageVolDownload = blocking(stream.virStorageVolDownload, -1);

// ---- jobs ----
export const virDomainCreateJob = sync('virDomainCreateJob', domain.virDomainCreateJob, null);
export const virDomainCreateXMLJob = sync('virDomainCreateXMLJob', domain.virDomainCreateXMLJob, null);
export const virDomainCreateLinuxJob = sync('virDomainCreateLinuxJob', domain.virDomainCreateLinuxJob, null);
export const virDomainSaveJob = sync('virDomainSaveJob', domain.virDomainSaveJob, null);
export const virDomainRestoreJob = sync('virDomainRestoreJob', domain.virDomainRestoreJob, null);
export const virDomainCoreDumpJob = sync('virDomainCoreDumpJob', domain.virDomainCoreDumpJob, null);
export const virJobGetInfo = sync('virJobGetInfo', job.virJobGetInfo, null);
export const virJobCancel = sync('virJobCancel', job.virJobCancel, -1);
export const virJobGetError = sync('virJobGetError', job.virJobGetError, null);
export const virJobGetOperation = sync('virJobGetOperation', job.virJobGetOperation, null);
export const virJobRef = sync('virJobRef', job.virJobRef, -1);
export const virJobFree = sync('virJobFree', job.virJobFree, -1);
export const virJobGetConnect = sync('virJobGetConnect', job.virJobGetConnect, null);
export const virJobGetDomain = sync('virJobGetDomain', job.virJobGetDomain, null);
export const virJobGetNetwork = sync('virJobGetNetwork', job.virJobGetNetwork, null);
export const virJobGetStorageVol = sync('virJobGetStorageVol', job.virJobGetStorageVol, null);
export const virJobGetID = sync('virJobGetID', job.virJobGetID, -1);
export const virJobLookupByID = sync('virJobLookupByID', job.virJobLookupByID, null);
export const virConnectListAllJobs = sync('virConnectListAllJobs', job.virConnectListAllJobs, null);
export const virJobWait = blocking(job.virJobWait, -1);
