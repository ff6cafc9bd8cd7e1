/*
 * libvirt.h: entry point of tsvirt's libvirt-compatible C API.
 *
 * Programs written against libvirt 9.0 compile unchanged against these
 * headers (cc -Iinclude) and link against libtsvirt.  Only what tsvirt
 * implements is declared; names, values and layouts are libvirt 9.0's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Declaration style (scripts/gen-abi.mjs parses these headers, keep it):
 * one declaration per statement, functions written as
 * "RETURN-TYPE name(type arg, ...);" with the name directly followed by "(",
 * no function-like macros standing for declarations.
 */

#ifndef LIBVIRT_H
# define LIBVIRT_H

# include <sys/types.h>

# ifdef __cplusplus
extern "C" {
# endif

/* The sub-headers refuse to be included on their own: their order matters. */
# define __VIR_LIBVIRT_H_INCLUDES__
# include <libvirt/libvirt-common.h>
# include <libvirt/libvirt-host.h>
# include <libvirt/libvirt-domain.h>
# include <libvirt/libvirt-event.h>
# include <libvirt/libvirt-network.h>
# include <libvirt/libvirt-storage.h>
# include <libvirt/libvirt-stream.h>
# include <libvirt/libvirt-job.h>
# undef __VIR_LIBVIRT_H_INCLUDES__

# ifdef __cplusplus
}
# endif

#endif /* LIBVIRT_H */
