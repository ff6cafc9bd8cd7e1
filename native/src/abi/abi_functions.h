/*
 * abi_functions.h: the operations the C ABI dispatches to the TypeScript drivers, one per public function
 * that needs them, in header order, plus the bridge's own.
 *
 * The bridge (src/ffi/dispatch.ts) looks each one up by name when it starts and refuses to start if one has
 * no handler; the tests check this list against native/exports.generated.txt, which gen-abi.mjs derives
 * from the headers.  The functions missing here never need the drivers: the error functions of
 * virterror.h, virInitialize() and the virConnectAuthPtrDefault variable.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_FUNCTIONS_H
#define TSVIRT_ABI_FUNCTIONS_H

#define ABI_FUNCTIONS(X) \
    /* libvirt-host.h */ \
    X(virGetVersion) \
    X(virConnectOpen) \
    X(virConnectOpenReadOnly) \
    X(virConnectOpenAuth) \
    X(virConnectRef) \
    X(virConnectClose) \
    X(virConnectGetType) \
    X(virConnectGetVersion) \
    X(virConnectGetLibVersion) \
    X(virConnectGetHostname) \
    X(virConnectGetURI) \
    X(virConnectGetMaxVcpus) \
    X(virNodeGetInfo) \
    X(virConnectGetCapabilities) \
    X(virNodeGetSecurityModel) \
    X(virConnectIsEncrypted) \
    X(virConnectIsSecure) \
    X(virConnectIsAlive) \
    /* libvirt-domain.h */ \
    X(virConnectListDomains) \
    X(virConnectNumOfDomains) \
    X(virDomainGetConnect) \
    X(virDomainCreateXML) \
    X(virDomainLookupByName) \
    X(virDomainLookupByID) \
    X(virDomainLookupByUUID) \
    X(virDomainLookupByUUIDString) \
    X(virDomainShutdown) \
    X(virDomainShutdownFlags) \
    X(virDomainReboot) \
    X(virDomainDestroy) \
    X(virDomainDestroyFlags) \
    X(virDomainRef) \
    X(virDomainFree) \
    X(virDomainSuspend) \
    X(virDomainResume) \
    X(virDomainSave) \
    X(virDomainSaveFlags) \
    X(virDomainRestore) \
    X(virDomainRestoreFlags) \
    X(virDomainHasManagedSaveImage) \
    X(virDomainCoreDump) \
    X(virDomainCoreDumpWithFormat) \
    X(virDomainGetInfo) \
    X(virDomainGetState) \
    X(virDomainGetName) \
    X(virDomainGetID) \
    X(virDomainGetUUID) \
    X(virDomainGetUUIDString) \
    X(virDomainGetOSType) \
    X(virDomainGetMaxMemory) \
    X(virDomainGetSecurityLabel) \
    X(virDomainGetXMLDesc) \
    X(virDomainDefineXML) \
    X(virDomainDefineXMLFlags) \
    X(virDomainUndefine) \
    X(virDomainUndefineFlags) \
    X(virConnectNumOfDefinedDomains) \
    X(virConnectListDefinedDomains) \
    X(virConnectListAllDomains) \
    X(virDomainCreate) \
    X(virDomainCreateWithFlags) \
    X(virDomainGetAutostart) \
    X(virDomainCreateLinux) \
    X(virDomainIsActive) \
    X(virDomainIsPersistent) \
    X(virDomainGetJobInfo) \
    X(virDomainAbortJob) \
    /* libvirt-network.h */ \
    X(virNetworkGetConnect) \
    X(virConnectNumOfNetworks) \
    X(virConnectListNetworks) \
    X(virConnectNumOfDefinedNetworks) \
    X(virConnectListDefinedNetworks) \
    X(virConnectListAllNetworks) \
    X(virNetworkLookupByName) \
    X(virNetworkLookupByUUID) \
    X(virNetworkLookupByUUIDString) \
    X(virNetworkCreateXML) \
    X(virNetworkDefineXML) \
    X(virNetworkUndefine) \
    X(virNetworkCreate) \
    X(virNetworkDestroy) \
    X(virNetworkRef) \
    X(virNetworkFree) \
    X(virNetworkGetName) \
    X(virNetworkGetUUID) \
    X(virNetworkGetUUIDString) \
    X(virNetworkGetXMLDesc) \
    X(virNetworkGetBridgeName) \
    X(virNetworkGetAutostart) \
    X(virNetworkSetAutostart) \
    X(virNetworkIsActive) \
    X(virNetworkIsPersistent) \
    /* libvirt-storage.h */ \
    X(virStoragePoolGetConnect) \
    X(virConnectNumOfStoragePools) \
    X(virConnectListStoragePools) \
    X(virConnectNumOfDefinedStoragePools) \
    X(virConnectListDefinedStoragePools) \
    X(virConnectListAllStoragePools) \
    X(virStoragePoolLookupByName) \
    X(virStoragePoolLookupByUUID) \
    X(virStoragePoolLookupByUUIDString) \
    X(virStoragePoolLookupByVolume) \
    X(virStoragePoolCreateXML) \
    X(virStoragePoolDefineXML) \
    X(virStoragePoolBuild) \
    X(virStoragePoolUndefine) \
    X(virStoragePoolCreate) \
    X(virStoragePoolDestroy) \
    X(virStoragePoolDelete) \
    X(virStoragePoolRef) \
    X(virStoragePoolFree) \
    X(virStoragePoolRefresh) \
    X(virStoragePoolGetName) \
    X(virStoragePoolGetUUID) \
    X(virStoragePoolGetUUIDString) \
    X(virStoragePoolGetInfo) \
    X(virStoragePoolGetXMLDesc) \
    X(virStoragePoolGetAutostart) \
    X(virStoragePoolNumOfVolumes) \
    X(virStoragePoolListVolumes) \
    X(virStoragePoolListAllVolumes) \
    X(virStorageVolGetConnect) \
    X(virStorageVolLookupByName) \
    X(virStorageVolLookupByKey) \
    X(virStorageVolLookupByPath) \
    X(virStorageVolGetName) \
    X(virStorageVolGetKey) \
    X(virStorageVolCreateXML) \
    X(virStorageVolCreateXMLFrom) \
    X(virStorageVolDelete) \
    X(virStorageVolWipe) \
    X(virStorageVolWipePattern) \
    X(virStorageVolRef) \
    X(virStorageVolFree) \
    X(virStorageVolGetInfo) \
    X(virStorageVolGetXMLDesc) \
    X(virStorageVolGetPath) \
    X(virStorageVolResize) \
    X(virStoragePoolIsActive) \
    X(virStoragePoolIsPersistent) \
    /* libvirt-job.h */ \
    X(virDomainCreateXMLJob) \
    X(virDomainCreateLinuxJob) \
    X(virDomainCreateJob) \
    X(virDomainSaveJob) \
    X(virDomainRestoreJob) \
    X(virDomainCoreDumpJob) \
    X(virNetworkCreateJob) \
    X(virNetworkCreateXMLJob) \
    X(virStorageVolCreateXMLJob) \
    X(virStorageVolCreateXMLFromJob) \
    X(virStorageVolWipeJob) \
    X(virJobGetInfo) \
    X(virJobCancel) \
    X(virJobGetError) \
    X(virJobGetOperation) \
    X(virJobRef) \
    X(virJobFree) \
    X(virJobGetConnect) \
    X(virJobGetDomain) \
    X(virJobGetNetwork) \
    X(virJobGetStorageVol) \
    X(virConnectListAllJobs) \
    X(virJobWait) \
    X(virJobSetCallback) \
    /* bridge operations that are not public functions */ \
    X(abiJobCallbackDone)

#define ABI_FN_ENUM(name) ABI_FN_##name,
typedef enum abi_fn {
    ABI_FUNCTIONS(ABI_FN_ENUM)
    ABI_FN_COUNT
} abi_fn;
#undef ABI_FN_ENUM

#endif /* TSVIRT_ABI_FUNCTIONS_H */
