/*
 * libvirt-storage.h: storage pools and the volumes they hold.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_STORAGE_H
# define LIBVIRT_STORAGE_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* A storage pool known to a connection (opaque, reference counted). */
typedef struct _virStoragePool virStoragePool;
typedef virStoragePool *virStoragePoolPtr;

/* The state of a storage pool. */
typedef enum {
    VIR_STORAGE_POOL_INACTIVE = 0,      /* not active */
    VIR_STORAGE_POOL_BUILDING = 1,      /* being initialized */
    VIR_STORAGE_POOL_RUNNING = 2,       /* active and usable */
    VIR_STORAGE_POOL_DEGRADED = 3,      /* active, with reduced performance */
    VIR_STORAGE_POOL_INACCESSIBLE = 4,  /* active but unreachable */

# ifdef VIR_ENUM_SENTINELS
    VIR_STORAGE_POOL_STATE_LAST
# endif
} virStoragePoolState;

/* Flags for virStoragePoolBuild(). */
typedef enum {
    VIR_STORAGE_POOL_BUILD_NEW = 0,                     /* build a new pool */
    VIR_STORAGE_POOL_BUILD_REPAIR = (1 << 0),           /* repair an existing one */
    VIR_STORAGE_POOL_BUILD_RESIZE = (1 << 1),           /* grow an existing one */
    VIR_STORAGE_POOL_BUILD_NO_OVERWRITE = (1 << 2),     /* refuse to overwrite data */
    VIR_STORAGE_POOL_BUILD_OVERWRITE = (1 << 3),        /* overwrite whatever is there */
} virStoragePoolBuildFlags;

/* Flags for virStoragePoolDelete(). */
typedef enum {
    VIR_STORAGE_POOL_DELETE_NORMAL = 0,         /* remove the pool's storage */
    VIR_STORAGE_POOL_DELETE_ZEROED = 1 << 0,    /* and clear it with zeroes */
} virStoragePoolDeleteFlags;

/* Flags for virStoragePoolCreate() and virStoragePoolCreateXML(). */
typedef enum {
    VIR_STORAGE_POOL_CREATE_NORMAL = 0,
    VIR_STORAGE_POOL_CREATE_WITH_BUILD = 1 << 0,                /* build it first */
    VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE = 1 << 1,      /* build, overwriting */
    VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 1 << 2,   /* build, never overwriting */
} virStoragePoolCreateFlags;

/* A pool's state and space, as filled in by virStoragePoolGetInfo(). */
typedef struct _virStoragePoolInfo virStoragePoolInfo;
struct _virStoragePoolInfo {
    int state;                      /* a virStoragePoolState */
    unsigned long long capacity;    /* logical size, bytes */
    unsigned long long allocation;  /* bytes allocated to volumes */
    unsigned long long available;   /* bytes free for new volumes */
};
typedef virStoragePoolInfo *virStoragePoolInfoPtr;

/* A volume in a storage pool (opaque, reference counted). */
typedef struct _virStorageVol virStorageVol;
typedef virStorageVol *virStorageVolPtr;

/* What backs a storage volume. */
typedef enum {
    VIR_STORAGE_VOL_FILE = 0,       /* a regular file */
    VIR_STORAGE_VOL_BLOCK = 1,      /* a block device */
    VIR_STORAGE_VOL_DIR = 2,        /* a directory */
    VIR_STORAGE_VOL_NETWORK = 3,    /* a network volume */
    VIR_STORAGE_VOL_NETDIR = 4,     /* a network directory */
    VIR_STORAGE_VOL_PLOOP = 5,      /* a ploop based volume */

# ifdef VIR_ENUM_SENTINELS
    VIR_STORAGE_VOL_LAST
# endif
} virStorageVolType;

/* Flags for virStorageVolDelete(). */
typedef enum {
    VIR_STORAGE_VOL_DELETE_NORMAL = 0,              /* remove the volume */
    VIR_STORAGE_VOL_DELETE_ZEROED = 1 << 0,         /* clear it with zeroes first */
    VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 1 << 1, /* also remove its snapshots */
} virStorageVolDeleteFlags;

/* Overwrite patterns for virStorageVolWipePattern(). */
typedef enum {
    VIR_STORAGE_VOL_WIPE_ALG_ZERO = 0,          /* one pass of zeroes */
    VIR_STORAGE_VOL_WIPE_ALG_NNSA = 1,          /* NNSA NAP Policy Letter NAP-14.1-C, 4 passes */
    VIR_STORAGE_VOL_WIPE_ALG_DOD = 2,           /* DoD 5220.22-M, 4 passes */
    VIR_STORAGE_VOL_WIPE_ALG_BSI = 3,           /* German BSI, 9 passes */
    VIR_STORAGE_VOL_WIPE_ALG_GUTMANN = 4,       /* Peter Gutmann's method, 35 passes */
    VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER = 5,      /* Bruce Schneier's method, 7 passes */
    VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7 = 6,     /* Roy Pfitzner's method, 7 random passes */
    VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33 = 7,    /* Roy Pfitzner's method, 33 random passes */
    VIR_STORAGE_VOL_WIPE_ALG_RANDOM = 8,        /* one pass of random data */
    VIR_STORAGE_VOL_WIPE_ALG_TRIM = 9,          /* discard the blocks */

# ifdef VIR_ENUM_SENTINELS
    VIR_STORAGE_VOL_WIPE_ALG_LAST
# endif
} virStorageVolWipeAlgorithm;

/* A volume's type and size, as filled in by virStorageVolGetInfo(). */
typedef struct _virStorageVolInfo virStorageVolInfo;
struct _virStorageVolInfo {
    int type;                       /* a virStorageVolType */
    unsigned long long capacity;    /* logical size, bytes */
    unsigned long long allocation;  /* bytes actually allocated */
};
typedef virStorageVolInfo *virStorageVolInfoPtr;

/* Flags for virStoragePoolGetXMLDesc(). */
typedef enum {
    VIR_STORAGE_XML_INACTIVE = (1 << 0),    /* the persistent, not the live, definition */
} virStorageXMLFlags;

/* Returns the connection pool belongs to, without adding a reference, or
 * NULL on error. */
virConnectPtr virStoragePoolGetConnect(virStoragePoolPtr pool);

/* Returns the number of active pools, or -1 on error. */
int virConnectNumOfStoragePools(virConnectPtr conn);

/* Stores the names of up to maxnames active pools in names (caller frees
 * each).  Returns how many it stored, or -1 on error. */
int virConnectListStoragePools(virConnectPtr conn,
                               char **const names,
                               int maxnames);

/* Returns the number of defined, inactive pools, or -1 on error. */
int virConnectNumOfDefinedStoragePools(virConnectPtr conn);

/* Stores the names of up to maxnames defined, inactive pools in names
 * (caller frees each).  Returns how many it stored, or -1 on error. */
int virConnectListDefinedStoragePools(virConnectPtr conn,
                                      char **const names,
                                      int maxnames);

/* Filters for virConnectListAllStoragePools(): within each pair, setting
 * neither or both flags selects all pools; the pool-type flags select pools
 * of any of the types given. */
typedef enum {
    VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE = 1 << 0,
    VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE = 1 << 1,

    VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT = 1 << 2,
    VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT = 1 << 3,

    VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART = 1 << 4,
    VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART = 1 << 5,

    VIR_CONNECT_LIST_STORAGE_POOLS_DIR = 1 << 6,
    VIR_CONNECT_LIST_STORAGE_POOLS_FS = 1 << 7,
    VIR_CONNECT_LIST_STORAGE_POOLS_NETFS = 1 << 8,
    VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL = 1 << 9,
    VIR_CONNECT_LIST_STORAGE_POOLS_DISK = 1 << 10,
    VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI = 1 << 11,
    VIR_CONNECT_LIST_STORAGE_POOLS_SCSI = 1 << 12,
    VIR_CONNECT_LIST_STORAGE_POOLS_MPATH = 1 << 13,
    VIR_CONNECT_LIST_STORAGE_POOLS_RBD = 1 << 14,
    VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG = 1 << 15,
    VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER = 1 << 16,
    VIR_CONNECT_LIST_STORAGE_POOLS_ZFS = 1 << 17,
    VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE = 1 << 18,
    VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT = 1 << 19,
} virConnectListAllStoragePoolsFlags;

/* Collects the pools selected by flags (virConnectListAllStoragePoolsFlags,
 * 0: all) into a new array stored in *pools (may be NULL to only count);
 * the caller frees each with virStoragePoolFree() and the array with
 * free().  Returns the number of pools, or -1 on error. */
int virConnectListAllStoragePools(virConnectPtr conn,
                                  virStoragePoolPtr **pools,
                                  unsigned int flags);

/* Returns the pool called name (release with virStoragePoolFree()), or
 * NULL on error (VIR_ERR_NO_STORAGE_POOL when there is none). */
virStoragePoolPtr virStoragePoolLookupByName(virConnectPtr conn,
                                             const char *name);

/* Returns the pool with the raw UUID uuid, or NULL on error. */
virStoragePoolPtr virStoragePoolLookupByUUID(virConnectPtr conn,
                                             const unsigned char *uuid);

/* Returns the pool with the UUID written as text in uuid, or NULL on
 * error. */
virStoragePoolPtr virStoragePoolLookupByUUIDString(virConnectPtr conn,
                                                   const char *uuid);

/* Returns the pool holding vol, or NULL on error. */
virStoragePoolPtr virStoragePoolLookupByVolume(virStorageVolPtr vol);

/* Flags for virStoragePoolDefineXML(). */
typedef enum {
    VIR_STORAGE_POOL_DEFINE_VALIDATE = 1 << 0,  /* validate the XML against the schema */
} virStoragePoolDefineFlags;

/* Creates and starts a transient pool described by xmlDesc.  flags:
 * virStoragePoolCreateFlags.  Returns the pool, or NULL on error. */
virStoragePoolPtr virStoragePoolCreateXML(virConnectPtr conn,
                                          const char *xmlDesc,
                                          unsigned int flags);

/* Defines a persistent pool from xmlDesc without starting it.  flags:
 * virStoragePoolDefineFlags.  Returns the pool, or NULL on error. */
virStoragePoolPtr virStoragePoolDefineXML(virConnectPtr conn,
                                          const char *xmlDesc,
                                          unsigned int flags);

/* Prepares the pool's underlying storage (e.g. creates its directory).
 * flags: virStoragePoolBuildFlags.  Returns 0, or -1 on error. */
int virStoragePoolBuild(virStoragePoolPtr pool,
                        unsigned int flags);

/* Removes the persistent definition of an inactive pool.  Returns 0, or -1
 * on error. */
int virStoragePoolUndefine(virStoragePoolPtr pool);

/* Starts a defined pool.  flags: virStoragePoolCreateFlags.  Returns 0, or
 * -1 on error. */
int virStoragePoolCreate(virStoragePoolPtr pool,
                         unsigned int flags);

/* Stops an active pool; its data is untouched, a transient pool
 * disappears.  Returns 0, or -1 on error. */
int virStoragePoolDestroy(virStoragePoolPtr pool);

/* Removes the underlying storage of an inactive pool.  flags:
 * virStoragePoolDeleteFlags.  Returns 0, or -1 on error. */
int virStoragePoolDelete(virStoragePoolPtr pool,
                         unsigned int flags);

/* Adds a reference to pool, to be released with virStoragePoolFree().
 * Returns 0, or -1 on error. */
int virStoragePoolRef(virStoragePoolPtr pool);

/* Releases one reference to the handle; the pool itself is untouched.
 * Returns 0, or -1 on error. */
int virStoragePoolFree(virStoragePoolPtr pool);

/* Rescans an active pool's volumes.  flags: none yet, pass 0.  Returns 0,
 * or -1 on error. */
int virStoragePoolRefresh(virStoragePoolPtr pool,
                          unsigned int flags);

/* Returns the pool's name, valid as long as the handle, or NULL on error. */
const char *virStoragePoolGetName(virStoragePoolPtr pool);

/* Copies the raw UUID (VIR_UUID_BUFLEN bytes) into uuid.  Returns 0, or -1
 * on error. */
int virStoragePoolGetUUID(virStoragePoolPtr pool,
                          unsigned char *uuid);

/* Writes the UUID as text into buf (VIR_UUID_STRING_BUFLEN bytes).
 * Returns 0, or -1 on error. */
int virStoragePoolGetUUIDString(virStoragePoolPtr pool,
                                char *buf);

/* Fills info with the pool's state and space.  Returns 0, or -1 on error. */
int virStoragePoolGetInfo(virStoragePoolPtr vol,
                          virStoragePoolInfoPtr info);

/* Returns the pool's XML description (caller frees), or NULL on error.
 * flags: virStorageXMLFlags. */
char *virStoragePoolGetXMLDesc(virStoragePoolPtr pool,
                               unsigned int flags);

/* Stores 1 in *autostart if the pool starts with the host, else 0.
 * Returns 0, or -1 on error. */
int virStoragePoolGetAutostart(virStoragePoolPtr pool,
                               int *autostart);

/* Returns the number of volumes in an active pool, or -1 on error. */
int virStoragePoolNumOfVolumes(virStoragePoolPtr pool);

/* Stores the names of up to maxnames volumes of the pool in names (caller
 * frees each).  Returns how many it stored, or -1 on error. */
int virStoragePoolListVolumes(virStoragePoolPtr pool,
                              char **const names,
                              int maxnames);

/* Collects the pool's volumes into a new array stored in *vols (may be NULL
 * to only count); the caller frees each with virStorageVolFree() and the
 * array with free().  flags: none yet, pass 0.  Returns the number of
 * volumes, or -1 on error. */
int virStoragePoolListAllVolumes(virStoragePoolPtr pool,
                                 virStorageVolPtr **vols,
                                 unsigned int flags);

/* Returns the connection vol belongs to, without adding a reference, or
 * NULL on error. */
virConnectPtr virStorageVolGetConnect(virStorageVolPtr vol);

/* Returns the volume called name in pool (release with
 * virStorageVolFree()), or NULL on error (VIR_ERR_NO_STORAGE_VOL when there
 * is none). */
virStorageVolPtr virStorageVolLookupByName(virStoragePoolPtr pool,
                                           const char *name);

/* Returns the volume whose key (unique on the host) is key, or NULL on
 * error. */
virStorageVolPtr virStorageVolLookupByKey(virConnectPtr conn,
                                          const char *key);

/* Returns the volume stored at path, or NULL on error. */
virStorageVolPtr virStorageVolLookupByPath(virConnectPtr conn,
                                           const char *path);

/* Returns the volume's name, valid as long as the handle, or NULL on error. */
const char *virStorageVolGetName(virStorageVolPtr vol);

/* Returns the volume's key, valid as long as the handle, or NULL on error. */
const char *virStorageVolGetKey(virStorageVolPtr vol);

/* Flags for creating a volume. */
typedef enum {
    VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA = 1 << 0, /* preallocate qcow2 metadata */
    VIR_STORAGE_VOL_CREATE_REFLINK = 1 << 1,           /* clone by reflink when possible */
    VIR_STORAGE_VOL_CREATE_VALIDATE = 1 << 2,          /* validate the XML against the schema */
} virStorageVolCreateFlags;

/* Creates a volume in pool as described by xmldesc.  Blocks until done (see
 * virStorageVolCreateXMLJob()).  flags: virStorageVolCreateFlags.  Returns
 * the volume, or NULL on error. */
virStorageVolPtr virStorageVolCreateXML(virStoragePoolPtr pool,
                                        const char *xmldesc,
                                        unsigned int flags);

/* Creates a volume in pool described by xmldesc, holding a copy of
 * clonevol's content.  Blocks until done (see
 * virStorageVolCreateXMLFromJob()).  flags: virStorageVolCreateFlags.
 * Returns the volume, or NULL on error. */
virStorageVolPtr virStorageVolCreateXMLFrom(virStoragePoolPtr pool,
                                            const char *xmldesc,
                                            virStorageVolPtr clonevol,
                                            unsigned int flags);

/* Flags for virStorageVolDownload(). */
typedef enum {
    VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM = 1 << 0,    /* carry holes as holes */
} virStorageVolDownloadFlags;

/* Attaches stream, made by virStreamNew() and not used yet, to read the
 * volume from offset, at most length bytes (0: to the end); the caller then
 * reads with virStreamRecv() or virStreamRecvAll() and ends with
 * virStreamFinish() or virStreamAbort().  Holes read as zeros.  flags:
 * virStorageVolDownloadFlags.  Returns 0, or -1 on error. */
int virStorageVolDownload(virStorageVolPtr vol,
                          virStreamPtr stream,
                          unsigned long long offset,
                          unsigned long long length,
                          unsigned int flags);

/* Flags for virStorageVolUpload(). */
typedef enum {
    VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = 1 << 0,      /* carry holes as holes */
} virStorageVolUploadFlags;

/* Attaches stream, made by virStreamNew() and not used yet, to write into
 * the volume from offset, at most length bytes (0: no limit); the caller
 * then writes with virStreamSend() or virStreamSendAll().  The volume
 * changes only when virStreamFinish() succeeds: virStreamAbort(), an error
 * or virStreamFree() of an unfinished stream leave it as it was.  flags:
 * virStorageVolUploadFlags.  Returns 0, or -1 on error. */
int virStorageVolUpload(virStorageVolPtr vol,
                        virStreamPtr stream,
                        unsigned long long offset,
                        unsigned long long length,
                        unsigned int flags);

/* Removes the volume and its data.  flags: virStorageVolDeleteFlags.
 * Returns 0, or -1 on error. */
int virStorageVolDelete(virStorageVolPtr vol,
                        unsigned int flags);

/* Overwrites the volume's data with zeroes.  flags: none yet, pass 0.
 * Returns 0, or -1 on error. */
int virStorageVolWipe(virStorageVolPtr vol,
                      unsigned int flags);

/* Overwrites the volume's data following algorithm, a
 * virStorageVolWipeAlgorithm.  Blocks until done (see
 * virStorageVolWipeJob()).  flags: none yet, pass 0.  Returns 0, or -1 on
 * error. */
int virStorageVolWipePattern(virStorageVolPtr vol,
                             unsigned int algorithm,
                             unsigned int flags);

/* Adds a reference to vol, to be released with virStorageVolFree().
 * Returns 0, or -1 on error. */
int virStorageVolRef(virStorageVolPtr vol);

/* Releases one reference to the handle; the volume itself is untouched.
 * Returns 0, or -1 on error. */
int virStorageVolFree(virStorageVolPtr vol);

/* Fills info with the volume's type and sizes.  Returns 0, or -1 on error. */
int virStorageVolGetInfo(virStorageVolPtr vol,
                         virStorageVolInfoPtr info);

/* Returns the volume's XML description (caller frees), or NULL on error.
 * flags: none yet, pass 0. */
char *virStorageVolGetXMLDesc(virStorageVolPtr pool,
                              unsigned int flags);

/* Returns the volume's path on the host (caller frees), or NULL on error. */
char *virStorageVolGetPath(virStorageVolPtr vol);

/* Flags for virStorageVolResize(). */
typedef enum {
    VIR_STORAGE_VOL_RESIZE_ALLOCATE = 1 << 0,   /* allocate the new space too */
    VIR_STORAGE_VOL_RESIZE_DELTA = 1 << 1,      /* capacity is a change, not a size */
    VIR_STORAGE_VOL_RESIZE_SHRINK = 1 << 2,     /* allow the volume to shrink */
} virStorageVolResizeFlags;

/* Changes the volume's capacity (bytes).  flags: virStorageVolResizeFlags.
 * Returns 0, or -1 on error. */
int virStorageVolResize(virStorageVolPtr vol,
                        unsigned long long capacity,
                        unsigned int flags);

/* Returns 1 if the pool is active, 0 if not, -1 on error. */
int virStoragePoolIsActive(virStoragePoolPtr pool);

/* Returns 1 if the pool has a persistent definition, 0 if it is transient,
 * -1 on error. */
int virStoragePoolIsPersistent(virStoragePoolPtr pool);

#endif /* LIBVIRT_STORAGE_H */
