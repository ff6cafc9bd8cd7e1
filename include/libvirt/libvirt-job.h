/*
 * libvirt-job.h: long operations as background jobs (tsvirt's own API).
 *
 * Each function ending in "Job" starts the same work as its blocking twin
 * (virDomainSaveJob() and virDomainSave(), ...) and returns at once with a
 * job: a handle to watch its progress, cancel it, wait for it or be called
 * back when it ends.  The promises every job keeps:
 *
 *  - Checks that need no waiting (handles, arguments, flags, the object's
 *    state) are made before the job starts: if one fails, the function
 *    returns NULL and sets the thread's last error, as the twin would.
 *    Whatever fails later ends the job in VIR_JOB_FAILED, and the error
 *    belongs to the job (virJobGetError()), not to any thread.
 *  - A job reaches exactly one terminal state (VIR_JOB_COMPLETED,
 *    VIR_JOB_FAILED or VIR_JOB_CANCELLED) and never leaves it.
 *  - A job holds references to its connection and to the objects it works
 *    on, so releasing those while it runs is safe.
 *  - The caller owns one reference to the job.  Releasing the last one
 *    does not cancel the job: it runs to its end (and calls its callback)
 *    unobserved.  Its figures and error stay readable as long as a
 *    reference is held.
 *  - Every function below may be called from any thread.
 *
 * Functions that fail return -1 or NULL and set the calling thread's last
 * error (see virterror.h); a job handle that is not valid gives
 * VIR_ERR_INVALID_ARG.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_JOB_H
# define LIBVIRT_JOB_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* An error, as described in virterror.h.  Declared here because jobs hand
 * out their errors; virterror.h, which includes libvirt.h, defines the
 * fields. */
typedef struct _virError virError;
typedef virError *virErrorPtr;

/* A background job (opaque, reference counted). */
typedef struct _virJob virJob;
typedef virJob *virJobPtr;

/* Whether a job knows how much work it has to do.  A job may turn from
 * unbounded to bounded once it learns its total. */
typedef enum {
    VIR_JOB_BOUNDED = 0,    /* total known: percentage and time remaining */
    VIR_JOB_UNBOUNDED = 1,  /* total unknown: only what was done so far */

# ifdef VIR_ENUM_SENTINELS
    VIR_JOB_TYPE_LAST
# endif
} virJobType;

/* Where a job is in its life; all but VIR_JOB_RUNNING are terminal. */
typedef enum {
    VIR_JOB_RUNNING = 0,    /* still working */
    VIR_JOB_COMPLETED = 1,  /* succeeded */
    VIR_JOB_FAILED = 2,     /* failed, see virJobGetError() */
    VIR_JOB_CANCELLED = 3,  /* stopped by virJobCancel() or virDomainAbortJob() */

# ifdef VIR_ENUM_SENTINELS
    VIR_JOB_STATE_LAST
# endif
} virJobState;

/* A snapshot of a job's progress, as filled in by virJobGetInfo().  Times
 * are in milliseconds, amounts in bytes. */
typedef struct _virJobInfo virJobInfo;
typedef virJobInfo *virJobInfoPtr;
struct _virJobInfo {
    int type;                           /* a virJobType */
    int state;                          /* a virJobState */
    unsigned long long timeElapsed;     /* since the job started; stops at its end */
    unsigned long long timeRemaining;   /* estimate; 0 when unknown (unbounded
                                           job, too early to tell) and at the end */
    unsigned long long dataTotal;       /* 0 when unbounded; may be revised */
    unsigned long long dataProcessed;   /* never decreases */
    unsigned long long dataRemaining;   /* dataTotal - dataProcessed, 0 when unbounded */
    int percentComplete;                /* 0-99 while a bounded job runs, -1 while an
                                           unbounded one runs, 100 once completed; a
                                           failed or cancelled job keeps its last value */
};

/*
 * Starting jobs.  Each takes the arguments of its blocking twin plus a
 * trailing flags argument (when the twin has flags of its own and nothing
 * more is needed, they are the same), and returns the running job (release
 * with virJobFree()) or NULL if it could not start.
 */

/* Flags every job form accepts in its (trailing) flags argument, beside the
 * flags of its blocking twin.  On a connection to tsvirtd (the remote driver
 * with the daemon's job program), VIR_JOB_START_CANCEL_ON_DISCONNECT asks the
 * daemon to cancel the job when this connection closes or its process goes
 * away; without it the job runs on, and can be found again by id from
 * another connection (virJobLookupByID).  A job that runs in the caller's
 * process ends with that process anyway: there the flag changes nothing. */
typedef enum {
    VIR_JOB_START_CANCEL_ON_DISCONNECT = 1 << 30,
} virJobStartFlags;

/* Job form of virDomainCreateXML(): starts a transient domain.  flags:
 * virDomainCreateFlags.  Operation "start"; the job's domain exists once
 * the job has defined it. */
virJobPtr virDomainCreateXMLJob(virConnectPtr conn,
                                const char *xmlDesc,
                                unsigned int flags);

/* Same as virDomainCreateXMLJob(), under the former name of its twin,
 * virDomainCreateLinux(). */
virJobPtr virDomainCreateLinuxJob(virConnectPtr conn,
                                  const char *xmlDesc,
                                  unsigned int flags);

/* Job form of virDomainCreateWithFlags(): starts a defined domain.  flags:
 * virDomainCreateFlags.  Operation "start". */
virJobPtr virDomainCreateJob(virDomainPtr domain,
                             unsigned int flags);

/* Job form of virDomainSaveFlags() without replacement XML: saves a running
 * domain to file to, then stops it.  flags: virDomainSaveRestoreFlags.
 * Operation "save". */
virJobPtr virDomainSaveJob(virDomainPtr domain,
                           const char *to,
                           unsigned int flags);

/* Job form of virDomainRestoreFlags() without replacement XML: starts the
 * domain saved in file from.  flags: virDomainSaveRestoreFlags.  Operation
 * "restore"; the job's domain exists once the job has defined it. */
virJobPtr virDomainRestoreJob(virConnectPtr conn,
                              const char *from,
                              unsigned int flags);

/* Job form of virDomainCoreDump(): dumpflags are its virDomainCoreDumpFlags.
 * flags: none yet, pass 0.  Operation "dump". */
virJobPtr virDomainCoreDumpJob(virDomainPtr domain,
                               const char *to,
                               unsigned int dumpflags,
                               unsigned int flags);

/* Job form of virNetworkCreate(): starts a defined network.  flags: none
 * yet, pass 0.  Operation "network-start". */
virJobPtr virNetworkCreateJob(virNetworkPtr network,
                              unsigned int flags);

/* Job form of virNetworkCreateXML(): creates and starts a transient
 * network.  flags: none yet, pass 0.  Operation "network-start"; the job's
 * network exists once the job has defined it. */
virJobPtr virNetworkCreateXMLJob(virConnectPtr conn,
                                 const char *xmlDesc,
                                 unsigned int flags);

/* Job form of virStorageVolCreateXML(): createflags are its
 * virStorageVolCreateFlags.  flags: none yet, pass 0.  Operation
 * "volume-create"; the job's volume exists once the job has created it. */
virJobPtr virStorageVolCreateXMLJob(virStoragePoolPtr pool,
                                    const char *xmlDesc,
                                    unsigned int createflags,
                                    unsigned int flags);

/* Job form of virStorageVolCreateXMLFrom(): createflags are its
 * virStorageVolCreateFlags.  flags: none yet, pass 0.  Operation
 * "volume-clone"; the job's volume is the new one, once created. */
virJobPtr virStorageVolCreateXMLFromJob(virStoragePoolPtr pool,
                                        const char *xmlDesc,
                                        virStorageVolPtr clonevol,
                                        unsigned int createflags,
                                        unsigned int flags);

/* Job form of virStorageVolWipePattern(): algorithm is a
 * virStorageVolWipeAlgorithm.  flags: none yet, pass 0.  Operation
 * "volume-wipe". */
virJobPtr virStorageVolWipeJob(virStorageVolPtr vol,
                               unsigned int algorithm,
                               unsigned int flags);

/*
 * Watching and controlling jobs.
 */

/* Fills info with the job's progress.  Returns 0, or -1 on error. */
int virJobGetInfo(virJobPtr job,
                  virJobInfoPtr info);

/* Asks the job to stop and returns without waiting.  The job then ends in
 * VIR_JOB_CANCELLED with error VIR_ERR_OPERATION_ABORTED, unless it is past
 * its point of no return, in which case it still completes (or fails).
 * Asking again, or asking a job already cancelled, succeeds and does
 * nothing.  Returns 0, or -1 on error: VIR_ERR_OPERATION_INVALID if the job
 * already completed or failed. */
int virJobCancel(virJobPtr job);

/* Returns the error that ended a failed or cancelled job (code
 * VIR_ERR_OPERATION_ABORTED for a cancelled one), owned by the job and valid
 * until its last reference is released.  Returns NULL while the job runs
 * and once it completed, leaving the thread's last error clear; NULL with
 * the thread's last error set if job is not valid. */
virErrorPtr virJobGetError(virJobPtr job);

/* Returns the static name of the job's operation, given by the function
 * that started it ("start", "save", "restore", "dump", "network-start",
 * "volume-create", "volume-clone", "volume-wipe"), or NULL on error. */
const char *virJobGetOperation(virJobPtr job);

/* Adds a reference to job, to be released with virJobFree().  Returns 0,
 * or -1 on error. */
int virJobRef(virJobPtr job);

/* Releases one reference to job; see the top of this file for what
 * happens to a job still running.  Never blocks.  Returns 0, or -1 on
 * error. */
int virJobFree(virJobPtr job);

/*
 * The objects of a job.  Each function returns a new reference that the
 * caller releases (virConnectClose(), virDomainFree(), ...), unlike
 * virDomainGetConnect() and its kin.  NULL with the thread's last error
 * clear means the job has no such object (a storage job has no domain) or
 * not yet (a restore job has no domain until it defines it); NULL with the
 * last error set means failure.
 */

/* Returns the connection the job was started through. */
virConnectPtr virJobGetConnect(virJobPtr job);

/* Returns the domain the job works on. */
virDomainPtr virJobGetDomain(virJobPtr job);

/* Returns the network the job works on. */
virNetworkPtr virJobGetNetwork(virJobPtr job);

/* Returns the storage volume the job works on or creates. */
virStorageVolPtr virJobGetStorageVol(virJobPtr job);

/*
 * Finding jobs again.  Every job has an id: a positive integer, unique in
 * the process that runs the job (for a remote connection, the daemon), never
 * reused.  A job can be found by id from any connection to the same driver
 * instance as the connection that started it (every connection to
 * test:///default, to one tsvirt:///embed?root=DIR, ...), and from no other.
 * It stays findable while it runs, while anyone holds a reference to it, and
 * once released as one of the 256 finished jobs most recently released
 * (docs/jobs.md).  A job found again keeps the connection it was started
 * through as long as that one is held (virJobGetConnect()); a finished job
 * found after its last reference went comes back bound to the connection it
 * was found through.
 */

/* Returns the job's id, or (unsigned int)-1 on error. */
unsigned int virJobGetID(virJobPtr job);

/* Returns a new reference to the job with this id, to be released with
 * virJobFree(), or NULL on error: VIR_ERR_INVALID_ARG if id is not greater
 * than zero ("id in virJobLookupByID must be greater than zero") or if no
 * job with this id is visible to conn ("invalid argument: no job with
 * matching id 7"). */
virJobPtr virJobLookupByID(virConnectPtr conn,
                           int id);

/* Selects jobs by state; neither flag, or both, selects every job. */
typedef enum {
    VIR_CONNECT_LIST_JOBS_RUNNING = 1 << 0,   /* VIR_JOB_RUNNING */
    VIR_CONNECT_LIST_JOBS_FINISHED = 1 << 1,  /* any terminal state */
} virConnectListAllJobsFlags;

/* Collects the jobs visible to conn (see above), oldest first, into a new
 * array stored in *jobs (may be NULL to only count; the array ends with a
 * NULL entry); the caller frees each with virJobFree() and the array with
 * free().  flags: virConnectListAllJobsFlags.  Returns the number of jobs,
 * or -1 on error. */
int virConnectListAllJobs(virConnectPtr conn,
                          virJobPtr **jobs,
                          unsigned int flags);

/* Blocks the calling thread until the job reaches a terminal state and
 * returns that state (a virJobState), or -1 on error.  It does not wait
 * for the job's callback.  It fails with VIR_ERR_OPERATION_INVALID on the
 * thread that runs tsvirt's drivers (in a Node.js process, the JavaScript
 * thread): the job could never progress while that thread waits. */
int virJobWait(virJobPtr job);

/* Called once when job reaches its terminal state, which is passed as
 * state (a virJobState), with the opaque given to virJobSetCallback(). */
typedef void (*virJobCallback)(virJobPtr job,
                               int state,
                               void *opaque);

/*
 * virJobSetCallback: has cb called exactly once when the job reaches its
 * terminal state, also when it was cancelled; if it already has, the call
 * is queued at once.  freecb, if not NULL, is then called with opaque
 * after cb has returned (the virFreeCallback rules apply).  A job takes one
 * callback: a second call fails with VIR_ERR_OPERATION_INVALID.  If the
 * process exits before the job ends, cb is never called.  Returns 0, or -1
 * on error.
 *
 * cb runs on a thread owned by tsvirt: never the caller's, never the
 * thread that runs the drivers (in Node.js, the JavaScript thread).  The
 * callbacks of all jobs may share that thread and run one at a time.
 *
 * What cb may do, and why:
 *  - Use job during the call: tsvirt holds a reference until cb returns.
 *    Keeping it longer needs virJobRef().
 *  - Release the caller's own reference with virJobFree(), the usual end
 *    of a job nobody waits for: tsvirt's reference keeps job alive.
 *  - Call any other tsvirt function, blocking ones included (virDomainSave(),
 *    virJobWait() on another job): tsvirt never makes the driver thread
 *    wait for a callback, so they complete.  virJobWait() on job itself
 *    returns at once, since job is terminal.  A blocking cb holds up the
 *    callbacks queued behind it.
 *  - It must not wait for another job's callback to run (for instance on
 *    a semaphore that callback would post): with one delivery thread, that
 *    callback runs only after cb returns, so both would wait forever.
 *  - It must return normally: no longjmp() or C++ exception out of it.
 */
int virJobSetCallback(virJobPtr job,
                      virJobCallback cb,
                      void *opaque,
                      virFreeCallback freecb);

#endif /* LIBVIRT_JOB_H */
