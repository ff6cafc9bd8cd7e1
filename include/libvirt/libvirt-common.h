/*
 * libvirt-common.h: version macros and helpers shared by every header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#if !defined __VIR_LIBVIRT_H_INCLUDES__
# error "Don't include this file directly, only use libvirt/libvirt.h"
#endif

#ifndef __VIR_VIRCOMMON_H__
# define __VIR_VIRCOMMON_H__

# include <sys/types.h>

/* Marks fields and functions kept only for old callers. */
# ifndef VIR_DEPRECATED
#  if __GNUC__ > 3 || (__GNUC__ == 3 && __GNUC_MINOR__ >= 1)
#   define VIR_DEPRECATED __attribute__((__deprecated__))
#  else
#   define VIR_DEPRECATED /* nothing */
#  endif
# endif

/* Declares a data symbol exported by the library (Windows needs dllimport). */
# ifdef WIN32
#  ifdef LIBVIRT_STATIC
#   define VIR_EXPORT_VAR extern
#  else
#   ifdef IN_LIBVIRT
#    define VIR_EXPORT_VAR __declspec(dllexport) extern
#   else
#    define VIR_EXPORT_VAR __declspec(dllimport) extern
#   endif
#  endif
# else
#  define VIR_EXPORT_VAR extern
# endif

/*
 * Enumerations that may grow end with a *_LAST member counting the values
 * known when the program was compiled.  It exists only when the program
 * defines VIR_ENUM_SENTINELS, so that nobody stores it by accident.  Bit-flag
 * enumerations have no such member.
 */

/* The libvirt API level these headers provide: major * 1000000 +
 * minor * 1000 + micro.  tsvirt provides libvirt 9.0.0's. */
# define LIBVIR_VERSION_NUMBER 9000000

/* True at preprocessing time when the headers provide at least libvirt
 * major.minor.micro, e.g. "#if LIBVIR_CHECK_VERSION(1, 2, 0)". */
# define LIBVIR_CHECK_VERSION(major, minor, micro) \
    ((major) * 1000000 + (minor) * 1000 + (micro) <= LIBVIR_VERSION_NUMBER)

/* Releases the opaque data registered with a callback, once the library
 * will no longer call that callback.  It must not call back into tsvirt. */
typedef void (*virFreeCallback)(void *opaque);

/* Why a connection was closed, as told to a virConnectCloseFunc. */
typedef enum {
    VIR_CONNECT_CLOSE_REASON_ERROR = 0,     /* an I/O error */
    VIR_CONNECT_CLOSE_REASON_EOF = 1,       /* the daemon closed it */
    VIR_CONNECT_CLOSE_REASON_KEEPALIVE = 2, /* keepalive went unanswered */
    VIR_CONNECT_CLOSE_REASON_CLIENT = 3,    /* the client closed it */

# ifdef VIR_ENUM_SENTINELS
    VIR_CONNECT_CLOSE_REASON_LAST
# endif
} virConnectCloseReason;

#endif /* __VIR_VIRCOMMON_H__ */
