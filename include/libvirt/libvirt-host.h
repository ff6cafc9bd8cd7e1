/*
 * libvirt-host.h: connections to a hypervisor and facts about its host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_HOST_H
# define LIBVIRT_HOST_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* A connection to a hypervisor driver (opaque, reference counted). */
typedef struct _virConnect virConnect;
typedef virConnect *virConnectPtr;

/* A data stream: the bytes of a volume being uploaded or downloaded
 * (opaque, reference counted; see libvirt-stream.h). */
typedef struct _virStream virStream;
typedef virStream *virStreamPtr;

/* Size of the label buffer in virSecurityLabel, terminating NUL included. */
# define VIR_SECURITY_LABEL_BUFLEN (4096 + 1)

/* The security label of a running domain. */
typedef struct _virSecurityLabel virSecurityLabel;
struct _virSecurityLabel {
    char label[VIR_SECURITY_LABEL_BUFLEN];  /* NUL-terminated label */
    int enforcing;                          /* 1 if enforced, 0 if permissive */
};
typedef virSecurityLabel *virSecurityLabelPtr;

/* Sizes of the buffers in virSecurityModel, terminating NUL included. */
# define VIR_SECURITY_MODEL_BUFLEN (256 + 1)
# define VIR_SECURITY_DOI_BUFLEN (256 + 1)

/* The security model the host applies to its domains. */
typedef struct _virSecurityModel virSecurityModel;
struct _virSecurityModel {
    char model[VIR_SECURITY_MODEL_BUFLEN];  /* model name, "" if none */
    char doi[VIR_SECURITY_DOI_BUFLEN];      /* domain of interpretation */
};
typedef virSecurityModel *virSecurityModelPtr;

/* Hardware facts about the host, as filled in by virNodeGetInfo(). */
typedef struct _virNodeInfo virNodeInfo;
struct _virNodeInfo {
    char model[32];         /* CPU model, NUL-terminated */
    unsigned long memory;   /* memory size in KiB */
    unsigned int cpus;      /* number of active CPUs */
    unsigned int mhz;       /* CPU frequency in MHz */
    unsigned int nodes;     /* NUMA cells, 1 on uniform memory hosts */
    unsigned int sockets;   /* CPU sockets per NUMA cell */
    unsigned int cores;     /* cores per socket */
    unsigned int threads;   /* threads per core */
};
typedef virNodeInfo *virNodeInfoPtr;

/* Number of CPUs the host could have online, from a virNodeInfo. */
# define VIR_NODEINFO_MAXCPUS(nodeinfo) \
    ((nodeinfo).nodes * (nodeinfo).sockets * (nodeinfo).cores * (nodeinfo).threads)

/* Flags for virConnectOpenAuth(). */
typedef enum {
    VIR_CONNECT_RO = (1 << 0),          /* open the connection read-only */
    VIR_CONNECT_NO_ALIASES = (1 << 1),  /* do not resolve URI aliases */
} virConnectFlags;

/* What a credential requested from an authentication callback is. */
typedef enum {
    VIR_CRED_USERNAME = 1,      /* identity to act as */
    VIR_CRED_AUTHNAME = 2,      /* identity to authorize as */
    VIR_CRED_LANGUAGE = 3,      /* RFC 1766 language tags */
    VIR_CRED_CNONCE = 4,        /* client-supplied nonce */
    VIR_CRED_PASSPHRASE = 5,    /* secret, not to be echoed */
    VIR_CRED_ECHOPROMPT = 6,    /* answer to a challenge, may be echoed */
    VIR_CRED_NOECHOPROMPT = 7,  /* answer to a challenge, not echoed */
    VIR_CRED_REALM = 8,         /* authentication realm */
    VIR_CRED_EXTERNAL = 9,      /* credential obtained outside the process */

# ifdef VIR_ENUM_SENTINELS
    VIR_CRED_LAST
# endif
} virConnectCredentialType;

/* One credential an authentication callback must fill in: it stores a
 * malloc'd answer in result and its length in resultlen. */
struct _virConnectCredential {
    int type;               /* a virConnectCredentialType */
    const char *prompt;     /* text to show the user */
    const char *challenge;  /* extra challenge information, may be NULL */
    const char *defresult;  /* suggested answer, may be NULL */
    char *result;           /* answer, set by the callback */
    unsigned int resultlen; /* length of result */
};
typedef struct _virConnectCredential virConnectCredential;
typedef virConnectCredential *virConnectCredentialPtr;

/* Asked to fill in ncred credentials; returns 0 when all were answered,
 * -1 to refuse. */
typedef int (*virConnectAuthCallbackPtr)(virConnectCredentialPtr cred,
                                         unsigned int ncred,
                                         void *cbdata);

/* The credential types a program can answer and the callback answering them. */
struct _virConnectAuth {
    int *credtype;                  /* array of virConnectCredentialType */
    unsigned int ncredtype;         /* length of credtype */
    virConnectAuthCallbackPtr cb;   /* asked for the credentials */
    void *cbdata;                   /* passed to cb */
};
typedef struct _virConnectAuth virConnectAuth;
typedef virConnectAuth *virConnectAuthPtr;

/* A ready-made virConnectAuth that asks for credentials on the terminal. */
VIR_EXPORT_VAR virConnectAuthPtr virConnectAuthPtrDefault;

/* Size of a raw UUID. */
# define VIR_UUID_BUFLEN (16)

/* Size of a UUID in text form, terminating NUL included. */
# define VIR_UUID_STRING_BUFLEN (36+1)

/* Stores the library version in *libVer (major * 1000000 + minor * 1000 +
 * micro).  typeVer, if not NULL, receives the same number: type is ignored,
 * as in libvirt, where it once chose a driver.  Returns 0, or -1 on error. */
int virGetVersion(unsigned long *libVer,
                  const char *type,
                  unsigned long *typeVer);

/* Initializes the library; calling it is optional (every entry point does
 * it) and harmless when repeated.  Returns 0, or -1 on error. */
int virInitialize(void);

/* Opens a read-write connection to the hypervisor at URI name (NULL: the
 * default URI).  Returns a connection to release with virConnectClose(),
 * or NULL on error. */
virConnectPtr virConnectOpen(const char *name);

/* Like virConnectOpen(), but the connection refuses every change. */
virConnectPtr virConnectOpenReadOnly(const char *name);

/* Like virConnectOpen(), asking auth for any credentials the driver needs
 * (auth may be NULL when none are needed).  flags: virConnectFlags. */
virConnectPtr virConnectOpenAuth(const char *name,
                                 virConnectAuthPtr auth,
                                 unsigned int flags);

/* Adds a reference to conn, to be released with virConnectClose().
 * Returns 0, or -1 on error. */
int virConnectRef(virConnectPtr conn);

/* Releases one reference to conn; the connection closes with the last one
 * (domains, networks, pools, volumes and jobs hold references too).
 * Returns 0 when it closed, a positive number while references remain, or
 * -1 on error. */
int virConnectClose(virConnectPtr conn);

/* Returns the name of the driver behind conn (e.g. "TEST"), a static string
 * the caller must not free, or NULL on error. */
const char *virConnectGetType(virConnectPtr conn);

/* Stores the hypervisor version in *hvVer (major * 1000000 + minor * 1000 +
 * micro, 0 if unknown).  Returns 0, or -1 on error. */
int virConnectGetVersion(virConnectPtr conn,
                         unsigned long *hvVer);

/* Stores the version of the library serving conn in *libVer.
 * Returns 0, or -1 on error. */
int virConnectGetLibVersion(virConnectPtr conn,
                            unsigned long *libVer);

/* Returns the host name of the hypervisor's host (caller frees), or NULL
 * on error. */
char *virConnectGetHostname(virConnectPtr conn);

/* Returns the canonical URI of conn (caller frees), or NULL on error. */
char *virConnectGetURI(virConnectPtr conn);

/* Returns the most virtual CPUs a guest of the given type (NULL: the
 * driver's default) may have, or -1 on error. */
int virConnectGetMaxVcpus(virConnectPtr conn,
                          const char *type);

/* Fills info with facts about the host.  Returns 0, or -1 on error. */
int virNodeGetInfo(virConnectPtr conn,
                   virNodeInfoPtr info);

/* Returns the capabilities XML of the hypervisor (caller frees), or NULL on
 * error. */
char *virConnectGetCapabilities(virConnectPtr conn);

/* Fills secmodel with the host's security model ("" when there is none).
 * Returns 0, or -1 on error. */
int virNodeGetSecurityModel(virConnectPtr conn,
                            virSecurityModelPtr secmodel);

/* Returns 1 if the connection's traffic is encrypted, 0 if not, -1 on error. */
int virConnectIsEncrypted(virConnectPtr conn);

/* Returns 1 if the connection's traffic cannot be snooped (encrypted or
 * local), 0 if it can, -1 on error. */
int virConnectIsSecure(virConnectPtr conn);

/* Returns 1 if the connection is usable, 0 if it was lost, -1 on error. */
int virConnectIsAlive(virConnectPtr conn);

/* Has a connection to a daemon send keepalive messages after interval
 * seconds without word from the daemon, and close the connection when
 * count of them in a row go unanswered; an interval of 0 or less stops
 * them.  Needs a registered event loop (libvirt-event.h).  Returns 0, 1
 * when the daemon does not speak keepalive, or -1 on error (a second
 * interval once one is set; VIR_ERR_NO_SUPPORT on a local driver). */
int virConnectSetKeepAlive(virConnectPtr conn,
                           int interval,
                           unsigned int count);

/* Called when a connection to a daemon is lost other than by
 * virConnectClose(); reason is a virConnectCloseReason. */
typedef void (*virConnectCloseFunc)(virConnectPtr conn,
                                    int reason,
                                    void *opaque);

/* Has cb called, with opaque, from the event loop (libvirt-event.h) when
 * the connection to the daemon is lost; freecb, if any, runs right after
 * it, or in virConnectUnregisterCloseCallback().  A connection has at most
 * one; while it is registered the connection stays open.  A local driver
 * accepts it and never calls it.  Returns 0, or -1 on error. */
int virConnectRegisterCloseCallback(virConnectPtr conn,
                                    virConnectCloseFunc cb,
                                    void *opaque,
                                    virFreeCallback freecb);

/* Removes cb, which must be the registered close callback, and calls its
 * freecb before returning.  Returns 0, or -1 on error. */
int virConnectUnregisterCloseCallback(virConnectPtr conn,
                                      virConnectCloseFunc cb);

#endif /* LIBVIRT_HOST_H */
