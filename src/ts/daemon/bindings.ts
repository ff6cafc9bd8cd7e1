// Which public entry point (src/ts/api) answers each REMOTE procedure. The arguments are the procedure's
// `_args` fields in order and its `_ret` is filled from the result, both converted by wire-values.ts from
// the generated codecs' shapes: a binding names only the entry point, and the few exceptions say why.
import * as connect from '../api/connect.js';
import * as domain from '../api/domain.js';
import * as network from '../api/network.js';
import * as storage from '../api/storage.js';
import type { VirConnect, VirDomain } from '../core/handles.js';

type EntryPoint = (...args: any[]) => unknown;

export interface Binding {
  readonly entry: EntryPoint;
  /** The entry point takes the connection first (else the call's first argument is an object handle). */
  readonly onConnection: boolean;
  /** Turns the entry point's result into what the `_ret` struct is filled from, when it is not the result itself. */
  readonly result?: (result: any, args: any[], conn: VirConnect) => unknown;
}

const onConn = (entry: EntryPoint, result?: Binding['result']): Binding => ({ entry, onConnection: true, result });
const onHandle = (entry: EntryPoint, result?: Binding['result']): Binding => ({ entry, onConnection: false, result });

/** Keyed by the procedure name without REMOTE_PROC_. */
export const BINDINGS: Readonly<Record<string, Binding>> = {
  // connection and host
  CONNECT_GET_TYPE: onConn(connect.virConnectGetType),
  CONNECT_GET_VERSION: onConn(connect.virConnectGetVersion),
  CONNECT_GET_LIB_VERSION: onConn(connect.virConnectGetLibVersion),
  CONNECT_GET_HOSTNAME: onConn(connect.virConnectGetHostname),
  CONNECT_GET_URI: onConn(connect.virConnectGetURI),
  CONNECT_GET_CAPABILITIES: onConn(connect.virConnectGetCapabilities),
  CONNECT_GET_MAX_VCPUS: onConn(connect.virConnectGetMaxVcpus),
  CONNECT_IS_SECURE: onConn(connect.virConnectIsSecure),
  NODE_GET_INFO: onConn(connect.virNodeGetInfo),
  NODE_GET_SECURITY_MODEL: onConn(connect.virNodeGetSecurityModel),

  // domains
  CONNECT_LIST_ALL_DOMAINS: onConn(domain.virConnectListAllDomains),
  CONNECT_NUM_OF_DOMAINS: onConn(domain.virConnectNumOfDomains),
  CONNECT_LIST_DOMAINS: onConn(domain.virConnectListDomains),
  CONNECT_NUM_OF_DEFINED_DOMAINS: onConn(domain.virConnectNumOfDefinedDomains),
  CONNECT_LIST_DEFINED_DOMAINS: onConn(domain.virConnectListDefinedDomains),
  DOMAIN_LOOKUP_BY_NAME: onConn(domain.virDomainLookupByName),
  DOMAIN_LOOKUP_BY_ID: onConn(domain.virDomainLookupByID),
  DOMAIN_LOOKUP_BY_UUID: onConn(domain.virDomainLookupByUUIDString),
  DOMAIN_GET_INFO: onHandle(domain.virDomainGetInfo),
  DOMAIN_GET_STATE: onHandle(domain.virDomainGetState),
  DOMAIN_GET_XML_DESC: onHandle(domain.virDomainGetXMLDesc),
  DOMAIN_GET_OS_TYPE: onHandle(domain.virDomainGetOSType),
  DOMAIN_GET_MAX_MEMORY: onHandle(domain.virDomainGetMaxMemory),
  DOMAIN_GET_AUTOSTART: onHandle(domain.virDomainGetAutostart),
  DOMAIN_IS_ACTIVE: onHandle(domain.virDomainIsActive),
  DOMAIN_IS_PERSISTENT: onHandle(domain.virDomainIsPersistent),
  DOMAIN_HAS_MANAGED_SAVE_IMAGE: onHandle(domain.virDomainHasManagedSaveImage),
  DOMAIN_GET_SECURITY_LABEL: onHandle(domain.virDomainGetSecurityLabel),
  DOMAIN_DEFINE_XML: onConn(domain.virDomainDefineXML),
  DOMAIN_DEFINE_XML_FLAGS: onConn(domain.virDomainDefineXMLFlags),
  DOMAIN_UNDEFINE: onHandle(domain.virDomainUndefine),
  DOMAIN_UNDEFINE_FLAGS: onHandle(domain.virDomainUndefineFlags),
  DOMAIN_DESTROY: onHandle(domain.virDomainDestroy),
  DOMAIN_DESTROY_FLAGS: onHandle(domain.virDomainDestroyFlags),
  DOMAIN_SHUTDOWN: onHandle(domain.virDomainShutdown),
  DOMAIN_SHUTDOWN_FLAGS: onHandle(domain.virDomainShutdownFlags),
  DOMAIN_REBOOT: onHandle(domain.virDomainReboot),
  DOMAIN_SUSPEND: onHandle(domain.virDomainSuspend),
  DOMAIN_RESUME: onHandle(domain.virDomainResume),
  DOMAIN_CREATE: onHandle(domain.virDomainCreate),
  // The reply carries the started domain, whose id the handle sent in the call did not have yet.
  DOMAIN_CREATE_WITH_FLAGS: onHandle(domain.virDomainCreateWithFlags, (_r, [dom]: VirDomain[], conn) =>
    domain.virDomainLookupByUUIDString(conn, dom.uuid)),
  DOMAIN_CREATE_XML: onConn(domain.virDomainCreateXML),
  DOMAIN_SAVE: onHandle(domain.virDomainSave),
  DOMAIN_SAVE_FLAGS: onHandle(domain.virDomainSaveFlags),
  DOMAIN_RESTORE: onConn(domain.virDomainRestore),
  DOMAIN_RESTORE_FLAGS: onConn(domain.virDomainRestoreFlags),
  DOMAIN_CORE_DUMP: onHandle(domain.virDomainCoreDump),
  DOMAIN_CORE_DUMP_WITH_FORMAT: onHandle(domain.virDomainCoreDumpWithFormat),
  DOMAIN_GET_JOB_INFO: onHandle(domain.virDomainGetJobInfo),
  DOMAIN_ABORT_JOB: onHandle(domain.virDomainAbortJob),

  // networks
  CONNECT_LIST_ALL_NETWORKS: onConn(network.virConnectListAllNetworks),
  CONNECT_NUM_OF_NETWORKS: onConn(network.virConnectNumOfNetworks),
  CONNECT_LIST_NETWORKS: onConn(network.virConnectListNetworks),
  CONNECT_NUM_OF_DEFINED_NETWORKS: onConn(network.virConnectNumOfDefinedNetworks),
  CONNECT_LIST_DEFINED_NETWORKS: onConn(network.virConnectListDefinedNetworks),
  NETWORK_LOOKUP_BY_NAME: onConn(network.virNetworkLookupByName),
  NETWORK_LOOKUP_BY_UUID: onConn(network.virNetworkLookupByUUIDString),
  NETWORK_GET_XML_DESC: onHandle(network.virNetworkGetXMLDesc),
  NETWORK_GET_BRIDGE_NAME: onHandle(network.virNetworkGetBridgeName),
  NETWORK_GET_AUTOSTART: onHandle(network.virNetworkGetAutostart),
  NETWORK_SET_AUTOSTART: onHandle(network.virNetworkSetAutostart),
  NETWORK_IS_ACTIVE: onHandle(network.virNetworkIsActive),
  NETWORK_IS_PERSISTENT: onHandle(network.virNetworkIsPersistent),
  NETWORK_DEFINE_XML: onConn(network.virNetworkDefineXML),
  NETWORK_DEFINE_XML_FLAGS: onConn(network.virNetworkDefineXMLFlags),
  NETWORK_UNDEFINE: onHandle(network.virNetworkUndefine),
  NETWORK_DESTROY: onHandle(network.virNetworkDestroy),
  NETWORK_CREATE: onHandle(network.virNetworkCreate),
  NETWORK_CREATE_XML: onConn(network.virNetworkCreateXML),
  NETWORK_CREATE_XML_FLAGS: onConn(network.virNetworkCreateXMLFlags),

  // storage
  CONNECT_LIST_ALL_STORAGE_POOLS: onConn(storage.virConnectListAllStoragePools),
  CONNECT_NUM_OF_STORAGE_POOLS: onConn(storage.virConnectNumOfStoragePools),
  CONNECT_LIST_STORAGE_POOLS: onConn(storage.virConnectListStoragePools),
  CONNECT_NUM_OF_DEFINED_STORAGE_POOLS: onConn(storage.virConnectNumOfDefinedStoragePools),
  CONNECT_LIST_DEFINED_STORAGE_POOLS: onConn(storage.virConnectListDefinedStoragePools),
  STORAGE_POOL_LOOKUP_BY_NAME: onConn(storage.virStoragePoolLookupByName),
  STORAGE_POOL_LOOKUP_BY_UUID: onConn(storage.virStoragePoolLookupByUUIDString),
  STORAGE_POOL_LOOKUP_BY_VOLUME: onHandle(storage.virStoragePoolLookupByVolume),
  STORAGE_POOL_GET_INFO: onHandle(storage.virStoragePoolGetInfo),
  STORAGE_POOL_GET_XML_DESC: onHandle(storage.virStoragePoolGetXMLDesc),
  STORAGE_POOL_GET_AUTOSTART: onHandle(storage.virStoragePoolGetAutostart),
  STORAGE_POOL_SET_AUTOSTART: onHandle(storage.virStoragePoolSetAutostart),
  STORAGE_POOL_IS_ACTIVE: onHandle(storage.virStoragePoolIsActive),
  STORAGE_POOL_IS_PERSISTENT: onHandle(storage.virStoragePoolIsPersistent),
  STORAGE_POOL_DEFINE_XML: onConn(storage.virStoragePoolDefineXML),
  STORAGE_POOL_CREATE_XML: onConn(storage.virStoragePoolCreateXML),
  STORAGE_POOL_BUILD: onHandle(storage.virStoragePoolBuild),
  STORAGE_POOL_CREATE: onHandle(storage.virStoragePoolCreate),
  STORAGE_POOL_DELETE: onHandle(storage.virStoragePoolDelete),
  STORAGE_POOL_REFRESH: onHandle(storage.virStoragePoolRefresh),
  STORAGE_POOL_DESTROY: onHandle(storage.virStoragePoolDestroy),
  STORAGE_POOL_UNDEFINE: onHandle(storage.virStoragePoolUndefine),
  STORAGE_POOL_LIST_ALL_VOLUMES: onHandle(storage.virStoragePoolListAllVolumes),
  STORAGE_POOL_NUM_OF_VOLUMES: onHandle(storage.virStoragePoolNumOfVolumes),
  STORAGE_POOL_LIST_VOLUMES: onHandle(storage.virStoragePoolListVolumes),
  STORAGE_VOL_LOOKUP_BY_NAME: onHandle(storage.virStorageVolLookupByName),
  STORAGE_VOL_LOOKUP_BY_KEY: onConn(storage.virStorageVolLookupByKey),
  STORAGE_VOL_LOOKUP_BY_PATH: onConn(storage.virStorageVolLookupByPath),
  STORAGE_VOL_GET_PATH: onHandle(storage.virStorageVolGetPath),
  STORAGE_VOL_GET_INFO: onHandle(storage.virStorageVolGetInfo),
  STORAGE_VOL_GET_XML_DESC: onHandle(storage.virStorageVolGetXMLDesc),
  STORAGE_VOL_DELETE: onHandle(storage.virStorageVolDelete),
  STORAGE_VOL_RESIZE: onHandle(storage.virStorageVolResize),
  STORAGE_VOL_CREATE_XML: onHandle(storage.virStorageVolCreateXML),
  STORAGE_VOL_CREATE_XML_FROM: onHandle(storage.virStorageVolCreateXMLFrom),
  STORAGE_VOL_WIPE: onHandle(storage.virStorageVolWipe),
  STORAGE_VOL_WIPE_PATTERN: onHandle(storage.virStorageVolWipePattern),
};
