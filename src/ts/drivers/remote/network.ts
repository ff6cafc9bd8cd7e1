// The network driver table of a remote connection: REMOTE network procedures, replies as local values.
import type { VirNetwork } from '../../core/handles.js';
import { ErrorDomain } from '../../errors/index.js';
import { REMOTE_NETWORK_LIST_MAX, type remote_nonnull_network } from '../../rpc/generated/remote-protocol.js';
import type { NetworkDriver } from '../driver.js';
import type { RemoteConnection } from './connection.js';
import { blockingCallJob, remoteJobSpec } from './jobs.js';
import { networkFromWire, toWireNetwork, uuidBytes } from './wire.js';

type Net = { net: remote_nonnull_network };

export function remoteNetwork(rc: RemoteConnection): NetworkDriver {
  const net = (n: VirNetwork) => ({ net: toWireNetwork(n) });
  const refOf = (r: Net) => networkFromWire(r.net);
  const FROM = ErrorDomain.VIR_FROM_NETWORK;
  return {
    connectListAllNetworks: async (_c, flags) =>
      (await rc.call<{ nets: remote_nonnull_network[] }>('CONNECT_LIST_ALL_NETWORKS', { need_results: 1, flags })).nets.map(networkFromWire),
    connectNumOfNetworks: async () => (await rc.call<{ num: number }>('CONNECT_NUM_OF_NETWORKS')).num,
    connectListNetworks: async () => (await rc.call<{ names: string[] }>('CONNECT_LIST_NETWORKS', { maxnames: REMOTE_NETWORK_LIST_MAX })).names,
    connectNumOfDefinedNetworks: async () => (await rc.call<{ num: number }>('CONNECT_NUM_OF_DEFINED_NETWORKS')).num,
    connectListDefinedNetworks: async () =>
      (await rc.call<{ names: string[] }>('CONNECT_LIST_DEFINED_NETWORKS', { maxnames: REMOTE_NETWORK_LIST_MAX })).names,
    networkLookupByName: async (_c, name) => refOf(await rc.call<Net>('NETWORK_LOOKUP_BY_NAME', { name })),
    networkLookupByUUID: async (_c, uuid) => refOf(await rc.call<Net>('NETWORK_LOOKUP_BY_UUID', { uuid: uuidBytes(uuid) })),
    networkGetXMLDesc: async (n, flags) => (await rc.call<{ xml: string }>('NETWORK_GET_XML_DESC', { ...net(n), flags })).xml,
    networkGetBridgeName: async (n) => (await rc.call<{ name: string }>('NETWORK_GET_BRIDGE_NAME', net(n))).name,
    networkGetAutostart: async (n) => (await rc.call<{ autostart: number }>('NETWORK_GET_AUTOSTART', net(n))).autostart !== 0,
    networkSetAutostart: async (n, autostart) => {
      await rc.call('NETWORK_SET_AUTOSTART', { ...net(n), autostart: autostart ? 1 : 0 });
    },
    networkIsActive: async (n) => (await rc.call<{ active: number }>('NETWORK_IS_ACTIVE', net(n))).active !== 0,
    networkIsPersistent: async (n) => (await rc.call<{ persistent: number }>('NETWORK_IS_PERSISTENT', net(n))).persistent !== 0,
    networkDefineXML: async (_c, xml, flags) =>
      refOf(flags === 0 ? await rc.call<Net>('NETWORK_DEFINE_XML', { xml }) : await rc.call<Net>('NETWORK_DEFINE_XML_FLAGS', { xml, flags })),
    networkUndefine: async (n) => {
      await rc.call('NETWORK_UNDEFINE', net(n));
    },
    networkDestroy: async (n) => {
      await rc.call('NETWORK_DESTROY', net(n));
    },
    // NETWORK_CREATE has no flags: the entry point checked them; the daemon's driver checks the rest.
    networkCreate: (n, _flags, start) =>
      blockingCallJob(rc, start, remoteJobSpec('network-start', 'network start', FROM, { network: n }), 'NETWORK_CREATE', net(n), () => undefined),
    networkCreateXML: (_c, xml, flags, start) =>
      flags === 0
        ? blockingCallJob(rc, start, remoteJobSpec('network-start', 'network create', FROM), 'NETWORK_CREATE_XML', { xml }, refOf)
        : blockingCallJob(rc, start, remoteJobSpec('network-start', 'network create', FROM), 'NETWORK_CREATE_XML_FLAGS', { xml, flags }, refOf),
  };
}
