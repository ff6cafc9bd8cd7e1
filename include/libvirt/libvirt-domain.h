/*
 * libvirt-domain.h: domains (guests): lookup, life cycle, save and restore.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_DOMAIN_H
# define LIBVIRT_DOMAIN_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* A domain known to a connection (opaque, reference counted). */
typedef struct _virDomain virDomain;
typedef virDomain *virDomainPtr;

/* The state of a domain. */
typedef enum {
    VIR_DOMAIN_NOSTATE = 0,     /* no state */
    VIR_DOMAIN_RUNNING = 1,     /* running */
    VIR_DOMAIN_BLOCKED = 2,     /* blocked on a resource */
    VIR_DOMAIN_PAUSED = 3,      /* paused by the user or the hypervisor */
    VIR_DOMAIN_SHUTDOWN = 4,    /* shutting down */
    VIR_DOMAIN_SHUTOFF = 5,     /* not running */
    VIR_DOMAIN_CRASHED = 6,     /* crashed */
    VIR_DOMAIN_PMSUSPENDED = 7, /* suspended by guest power management */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_LAST
# endif
} virDomainState;

/* Why a domain is in VIR_DOMAIN_NOSTATE. */
typedef enum {
    VIR_DOMAIN_NOSTATE_UNKNOWN = 0,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_NOSTATE_LAST
# endif
} virDomainNostateReason;

/* Why a domain is in VIR_DOMAIN_RUNNING. */
typedef enum {
    VIR_DOMAIN_RUNNING_UNKNOWN = 0,
    VIR_DOMAIN_RUNNING_BOOTED = 1,              /* started normally */
    VIR_DOMAIN_RUNNING_MIGRATED = 2,            /* migrated in */
    VIR_DOMAIN_RUNNING_RESTORED = 3,            /* restored from a save file */
    VIR_DOMAIN_RUNNING_FROM_SNAPSHOT = 4,       /* reverted to a snapshot */
    VIR_DOMAIN_RUNNING_UNPAUSED = 5,            /* resumed after a pause */
    VIR_DOMAIN_RUNNING_MIGRATION_CANCELED = 6,  /* migration failed or was cancelled */
    VIR_DOMAIN_RUNNING_SAVE_CANCELED = 7,       /* save failed or was cancelled */
    VIR_DOMAIN_RUNNING_WAKEUP = 8,              /* woken from power management suspend */
    VIR_DOMAIN_RUNNING_CRASHED = 9,             /* kept running after a crash */
    VIR_DOMAIN_RUNNING_POSTCOPY = 10,           /* in post-copy migration */
    VIR_DOMAIN_RUNNING_POSTCOPY_FAILED = 11,    /* post-copy migration failed */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_RUNNING_LAST
# endif
} virDomainRunningReason;

/* Why a domain is in VIR_DOMAIN_BLOCKED. */
typedef enum {
    VIR_DOMAIN_BLOCKED_UNKNOWN = 0,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCKED_LAST
# endif
} virDomainBlockedReason;

/* Why a domain is in VIR_DOMAIN_PAUSED. */
typedef enum {
    VIR_DOMAIN_PAUSED_UNKNOWN = 0,
    VIR_DOMAIN_PAUSED_USER = 1,             /* paused by the user */
    VIR_DOMAIN_PAUSED_MIGRATION = 2,        /* paused for offline migration */
    VIR_DOMAIN_PAUSED_SAVE = 3,             /* paused while being saved */
    VIR_DOMAIN_PAUSED_DUMP = 4,             /* paused while its core is dumped */
    VIR_DOMAIN_PAUSED_IOERROR = 5,          /* paused after a disk I/O error */
    VIR_DOMAIN_PAUSED_WATCHDOG = 6,         /* paused by its watchdog */
    VIR_DOMAIN_PAUSED_FROM_SNAPSHOT = 7,    /* reverted to a paused snapshot */
    VIR_DOMAIN_PAUSED_SHUTTING_DOWN = 8,    /* paused during shutdown */
    VIR_DOMAIN_PAUSED_SNAPSHOT = 9,         /* paused while a snapshot is taken */
    VIR_DOMAIN_PAUSED_CRASHED = 10,         /* paused after a crash */
    VIR_DOMAIN_PAUSED_STARTING_UP = 11,     /* paused while starting */
    VIR_DOMAIN_PAUSED_POSTCOPY = 12,        /* paused in post-copy migration */
    VIR_DOMAIN_PAUSED_POSTCOPY_FAILED = 13, /* paused after failed post-copy */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PAUSED_LAST
# endif
} virDomainPausedReason;

/* Why a domain is in VIR_DOMAIN_SHUTDOWN. */
typedef enum {
    VIR_DOMAIN_SHUTDOWN_UNKNOWN = 0,
    VIR_DOMAIN_SHUTDOWN_USER = 1,   /* the user asked it to shut down */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_SHUTDOWN_LAST
# endif
} virDomainShutdownReason;

/* Why a domain is in VIR_DOMAIN_SHUTOFF. */
typedef enum {
    VIR_DOMAIN_SHUTOFF_UNKNOWN = 0,
    VIR_DOMAIN_SHUTOFF_SHUTDOWN = 1,        /* shut down normally */
    VIR_DOMAIN_SHUTOFF_DESTROYED = 2,       /* forcibly stopped */
    VIR_DOMAIN_SHUTOFF_CRASHED = 3,         /* crashed */
    VIR_DOMAIN_SHUTOFF_MIGRATED = 4,        /* migrated away */
    VIR_DOMAIN_SHUTOFF_SAVED = 5,           /* saved to a file */
    VIR_DOMAIN_SHUTOFF_FAILED = 6,          /* failed to start */
    VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,   /* reverted to a stopped snapshot */
    VIR_DOMAIN_SHUTOFF_DAEMON = 8,          /* stopped by the daemon */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_SHUTOFF_LAST
# endif
} virDomainShutoffReason;

/* Why a domain is in VIR_DOMAIN_CRASHED. */
typedef enum {
    VIR_DOMAIN_CRASHED_UNKNOWN = 0,
    VIR_DOMAIN_CRASHED_PANICKED = 1,    /* the guest kernel panicked */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CRASHED_LAST
# endif
} virDomainCrashedReason;

/* Why a domain is in VIR_DOMAIN_PMSUSPENDED. */
typedef enum {
    VIR_DOMAIN_PMSUSPENDED_UNKNOWN = 0,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PMSUSPENDED_LAST
# endif
} virDomainPMSuspendedReason;

/* A domain's state and resources, as filled in by virDomainGetInfo(). */
typedef struct _virDomainInfo virDomainInfo;
struct _virDomainInfo {
    unsigned char state;        /* a virDomainState */
    unsigned long maxMem;       /* most memory the domain may use, KiB */
    unsigned long memory;       /* memory the domain uses now, KiB */
    unsigned short nrVirtCpu;   /* number of virtual CPUs */
    unsigned long long cpuTime; /* CPU time used, nanoseconds */
};
typedef virDomainInfo *virDomainInfoPtr;

/* Flags for starting a domain. */
typedef enum {
    VIR_DOMAIN_NONE = 0,                        /* no flag */
    VIR_DOMAIN_START_PAUSED = 1 << 0,           /* leave it paused once started */
    VIR_DOMAIN_START_AUTODESTROY = 1 << 1,      /* destroy it when the connection closes */
    VIR_DOMAIN_START_BYPASS_CACHE = 1 << 2,     /* bypass the page cache when restoring */
    VIR_DOMAIN_START_FORCE_BOOT = 1 << 3,       /* boot even if a managed save exists */
    VIR_DOMAIN_START_VALIDATE = 1 << 4,         /* validate the XML against the schema */
    VIR_DOMAIN_START_RESET_NVRAM = 1 << 5,      /* start with fresh firmware variables */
} virDomainCreateFlags;

/* Flags for virDomainCoreDump() and virDomainCoreDumpWithFormat(). */
typedef enum {
    VIR_DUMP_CRASH = (1 << 0),          /* leave the domain crashed afterwards */
    VIR_DUMP_LIVE = (1 << 1),           /* dump without pausing the domain */
    VIR_DUMP_BYPASS_CACHE = (1 << 2),   /* bypass the page cache */
    VIR_DUMP_RESET = (1 << 3),          /* reset the domain afterwards */
    VIR_DUMP_MEMORY_ONLY = (1 << 4),    /* dump guest memory only */
} virDomainCoreDumpFlags;

/* File formats of virDomainCoreDumpWithFormat(). */
typedef enum {
    VIR_DOMAIN_CORE_DUMP_FORMAT_RAW = 0,            /* plain ELF */
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB = 1,     /* kdump, zlib compressed */
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO = 2,      /* kdump, lzo compressed */
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY = 3,   /* kdump, snappy compressed */
    VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP = 4,        /* Windows full crash dump */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CORE_DUMP_FORMAT_LAST
# endif
} virDomainCoreDumpFormat;

/* Flags for virDomainShutdownFlags(): how to ask the guest (0: the driver
 * chooses). */
typedef enum {
    VIR_DOMAIN_SHUTDOWN_DEFAULT = 0,
    VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = (1 << 0),  /* press the ACPI power button */
    VIR_DOMAIN_SHUTDOWN_GUEST_AGENT = (1 << 1),     /* ask the guest agent */
    VIR_DOMAIN_SHUTDOWN_INITCTL = (1 << 2),         /* talk to the guest's init */
    VIR_DOMAIN_SHUTDOWN_SIGNAL = (1 << 3),          /* signal the guest's init */
    VIR_DOMAIN_SHUTDOWN_PARAVIRT = (1 << 4),        /* paravirtual shutdown request */
} virDomainShutdownFlagValues;

/* Flags for virDomainReboot(): how to ask the guest (0: the driver chooses). */
typedef enum {
    VIR_DOMAIN_REBOOT_DEFAULT = 0,
    VIR_DOMAIN_REBOOT_ACPI_POWER_BTN = (1 << 0),    /* press the ACPI power button */
    VIR_DOMAIN_REBOOT_GUEST_AGENT = (1 << 1),       /* ask the guest agent */
    VIR_DOMAIN_REBOOT_INITCTL = (1 << 2),           /* talk to the guest's init */
    VIR_DOMAIN_REBOOT_SIGNAL = (1 << 3),            /* signal the guest's init */
    VIR_DOMAIN_REBOOT_PARAVIRT = (1 << 4),          /* paravirtual reboot request */
} virDomainRebootFlagValues;

/* Flags for virDomainDestroyFlags(). */
typedef enum {
    VIR_DOMAIN_DESTROY_DEFAULT = 0,             /* terminate at once */
    VIR_DOMAIN_DESTROY_GRACEFUL = 1 << 0,       /* fail rather than kill hard */
    VIR_DOMAIN_DESTROY_REMOVE_LOGS = 1 << 1,    /* also remove the domain's logs */
} virDomainDestroyFlagsValues;

/* Flags for saving and restoring a domain. */
typedef enum {
    VIR_DOMAIN_SAVE_BYPASS_CACHE = 1 << 0,  /* bypass the page cache */
    VIR_DOMAIN_SAVE_RUNNING = 1 << 1,       /* leave it running once restored */
    VIR_DOMAIN_SAVE_PAUSED = 1 << 2,        /* leave it paused once restored */
    VIR_DOMAIN_SAVE_RESET_NVRAM = 1 << 3,   /* restore with fresh firmware variables */
} virDomainSaveRestoreFlags;

/* Flags for virDomainGetXMLDesc(). */
typedef enum {
    VIR_DOMAIN_XML_SECURE = (1 << 0),       /* include secrets such as passwords */
    VIR_DOMAIN_XML_INACTIVE = (1 << 1),     /* the persistent, not the live, definition */
    VIR_DOMAIN_XML_UPDATE_CPU = (1 << 2),   /* describe the CPU as the host provides it */
    VIR_DOMAIN_XML_MIGRATABLE = (1 << 3),   /* only what a migration may carry */
} virDomainXMLFlags;

/* Flags for virDomainDefineXMLFlags(). */
typedef enum {
    VIR_DOMAIN_DEFINE_VALIDATE = (1 << 0),  /* validate the XML against the schema */
} virDomainDefineFlags;

/* Flags for virDomainUndefineFlags(). */
typedef enum {
    VIR_DOMAIN_UNDEFINE_MANAGED_SAVE = (1 << 0),            /* also remove a managed save image */
    VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = (1 << 1),      /* also remove snapshot metadata */
    VIR_DOMAIN_UNDEFINE_NVRAM = (1 << 2),                   /* also remove firmware variables */
    VIR_DOMAIN_UNDEFINE_KEEP_NVRAM = (1 << 3),              /* keep firmware variables */
    VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = (1 << 4),    /* also remove checkpoint metadata */
    VIR_DOMAIN_UNDEFINE_TPM = (1 << 5),                     /* also remove TPM state */
    VIR_DOMAIN_UNDEFINE_KEEP_TPM = (1 << 6),                /* keep TPM state */
} virDomainUndefineFlagsValues;

/* Filters for virConnectListAllDomains(): within each pair, setting neither
 * or both flags selects all domains. */
typedef enum {
    VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0,
    VIR_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1,

    VIR_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2,
    VIR_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3,

    VIR_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4,  /* these four select by state */
    VIR_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5,
    VIR_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6,
    VIR_CONNECT_LIST_DOMAINS_OTHER = 1 << 7,

    VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE = 1 << 8,
    VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,

    VIR_CONNECT_LIST_DOMAINS_AUTOSTART = 1 << 10,
    VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART = 1 << 11,

    VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12,
    VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,

    VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14,
    VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT = 1 << 15,
} virConnectListAllDomainsFlags;

/* What kind of background job a domain runs, as reported in
 * virDomainJobInfo.type. */
typedef enum {
    VIR_DOMAIN_JOB_NONE = 0,        /* no job */
    VIR_DOMAIN_JOB_BOUNDED = 1,     /* a job whose total amount of work is known */
    VIR_DOMAIN_JOB_UNBOUNDED = 2,   /* a job whose total is not known */
    VIR_DOMAIN_JOB_COMPLETED = 3,   /* the job has finished */
    VIR_DOMAIN_JOB_FAILED = 4,      /* the job has failed */
    VIR_DOMAIN_JOB_CANCELLED = 5,   /* the job was cancelled */

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_JOB_LAST
# endif
} virDomainJobType;

/* What a domain's job is doing: how virsh domjobinfo names its operation. */
typedef enum {
    VIR_DOMAIN_JOB_OPERATION_UNKNOWN = 0,
    VIR_DOMAIN_JOB_OPERATION_START = 1,
    VIR_DOMAIN_JOB_OPERATION_SAVE = 2,
    VIR_DOMAIN_JOB_OPERATION_RESTORE = 3,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN = 4,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT = 5,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT = 6,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT = 7,
    VIR_DOMAIN_JOB_OPERATION_DUMP = 8,
    VIR_DOMAIN_JOB_OPERATION_BACKUP = 9,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE = 10,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_JOB_OPERATION_LAST
# endif
} virDomainJobOperation;

/* Domain events (virConnectDomainEventRegisterAny): which kind of event a callback is registered for.
 * tsvirt's drivers emit VIR_DOMAIN_EVENT_ID_LIFECYCLE; the other ids are accepted and never fire, as
 * with libvirt's test driver. */
typedef enum {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    VIR_DOMAIN_EVENT_ID_REBOOT = 1,
    VIR_DOMAIN_EVENT_ID_RTC_CHANGE = 2,
    VIR_DOMAIN_EVENT_ID_WATCHDOG = 3,
    VIR_DOMAIN_EVENT_ID_IO_ERROR = 4,
    VIR_DOMAIN_EVENT_ID_GRAPHICS = 5,
    VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,
    VIR_DOMAIN_EVENT_ID_CONTROL_ERROR = 7,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB = 8,
    VIR_DOMAIN_EVENT_ID_DISK_CHANGE = 9,
    VIR_DOMAIN_EVENT_ID_TRAY_CHANGE = 10,
    VIR_DOMAIN_EVENT_ID_PMWAKEUP = 11,
    VIR_DOMAIN_EVENT_ID_PMSUSPEND = 12,
    VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,
    VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
    VIR_DOMAIN_EVENT_ID_TUNABLE = 17,
    VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,
    VIR_DOMAIN_EVENT_ID_DEVICE_ADDED = 19,
    VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
    VIR_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22,
    VIR_DOMAIN_EVENT_ID_METADATA_CHANGE = 23,
    VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,
    VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE = 25,
    VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_ID_LAST
# endif
} virDomainEventID;

/* What happened to a domain, as a lifecycle event reports it; each has its own detail enum below. */
typedef enum {
    VIR_DOMAIN_EVENT_DEFINED = 0,
    VIR_DOMAIN_EVENT_UNDEFINED = 1,
    VIR_DOMAIN_EVENT_STARTED = 2,
    VIR_DOMAIN_EVENT_SUSPENDED = 3,
    VIR_DOMAIN_EVENT_RESUMED = 4,
    VIR_DOMAIN_EVENT_STOPPED = 5,
    VIR_DOMAIN_EVENT_SHUTDOWN = 6,
    VIR_DOMAIN_EVENT_PMSUSPENDED = 7,
    VIR_DOMAIN_EVENT_CRASHED = 8,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_LAST
# endif
} virDomainEventType;

typedef enum {
    VIR_DOMAIN_EVENT_DEFINED_ADDED = 0,
    VIR_DOMAIN_EVENT_DEFINED_UPDATED = 1,
    VIR_DOMAIN_EVENT_DEFINED_RENAMED = 2,
    VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_DEFINED_LAST
# endif
} virDomainEventDefinedDetailType;

typedef enum {
    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    VIR_DOMAIN_EVENT_UNDEFINED_RENAMED = 1,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_UNDEFINED_LAST
# endif
} virDomainEventUndefinedDetailType;

typedef enum {
    VIR_DOMAIN_EVENT_STARTED_BOOTED = 0,
    VIR_DOMAIN_EVENT_STARTED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_STARTED_RESTORED = 2,
    VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VIR_DOMAIN_EVENT_STARTED_WAKEUP = 4,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STARTED_LAST
# endif
} virDomainEventStartedDetailType;

typedef enum {
    VIR_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    VIR_DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY = 7,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_SUSPENDED_LAST
# endif
} virDomainEventSuspendedDetailType;

typedef enum {
    VIR_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    VIR_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY = 3,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_RESUMED_LAST
# endif
} virDomainEventResumedDetailType;

typedef enum {
    VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    VIR_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    VIR_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    VIR_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    VIR_DOMAIN_EVENT_STOPPED_SAVED = 4,
    VIR_DOMAIN_EVENT_STOPPED_FAILED = 5,
    VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,

# ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STOPPED_LAST
# endif
} virDomainEventStoppedDetailType;

/* Progress of a domain's job, as filled in by virDomainGetJobInfo().  Times
 * are in milliseconds, amounts in bytes; fields a job cannot measure are 0. */
typedef struct _virDomainJobInfo virDomainJobInfo;
typedef virDomainJobInfo *virDomainJobInfoPtr;
struct _virDomainJobInfo {
    int type;                           /* a virDomainJobType */
    unsigned long long timeElapsed;     /* since the job started */
    unsigned long long timeRemaining;   /* estimate, bounded jobs only */
    unsigned long long dataTotal;       /* all data the job handles */
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;        /* the part of data that is guest memory */
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;       /* the part of data that is disk content */
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
};

/* Stores the ids of up to maxids running domains in ids.  Returns how many
 * it stored, or -1 on error.  virConnectListAllDomains() is race-free. */
int virConnectListDomains(virConnectPtr conn,
                          int *ids,
                          int maxids);

/* Returns the number of running domains, or -1 on error. */
int virConnectNumOfDomains(virConnectPtr conn);

/* Returns the connection domain belongs to, without adding a reference,
 * or NULL on error. */
virConnectPtr virDomainGetConnect(virDomainPtr domain);

/* Starts a transient domain described by xmlDesc.  flags:
 * virDomainCreateFlags.  Returns the new domain (release with
 * virDomainFree()), or NULL on error. */
virDomainPtr virDomainCreateXML(virConnectPtr conn,
                                const char *xmlDesc,
                                unsigned int flags);

/* Returns the domain called name (release with virDomainFree()), or NULL
 * on error (VIR_ERR_NO_DOMAIN when there is none). */
virDomainPtr virDomainLookupByName(virConnectPtr conn,
                                   const char *name);

/* Returns the running domain with the given id, or NULL on error. */
virDomainPtr virDomainLookupByID(virConnectPtr conn,
                                 int id);

/* Returns the domain with the raw UUID uuid (VIR_UUID_BUFLEN bytes), or
 * NULL on error. */
virDomainPtr virDomainLookupByUUID(virConnectPtr conn,
                                   const unsigned char *uuid);

/* Returns the domain with the UUID written as text in uuid, or NULL on
 * error. */
virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn,
                                         const char *uuid);

/* Asks the guest to shut down and returns without waiting for it.
 * Returns 0, or -1 on error. */
int virDomainShutdown(virDomainPtr domain);

/* Like virDomainShutdown(); flags: virDomainShutdownFlagValues. */
int virDomainShutdownFlags(virDomainPtr domain,
                           unsigned int flags);

/* Asks the guest to reboot.  flags: virDomainRebootFlagValues.
 * Returns 0, or -1 on error. */
int virDomainReboot(virDomainPtr domain,
                    unsigned int flags);

/* Stops a running domain at once, as pulling the power cord would; a
 * transient domain disappears.  The handle stays valid.  Returns 0, or -1
 * on error. */
int virDomainDestroy(virDomainPtr domain);

/* Like virDomainDestroy(); flags: virDomainDestroyFlagsValues. */
int virDomainDestroyFlags(virDomainPtr domain,
                          unsigned int flags);

/* Adds a reference to domain, to be released with virDomainFree().
 * Returns 0, or -1 on error. */
int virDomainRef(virDomainPtr domain);

/* Releases one reference to the handle; the domain itself is untouched.
 * Returns 0, or -1 on error. */
int virDomainFree(virDomainPtr domain);

/* Pauses a running domain; it keeps its memory.  Returns 0, or -1 on
 * error. */
int virDomainSuspend(virDomainPtr domain);

/* Resumes a paused domain.  Returns 0, or -1 on error. */
int virDomainResume(virDomainPtr domain);

/* Saves the memory and state of a running domain to file to, then stops
 * it; virDomainRestore() brings it back.  Blocks until done (see
 * virDomainSaveJob() for a background job).  Returns 0, or -1 on error. */
int virDomainSave(virDomainPtr domain,
                  const char *to);

/* Like virDomainSave(); dxml, if not NULL, replaces the domain XML stored
 * in the file.  flags: virDomainSaveRestoreFlags. */
int virDomainSaveFlags(virDomainPtr domain,
                       const char *to,
                       const char *dxml,
                       unsigned int flags);

/* Starts the domain saved in file from.  Blocks until done (see
 * virDomainRestoreJob()).  Returns 0, or -1 on error. */
int virDomainRestore(virConnectPtr conn,
                     const char *from);

/* Like virDomainRestore(); dxml, if not NULL, replaces the domain XML
 * stored in the file.  flags: virDomainSaveRestoreFlags. */
int virDomainRestoreFlags(virConnectPtr conn,
                          const char *from,
                          const char *dxml,
                          unsigned int flags);

/* Returns 1 if the domain has a managed save image, 0 if not, -1 on error.
 * flags: none yet, pass 0. */
int virDomainHasManagedSaveImage(virDomainPtr dom,
                                 unsigned int flags);

/* Writes the domain's core to file to.  Blocks until done (see
 * virDomainCoreDumpJob()).  flags: virDomainCoreDumpFlags.  Returns 0, or
 * -1 on error. */
int virDomainCoreDump(virDomainPtr domain,
                      const char *to,
                      unsigned int flags);

/* Like virDomainCoreDump(), in the virDomainCoreDumpFormat dumpformat. */
int virDomainCoreDumpWithFormat(virDomainPtr domain,
                                const char *to,
                                unsigned int dumpformat,
                                unsigned int flags);

/* Fills info with the domain's state and resources.  Returns 0, or -1 on
 * error. */
int virDomainGetInfo(virDomainPtr domain,
                     virDomainInfoPtr info);

/* Stores the domain's virDomainState in *state and, if reason is not NULL,
 * the matching reason (virDomainRunningReason, ...) in *reason.  flags: none
 * yet, pass 0.  Returns 0, or -1 on error. */
int virDomainGetState(virDomainPtr domain,
                      int *state,
                      int *reason,
                      unsigned int flags);

/* Returns the domain's name, valid as long as the handle, or NULL on error. */
const char *virDomainGetName(virDomainPtr domain);

/* Returns the id of a running domain, (unsigned int)-1 when it is not
 * running or on error. */
unsigned int virDomainGetID(virDomainPtr domain);

/* Copies the raw UUID (VIR_UUID_BUFLEN bytes) into uuid.  Returns 0, or -1
 * on error. */
int virDomainGetUUID(virDomainPtr domain,
                     unsigned char *uuid);

/* Writes the UUID as text into buf (VIR_UUID_STRING_BUFLEN bytes).
 * Returns 0, or -1 on error. */
int virDomainGetUUIDString(virDomainPtr domain,
                           char *buf);

/* Returns the guest OS type, e.g. "hvm" or "linux" (caller frees), or NULL
 * on error. */
char *virDomainGetOSType(virDomainPtr domain);

/* Returns the most memory the domain may use, in KiB, or 0 on error. */
unsigned long virDomainGetMaxMemory(virDomainPtr domain);

/* Fills seclabel with the security label of a running domain (an empty
 * label when it has none).  Returns 0, or -1 on error. */
int virDomainGetSecurityLabel(virDomainPtr domain,
                              virSecurityLabelPtr seclabel);

/* Returns the domain's XML description (caller frees), or NULL on error.
 * flags: virDomainXMLFlags. */
char *virDomainGetXMLDesc(virDomainPtr domain,
                          unsigned int flags);

/* Defines a persistent domain from xml without starting it, or replaces
 * the persistent definition of an existing one.  Returns the domain, or
 * NULL on error. */
virDomainPtr virDomainDefineXML(virConnectPtr conn,
                                const char *xml);

/* Like virDomainDefineXML(); flags: virDomainDefineFlags. */
virDomainPtr virDomainDefineXMLFlags(virConnectPtr conn,
                                     const char *xml,
                                     unsigned int flags);

/* Removes the persistent definition; a running domain keeps running as a
 * transient one.  Returns 0, or -1 on error. */
int virDomainUndefine(virDomainPtr domain);

/* Like virDomainUndefine(); flags: virDomainUndefineFlagsValues. */
int virDomainUndefineFlags(virDomainPtr domain,
                           unsigned int flags);

/* Returns the number of defined domains that are not running, or -1 on
 * error. */
int virConnectNumOfDefinedDomains(virConnectPtr conn);

/* Stores the names of up to maxnames defined, stopped domains in names
 * (caller frees each).  Returns how many it stored, or -1 on error. */
int virConnectListDefinedDomains(virConnectPtr conn,
                                 char **const names,
                                 int maxnames);

/* Collects the domains selected by flags (virConnectListAllDomainsFlags,
 * 0: all) into a new array stored in *domains (may be NULL to only count);
 * the caller frees each domain with virDomainFree() and the array with
 * free().  Returns the number of domains, or -1 on error. */
int virConnectListAllDomains(virConnectPtr conn,
                             virDomainPtr **domains,
                             unsigned int flags);

/* Starts a defined domain.  Blocks until done (see virDomainCreateJob()).
 * Returns 0, or -1 on error. */
int virDomainCreate(virDomainPtr domain);

/* Like virDomainCreate(); flags: virDomainCreateFlags. */
int virDomainCreateWithFlags(virDomainPtr domain,
                             unsigned int flags);

/* Stores 1 in *autostart if the domain starts with the host, else 0.
 * Returns 0, or -1 on error. */
int virDomainGetAutostart(virDomainPtr domain,
                          int *autostart);

/* Former name of virDomainCreateXML(), same behaviour. */
virDomainPtr virDomainCreateLinux(virConnectPtr conn,
                                  const char *xmlDesc,
                                  unsigned int flags);

/* Returns 1 if the domain is running, 0 if not, -1 on error. */
int virDomainIsActive(virDomainPtr dom);

/* Returns 1 if the domain has a persistent definition, 0 if it is
 * transient, -1 on error. */
int virDomainIsPersistent(virDomainPtr dom);

/* Fills info with the progress of the domain's current job (type
 * VIR_DOMAIN_JOB_NONE when it has none).  Returns 0, or -1 on error. */
int virDomainGetJobInfo(virDomainPtr dom,
                        virDomainJobInfoPtr info);

/* Asks the domain's current job to stop; the job fails with
 * VIR_ERR_OPERATION_ABORTED unless it is past the point of no return.
 * Returns 0, or -1 on error (VIR_ERR_OPERATION_INVALID without a job). */
int virDomainAbortJob(virDomainPtr dom);

/* Called for a VIR_DOMAIN_EVENT_ID_LIFECYCLE event: event is a
 * virDomainEventType, detail the matching virDomainEvent*DetailType.  dom
 * is valid for the duration of the call (virDomainRef() keeps it).  The
 * return value is ignored. */
typedef int (*virConnectDomainEventCallback)(virConnectPtr conn,
                                             virDomainPtr dom,
                                             int event,
                                             int detail,
                                             void *opaque);

/* The type virConnectDomainEventRegisterAny() takes: each event id has its
 * own callback type, cast to this one with VIR_DOMAIN_EVENT_CALLBACK(). */
typedef void (*virConnectDomainEventGenericCallback)(virConnectPtr conn,
                                                     virDomainPtr dom,
                                                     void *opaque);

/* Casts an event's own callback type to the generic one. */
# define VIR_DOMAIN_EVENT_CALLBACK(cb) ((virConnectDomainEventGenericCallback)(cb))

/* Has cb called for every event of kind eventID (a virDomainEventID) of
 * dom, or of every domain when dom is NULL, with opaque.  The callbacks
 * run from the event loop (libvirt-event.h), which must be registered
 * first: without one this fails with VIR_ERR_INTERNAL_ERROR.  Registering
 * the same cb for the same eventID and dom twice fails.  The connection
 * stays open while a callback is registered.  Returns the callback's id,
 * for virConnectDomainEventDeregisterAny(), or -1 on error. */
int virConnectDomainEventRegisterAny(virConnectPtr conn,
                                     virDomainPtr dom,
                                     int eventID,
                                     virConnectDomainEventGenericCallback cb,
                                     void *opaque,
                                     virFreeCallback freecb);

/* Removes the callback registered as callbackID on conn; its freecb, if
 * any, is called with its opaque before this returns (after the current
 * dispatch when called from a callback).  Returns 0, or -1 on error. */
int virConnectDomainEventDeregisterAny(virConnectPtr conn,
                                       int callbackID);

#endif /* LIBVIRT_DOMAIN_H */
