/*
 * virterror.h: errors raised by the library and how to receive them.
 *
 * Every failing call records an error for the calling thread (read it with
 * virGetLastError()) and hands it to the error callback, if one is set.
 * Errors of background jobs belong to the job (see virJobGetError()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_VIRTERROR_H
# define LIBVIRT_VIRTERROR_H

# include <libvirt/libvirt.h>

# ifdef __cplusplus
extern "C" {
# endif

/* How serious an error is. */
typedef enum {
    VIR_ERR_NONE = 0,
    VIR_ERR_WARNING = 1,    /* the call went on */
    VIR_ERR_ERROR = 2       /* the call failed */
} virErrorLevel;

/* Which part of the library raised an error.  Values never change; new ones
 * are added at the end. */
typedef enum {
    VIR_FROM_NONE = 0,
    VIR_FROM_XEN = 1,                   /* Xen hypervisor layer */
    VIR_FROM_XEND = 2,                  /* connection to xend */
    VIR_FROM_XENSTORE = 3,              /* connection to the Xen store */
    VIR_FROM_SEXPR = 4,                 /* S-expression code */

    VIR_FROM_XML = 5,                   /* XML code */
    VIR_FROM_DOM = 6,                   /* an operation on a domain */
    VIR_FROM_RPC = 7,                   /* RPC code */
    VIR_FROM_PROXY = 8,                 /* proxy code (unused) */
    VIR_FROM_CONF = 9,                  /* configuration file handling */

    VIR_FROM_QEMU = 10,                 /* QEMU driver */
    VIR_FROM_NET = 11,                  /* an operation on a network */
    VIR_FROM_TEST = 12,                 /* test driver */
    VIR_FROM_REMOTE = 13,               /* remote driver */
    VIR_FROM_OPENVZ = 14,               /* OpenVZ driver */

    VIR_FROM_XENXM = 15,                /* Xen XM layer */
    VIR_FROM_STATS_LINUX = 16,          /* Linux statistics code */
    VIR_FROM_LXC = 17,                  /* Linux container driver */
    VIR_FROM_STORAGE = 18,              /* storage driver */
    VIR_FROM_NETWORK = 19,              /* network configuration */

    VIR_FROM_DOMAIN = 20,               /* domain configuration */
    VIR_FROM_UML = 21,                  /* UML driver (unused) */
    VIR_FROM_NODEDEV = 22,              /* node device monitor */
    VIR_FROM_XEN_INOTIFY = 23,          /* Xen inotify layer */
    VIR_FROM_SECURITY = 24,             /* security framework */

    VIR_FROM_VBOX = 25,                 /* VirtualBox driver */
    VIR_FROM_INTERFACE = 26,            /* an operation on an interface */
    VIR_FROM_ONE = 27,                  /* OpenNebula driver (unused) */
    VIR_FROM_ESX = 28,                  /* ESX driver */
    VIR_FROM_PHYP = 29,                 /* phyp driver (unused) */

    VIR_FROM_SECRET = 30,               /* secret storage */
    VIR_FROM_CPU = 31,                  /* CPU driver */
    VIR_FROM_XENAPI = 32,               /* XenAPI */
    VIR_FROM_NWFILTER = 33,             /* network filter driver */
    VIR_FROM_HOOK = 34,                 /* synchronous hooks */

    VIR_FROM_DOMAIN_SNAPSHOT = 35,      /* domain snapshots */
    VIR_FROM_AUDIT = 36,                /* auditing */
    VIR_FROM_SYSINFO = 37,              /* sysinfo and SMBIOS */
    VIR_FROM_STREAMS = 38,              /* I/O streams */
    VIR_FROM_VMWARE = 39,               /* VMware driver */

    VIR_FROM_EVENT = 40,                /* event loop */
    VIR_FROM_LIBXL = 41,                /* libxenlight driver */
    VIR_FROM_LOCKING = 42,              /* lock manager */
    VIR_FROM_HYPERV = 43,               /* Hyper-V driver */
    VIR_FROM_CAPABILITIES = 44,         /* capabilities */

    VIR_FROM_URI = 45,                  /* URI handling */
    VIR_FROM_AUTH = 46,                 /* authentication */
    VIR_FROM_DBUS = 47,                 /* D-Bus */
    VIR_FROM_PARALLELS = 48,            /* Parallels driver */
    VIR_FROM_DEVICE = 49,               /* devices */

    VIR_FROM_SSH = 50,                  /* libssh2 transport */
    VIR_FROM_LOCKSPACE = 51,            /* lockspace */
    VIR_FROM_INITCTL = 52,              /* initctl communication */
    VIR_FROM_IDENTITY = 53,             /* identity code */
    VIR_FROM_CGROUP = 54,               /* cgroups */

    VIR_FROM_ACCESS = 55,               /* access control */
    VIR_FROM_SYSTEMD = 56,              /* systemd code */
    VIR_FROM_BHYVE = 57,                /* bhyve driver */
    VIR_FROM_CRYPTO = 58,               /* crypto code */
    VIR_FROM_FIREWALL = 59,             /* firewall */

    VIR_FROM_POLKIT = 60,               /* polkit code */
    VIR_FROM_THREAD = 61,               /* thread utilities */
    VIR_FROM_ADMIN = 62,                /* admin interface */
    VIR_FROM_LOGGING = 63,              /* log manager */
    VIR_FROM_XENXL = 64,                /* Xen xl configuration */

    VIR_FROM_PERF = 65,                 /* perf events */
    VIR_FROM_LIBSSH = 66,               /* libssh transport */
    VIR_FROM_RESCTRL = 67,              /* resource control */
    VIR_FROM_FIREWALLD = 68,            /* firewalld */
    VIR_FROM_DOMAIN_CHECKPOINT = 69,    /* domain checkpoints */

    VIR_FROM_TPM = 70,                  /* TPM */
    VIR_FROM_BPF = 71,                  /* BPF code */
    VIR_FROM_CH = 72,                   /* Cloud-Hypervisor driver */

# ifdef VIR_ENUM_SENTINELS
    VIR_ERR_DOMAIN_LAST
# endif
} virErrorDomain;

/* One error.  virError and virErrorPtr are declared in libvirt-job.h,
 * which libvirt.h includes, because jobs hand out their errors too.
 * conn, dom and net hold no reference: the objects may be gone already. */
struct _virError {
    int code;                               /* a virErrorNumber */
    int domain;                             /* a virErrorDomain */
    char *message;                          /* text for humans */
    virErrorLevel level;                    /* how serious it is */
    virConnectPtr conn VIR_DEPRECATED;      /* connection involved, if any */
    virDomainPtr dom VIR_DEPRECATED;        /* domain involved, if any */
    char *str1;                             /* extra detail */
    char *str2;                             /* extra detail */
    char *str3;                             /* extra detail */
    int int1;                               /* extra detail */
    int int2;                               /* extra detail */
    virNetworkPtr net VIR_DEPRECATED;       /* network involved, if any */
};

/* What went wrong.  Values never change; new ones are added at the end
 * (libvirt 0.8.0 once shifted 61-65, which these values already reflect). */
typedef enum {
    VIR_ERR_OK = 0,
    VIR_ERR_INTERNAL_ERROR = 1,             /* internal error */
    VIR_ERR_NO_MEMORY = 2,                  /* out of memory */
    VIR_ERR_NO_SUPPORT = 3,                 /* the driver lacks this function */
    VIR_ERR_UNKNOWN_HOST = 4,               /* host name not resolved */
    VIR_ERR_NO_CONNECT = 5,                 /* could not connect to the hypervisor */
    VIR_ERR_INVALID_CONN = 6,               /* not a valid connection */
    VIR_ERR_INVALID_DOMAIN = 7,             /* not a valid domain */
    VIR_ERR_INVALID_ARG = 8,                /* bad argument */
    VIR_ERR_OPERATION_FAILED = 9,           /* the hypervisor refused a command */
    VIR_ERR_GET_FAILED = 10,                /* HTTP GET failed */
    VIR_ERR_POST_FAILED = 11,               /* HTTP POST failed */
    VIR_ERR_HTTP_ERROR = 12,                /* unexpected HTTP status */
    VIR_ERR_SEXPR_SERIAL = 13,              /* S-expression not serialized */
    VIR_ERR_NO_XEN = 14,                    /* Xen control not available */
    VIR_ERR_XEN_CALL = 15,                  /* Xen hypercall failed */
    VIR_ERR_OS_TYPE = 16,                   /* unknown OS type */
    VIR_ERR_NO_KERNEL = 17,                 /* kernel missing */
    VIR_ERR_NO_ROOT = 18,                   /* root device missing */
    VIR_ERR_NO_SOURCE = 19,                 /* source device missing */
    VIR_ERR_NO_TARGET = 20,                 /* target device missing */
    VIR_ERR_NO_NAME = 21,                   /* name missing */
    VIR_ERR_NO_OS = 22,                     /* OS description missing */
    VIR_ERR_NO_DEVICE = 23,                 /* devices missing */
    VIR_ERR_NO_XENSTORE = 24,               /* Xen store not available */
    VIR_ERR_DRIVER_FULL = 25,               /* too many drivers */
    VIR_ERR_CALL_FAILED = 26,               /* no driver supports it (deprecated) */
    VIR_ERR_XML_ERROR = 27,                 /* XML not well formed or invalid */
    VIR_ERR_DOM_EXIST = 28,                 /* domain already exists */
    VIR_ERR_OPERATION_DENIED = 29,          /* not allowed, e.g. on a read-only connection */
    VIR_ERR_OPEN_FAILED = 30,               /* configuration file not opened */
    VIR_ERR_READ_FAILED = 31,               /* configuration file not read */
    VIR_ERR_PARSE_FAILED = 32,              /* configuration file not parsed */
    VIR_ERR_CONF_SYNTAX = 33,               /* configuration file syntax error */
    VIR_ERR_WRITE_FAILED = 34,              /* configuration file not written */
    VIR_ERR_XML_DETAIL = 35,                /* details of an XML error */
    VIR_ERR_INVALID_NETWORK = 36,           /* not a valid network */
    VIR_ERR_NETWORK_EXIST = 37,             /* network already exists */
    VIR_ERR_SYSTEM_ERROR = 38,              /* a system call failed */
    VIR_ERR_RPC = 39,                       /* RPC failure */
    VIR_ERR_GNUTLS_ERROR = 40,              /* GnuTLS failure */
    VIR_WAR_NO_NETWORK = 41,                /* network driver not started */
    VIR_ERR_NO_DOMAIN = 42,                 /* no such domain */
    VIR_ERR_NO_NETWORK = 43,                /* no such network */
    VIR_ERR_INVALID_MAC = 44,               /* bad MAC address */
    VIR_ERR_AUTH_FAILED = 45,               /* authentication failed */
    VIR_ERR_INVALID_STORAGE_POOL = 46,      /* not a valid storage pool */
    VIR_ERR_INVALID_STORAGE_VOL = 47,       /* not a valid storage volume */
    VIR_WAR_NO_STORAGE = 48,                /* storage driver not started */
    VIR_ERR_NO_STORAGE_POOL = 49,           /* no such storage pool */
    VIR_ERR_NO_STORAGE_VOL = 50,            /* no such storage volume */
    VIR_WAR_NO_NODE = 51,                   /* node device driver not started */
    VIR_ERR_INVALID_NODE_DEVICE = 52,       /* not a valid node device */
    VIR_ERR_NO_NODE_DEVICE = 53,            /* no such node device */
    VIR_ERR_NO_SECURITY_MODEL = 54,         /* no such security model */
    VIR_ERR_OPERATION_INVALID = 55,         /* not possible in the current state */
    VIR_WAR_NO_INTERFACE = 56,              /* interface driver not started */
    VIR_ERR_NO_INTERFACE = 57,              /* no such interface */
    VIR_ERR_INVALID_INTERFACE = 58,         /* not a valid interface */
    VIR_ERR_MULTIPLE_INTERFACES = 59,       /* more than one interface matches */
    VIR_WAR_NO_NWFILTER = 60,               /* network filter driver not started */
    VIR_ERR_INVALID_NWFILTER = 61,          /* not a valid network filter */
    VIR_ERR_NO_NWFILTER = 62,               /* no such network filter */
    VIR_ERR_BUILD_FIREWALL = 63,            /* firewall rules not built */
    VIR_WAR_NO_SECRET = 64,                 /* secret driver not started */
    VIR_ERR_INVALID_SECRET = 65,            /* not a valid secret */
    VIR_ERR_NO_SECRET = 66,                 /* no such secret */
    VIR_ERR_CONFIG_UNSUPPORTED = 67,        /* configuration not supported */
    VIR_ERR_OPERATION_TIMEOUT = 68,         /* timed out */
    VIR_ERR_MIGRATE_PERSIST_FAILED = 69,    /* migrated, but not made persistent */
    VIR_ERR_HOOK_SCRIPT_FAILED = 70,        /* a hook script failed */
    VIR_ERR_INVALID_DOMAIN_SNAPSHOT = 71,   /* not a valid snapshot */
    VIR_ERR_NO_DOMAIN_SNAPSHOT = 72,        /* no such snapshot */
    VIR_ERR_INVALID_STREAM = 73,            /* not a valid stream */
    VIR_ERR_ARGUMENT_UNSUPPORTED = 74,      /* valid argument this driver cannot honour */
    VIR_ERR_STORAGE_PROBE_FAILED = 75,      /* storage probe failed */
    VIR_ERR_STORAGE_POOL_BUILT = 76,        /* storage pool already built */
    VIR_ERR_SNAPSHOT_REVERT_RISKY = 77,     /* risky snapshot revert without force */
    VIR_ERR_OPERATION_ABORTED = 78,         /* cancelled by the user */
    VIR_ERR_AUTH_CANCELLED = 79,            /* authentication cancelled */
    VIR_ERR_NO_DOMAIN_METADATA = 80,        /* no such metadata */
    VIR_ERR_MIGRATE_UNSAFE = 81,            /* migration would not be safe */
    VIR_ERR_OVERFLOW = 82,                  /* integer overflow */
    VIR_ERR_BLOCK_COPY_ACTIVE = 83,         /* a block copy job is in the way */
    VIR_ERR_OPERATION_UNSUPPORTED = 84,     /* operation not supported */
    VIR_ERR_SSH = 85,                       /* ssh transport failure */
    VIR_ERR_AGENT_UNRESPONSIVE = 86,        /* guest agent not answering */
    VIR_ERR_RESOURCE_BUSY = 87,             /* resource already in use */
    VIR_ERR_ACCESS_DENIED = 88,             /* access denied */
    VIR_ERR_DBUS_SERVICE = 89,              /* D-Bus service failure */
    VIR_ERR_STORAGE_VOL_EXIST = 90,         /* storage volume already exists */
    VIR_ERR_CPU_INCOMPATIBLE = 91,          /* CPU incompatible with the host's */
    VIR_ERR_XML_INVALID_SCHEMA = 92,        /* XML does not match the schema */
    VIR_ERR_MIGRATE_FINISH_OK = 93,         /* migration finish succeeded without a domain */
    VIR_ERR_AUTH_UNAVAILABLE = 94,          /* authentication not available */
    VIR_ERR_NO_SERVER = 95,                 /* no such server */
    VIR_ERR_NO_CLIENT = 96,                 /* no such client */
    VIR_ERR_AGENT_UNSYNCED = 97,            /* guest agent out of sync (deprecated) */
    VIR_ERR_LIBSSH = 98,                    /* libssh transport failure */
    VIR_ERR_DEVICE_MISSING = 99,            /* no such device */
    VIR_ERR_INVALID_NWFILTER_BINDING = 100, /* not a valid network filter binding */
    VIR_ERR_NO_NWFILTER_BINDING = 101,      /* no such network filter binding */
    VIR_ERR_INVALID_DOMAIN_CHECKPOINT = 102,/* not a valid checkpoint */
    VIR_ERR_NO_DOMAIN_CHECKPOINT = 103,     /* no such checkpoint */
    VIR_ERR_NO_DOMAIN_BACKUP = 104,         /* no such backup job */
    VIR_ERR_INVALID_NETWORK_PORT = 105,     /* not a valid network port */
    VIR_ERR_NETWORK_PORT_EXIST = 106,       /* network port already exists */
    VIR_ERR_NO_NETWORK_PORT = 107,          /* no such network port */
    VIR_ERR_NO_HOSTNAME = 108,              /* domain host name not found */
    VIR_ERR_CHECKPOINT_INCONSISTENT = 109,  /* checkpoint unusable */
    VIR_ERR_MULTIPLE_DOMAINS = 110,         /* more than one domain matches */

# ifdef VIR_ENUM_SENTINELS
    VIR_ERR_NUMBER_LAST
# endif
} virErrorNumber;

/* Receives every error raised, with the userData given when it was set. */
typedef void (*virErrorFunc)(void *userData,
                             virErrorPtr error);

/* Returns the calling thread's last error, owned by the library and valid
 * until the thread's next library call, or NULL if the last call
 * succeeded. */
virErrorPtr virGetLastError(void);

/* Returns a copy of the calling thread's last error (a VIR_ERR_OK one if
 * there is none), to release with virFreeError(), or NULL if out of
 * memory. */
virErrorPtr virSaveLastError(void);

/* Clears the calling thread's last error. */
void virResetLastError(void);

/* Frees the strings held by err and sets every field to 0. */
void virResetError(virErrorPtr err);

/* Frees an error returned by virSaveLastError(); NULL is ignored. */
void virFreeError(virErrorPtr err);

/* Returns the code (virErrorNumber) of the calling thread's last error,
 * VIR_ERR_OK if there is none. */
int virGetLastErrorCode(void);

/* Returns the domain (virErrorDomain) of the calling thread's last error,
 * VIR_FROM_NONE if there is none. */
int virGetLastErrorDomain(void);

/* Returns the message of the calling thread's last error, or "no error";
 * never NULL.  The string is valid until the thread's next library call. */
const char *virGetLastErrorMessage(void);

/* Returns the connection's error slot, owned by the connection: the last
 * error raised through conn, or an error whose code is VIR_ERR_OK if there is
 * none (NULL only when conn is NULL).  Not safe when threads share conn:
 * prefer virGetLastError(), which receives every such error as well. */
virErrorPtr virConnGetLastError(virConnectPtr conn);

/* Clears the last error recorded on conn. */
void virConnResetLastError(virConnectPtr conn);

/* Copies the calling thread's last error into to (to release with
 * virResetError()).  Returns its code, 0 if there is none, -1 on error. */
int virCopyLastError(virErrorPtr to);

/* Prints err on standard error, as the library does when no callback is
 * set. */
void virDefaultErrorFunc(virErrorPtr err);

/* Sends every later error to handler (NULL: print them with
 * virDefaultErrorFunc()), passing it userData. */
void virSetErrorFunc(void *userData,
                     virErrorFunc handler);

/* Sends errors raised through conn to handler instead of the global one
 * (NULL: back to the global one). */
void virConnSetErrorFunc(virConnectPtr conn,
                         void *userData,
                         virErrorFunc handler);

/* Copies the last error recorded on conn into to (to release with
 * virResetError()).  Returns its code, 0 if there is none, -1 on error. */
int virConnCopyLastError(virConnectPtr conn,
                         virErrorPtr to);

# ifdef __cplusplus
}
# endif

#endif /* LIBVIRT_VIRTERROR_H */
