/*
 * libvirt-network.h: virtual networks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_NETWORK_H
# define LIBVIRT_NETWORK_H

# ifndef __VIR_LIBVIRT_H_INCLUDES__
#  error "Don't include this file directly, only use libvirt/libvirt.h"
# endif

/* Flags for virNetworkGetXMLDesc(). */
typedef enum {
    VIR_NETWORK_XML_INACTIVE = (1 << 0),    /* the persistent, not the live, definition */
} virNetworkXMLFlags;

/* A virtual network known to a connection (opaque, reference counted). */
typedef struct _virNetwork virNetwork;
typedef virNetwork *virNetworkPtr;

/* Returns the connection network belongs to, without adding a reference,
 * or NULL on error. */
virConnectPtr virNetworkGetConnect(virNetworkPtr network);

/* Returns the number of active networks, or -1 on error. */
int virConnectNumOfNetworks(virConnectPtr conn);

/* Stores the names of up to maxnames active networks in names (caller
 * frees each).  Returns how many it stored, or -1 on error. */
int virConnectListNetworks(virConnectPtr conn,
                           char **const names,
                           int maxnames);

/* Returns the number of defined, inactive networks, or -1 on error. */
int virConnectNumOfDefinedNetworks(virConnectPtr conn);

/* Stores the names of up to maxnames defined, inactive networks in names
 * (caller frees each).  Returns how many it stored, or -1 on error. */
int virConnectListDefinedNetworks(virConnectPtr conn,
                                  char **const names,
                                  int maxnames);

/* Filters for virConnectListAllNetworks(): within each pair, setting
 * neither or both flags selects all networks. */
typedef enum {
    VIR_CONNECT_LIST_NETWORKS_INACTIVE = 1 << 0,
    VIR_CONNECT_LIST_NETWORKS_ACTIVE = 1 << 1,

    VIR_CONNECT_LIST_NETWORKS_PERSISTENT = 1 << 2,
    VIR_CONNECT_LIST_NETWORKS_TRANSIENT = 1 << 3,

    VIR_CONNECT_LIST_NETWORKS_AUTOSTART = 1 << 4,
    VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART = 1 << 5,
} virConnectListAllNetworksFlags;

/* Collects the networks selected by flags (virConnectListAllNetworksFlags,
 * 0: all) into a new array stored in *nets (may be NULL to only count); the
 * caller frees each with virNetworkFree() and the array with free().
 * Returns the number of networks, or -1 on error. */
int virConnectListAllNetworks(virConnectPtr conn,
                              virNetworkPtr **nets,
                              unsigned int flags);

/* Returns the network called name (release with virNetworkFree()), or NULL
 * on error (VIR_ERR_NO_NETWORK when there is none). */
virNetworkPtr virNetworkLookupByName(virConnectPtr conn,
                                     const char *name);

/* Returns the network with the raw UUID uuid, or NULL on error. */
virNetworkPtr virNetworkLookupByUUID(virConnectPtr conn,
                                     const unsigned char *uuid);

/* Returns the network with the UUID written as text in uuid, or NULL on
 * error. */
virNetworkPtr virNetworkLookupByUUIDString(virConnectPtr conn,
                                           const char *uuid);

/* Creates and starts a transient network described by xmlDesc.  Blocks
 * until done (see virNetworkCreateXMLJob()).  Returns the network, or NULL
 * on error. */
virNetworkPtr virNetworkCreateXML(virConnectPtr conn,
                                  const char *xmlDesc);

/* Defines a persistent network from xmlDesc without starting it, or
 * replaces the persistent definition of an existing one.  Returns the
 * network, or NULL on error. */
virNetworkPtr virNetworkDefineXML(virConnectPtr conn,
                                  const char *xmlDesc);

/* Removes the persistent definition of a network.  Returns 0, or -1 on
 * error. */
int virNetworkUndefine(virNetworkPtr network);

/* Starts a defined network.  Blocks until done (see virNetworkCreateJob()).
 * Returns 0, or -1 on error. */
int virNetworkCreate(virNetworkPtr network);

/* Stops an active network; a transient one disappears.  Returns 0, or -1
 * on error. */
int virNetworkDestroy(virNetworkPtr network);

/* Adds a reference to network, to be released with virNetworkFree().
 * Returns 0, or -1 on error. */
int virNetworkRef(virNetworkPtr network);

/* Releases one reference to the handle; the network itself is untouched.
 * Returns 0, or -1 on error. */
int virNetworkFree(virNetworkPtr network);

/* Returns the network's name, valid as long as the handle, or NULL on
 * error. */
const char *virNetworkGetName(virNetworkPtr network);

/* Copies the raw UUID (VIR_UUID_BUFLEN bytes) into uuid.  Returns 0, or -1
 * on error. */
int virNetworkGetUUID(virNetworkPtr network,
                      unsigned char *uuid);

/* Writes the UUID as text into buf (VIR_UUID_STRING_BUFLEN bytes).
 * Returns 0, or -1 on error. */
int virNetworkGetUUIDString(virNetworkPtr network,
                            char *buf);

/* Returns the network's XML description (caller frees), or NULL on error.
 * flags: virNetworkXMLFlags. */
char *virNetworkGetXMLDesc(virNetworkPtr network,
                           unsigned int flags);

/* Returns the name of the host bridge the network uses (caller frees), or
 * NULL on error. */
char *virNetworkGetBridgeName(virNetworkPtr network);

/* Stores 1 in *autostart if the network starts with the host, else 0.
 * Returns 0, or -1 on error. */
int virNetworkGetAutostart(virNetworkPtr network,
                           int *autostart);

/* Makes a persistent network start with the host (autostart 1) or not (0).
 * Returns 0, or -1 on error. */
int virNetworkSetAutostart(virNetworkPtr network,
                           int autostart);

/* Returns 1 if the network is active, 0 if not, -1 on error. */
int virNetworkIsActive(virNetworkPtr net);

/* Returns 1 if the network has a persistent definition, 0 if it is
 * transient, -1 on error. */
int virNetworkIsPersistent(virNetworkPtr net);

#endif /* LIBVIRT_NETWORK_H */
