// The hypervisor driver table of a remote connection: each slot is the REMOTE procedure libvirt's own remote
// driver sends for it, its reply turned into the values local drivers return. Errors are libvirtd's, as sent.
import type { VirConnect, VirDomain } from '../../core/handles.js';
import { VirError } from '../../errors/index.js';
import type { remote_nonnull_domain } from '../../rpc/generated/remote-protocol.js';
import { REMOTE_DOMAIN_LIST_MAX } from '../../rpc/generated/remote-protocol.js';
import type { DomainInfo, DomainJobInfo, HypervisorDriver } from '../driver.js';
import type { RemoteConnection } from './connection.js';
import { remoteDomainEvents } from './events.js';
import { remoteDomainJobs } from './jobs.js';
import { charArray, num, toWireDomain, uuidBytes } from './wire.js';

type Dom = { dom: remote_nonnull_domain };

/** What the daemon answered at open time, or the error it answered with. */
function answered<T>(value: T | VirError): T {
  if (value instanceof VirError) throw value;
  return value;
}

export function remoteHypervisor(rc: RemoteConnection): HypervisorDriver {
  const dom = (d: VirDomain) => ({ dom: toWireDomain(d) });
  const refOf = (r: Dom) => rc.domains.fromWire(r.dom);
  const flagOr = <T>(flags: number, plain: () => Promise<T>, withFlags: () => Promise<T>) => (flags === 0 ? plain() : withFlags());

  return {
    name: 'remote',
    connectGetType: () => answered(rc.type),
    connectGetVersion: () => answered(rc.version),
    connectGetLibVersion: () => answered(rc.libVersion),
    connectSetKeepAlive: (_c, interval, count) => rc.setKeepAlive(interval, count),
    connectGetHostname: async () => (await rc.call<{ hostname: string }>('CONNECT_GET_HOSTNAME')).hostname,
    connectGetCapabilities: async () => (await rc.call<{ capabilities: string }>('CONNECT_GET_CAPABILITIES')).capabilities,
    connectGetMaxVcpus: async (_c: VirConnect, type: string | null) =>
      (await rc.call<{ max_vcpus: number }>('CONNECT_GET_MAX_VCPUS', { type })).max_vcpus,
    // As libvirt's remote driver answers from its transport: unix, ssh and TLS are secure, TLS alone encrypted.
    connectIsSecure: () => rc.target.secure,
    connectIsEncrypted: () => rc.target.transport.kind === 'tls',
    nodeGetInfo: async () => {
      const r = await rc.call<any>('NODE_GET_INFO');
      return {
        model: charArray(r.model),
        memory: num(r.memory),
        cpus: r.cpus,
        mhz: r.mhz,
        nodes: r.nodes,
        sockets: r.sockets,
        cores: r.cores,
        threads: r.threads,
      };
    },
    nodeGetSecurityModel: async () => {
      const r = await rc.call<{ model: number[]; doi: number[] }>('NODE_GET_SECURITY_MODEL');
      return { model: charArray(r.model), doi: charArray(r.doi) };
    },

    connectListAllDomains: async (_c, flags) => {
      const r = await rc.call<{ domains: remote_nonnull_domain[] }>('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags });
      return r.domains.map((d) => rc.domains.fromWire(d));
    },
    connectNumOfDomains: async () => (await rc.call<{ num: number }>('CONNECT_NUM_OF_DOMAINS')).num,
    connectListDomains: async () => (await rc.call<{ ids: number[] }>('CONNECT_LIST_DOMAINS', { maxids: REMOTE_DOMAIN_LIST_MAX })).ids,
    connectNumOfDefinedDomains: async () => (await rc.call<{ num: number }>('CONNECT_NUM_OF_DEFINED_DOMAINS')).num,
    connectListDefinedDomains: async () =>
      (await rc.call<{ names: string[] }>('CONNECT_LIST_DEFINED_DOMAINS', { maxnames: REMOTE_DOMAIN_LIST_MAX })).names,
    domainLookupByName: async (_c, name) => refOf(await rc.call<Dom>('DOMAIN_LOOKUP_BY_NAME', { name })),
    domainLookupByID: async (_c, id) => refOf(await rc.call<Dom>('DOMAIN_LOOKUP_BY_ID', { id })),
    domainLookupByUUID: async (_c, uuid) => refOf(await rc.call<Dom>('DOMAIN_LOOKUP_BY_UUID', { uuid: uuidBytes(uuid) })),

    domainGetInfo: async (d): Promise<DomainInfo> => {
      const r = await rc.call<any>('DOMAIN_GET_INFO', dom(d));
      return { state: r.state, maxMem: num(r.maxMem), memory: num(r.memory), nrVirtCpu: r.nrVirtCpu, cpuTime: BigInt(r.cpuTime) };
    },
    domainGetState: async (d, flags) => {
      const r = await rc.call<{ state: number; reason: number }>('DOMAIN_GET_STATE', { ...dom(d), flags });
      return { state: r.state, reason: r.reason };
    },
    domainGetXMLDesc: async (d, flags) => (await rc.call<{ xml: string }>('DOMAIN_GET_XML_DESC', { ...dom(d), flags })).xml,
    domainGetOSType: async (d) => (await rc.call<{ type: string }>('DOMAIN_GET_OS_TYPE', dom(d))).type,
    domainGetMaxMemory: async (d) => num((await rc.call<{ memory: bigint }>('DOMAIN_GET_MAX_MEMORY', dom(d))).memory),
    domainGetAutostart: async (d) => (await rc.call<{ autostart: number }>('DOMAIN_GET_AUTOSTART', dom(d))).autostart !== 0,
    domainIsActive: async (d) => (await rc.call<{ active: number }>('DOMAIN_IS_ACTIVE', dom(d))).active !== 0,
    domainIsPersistent: async (d) => (await rc.call<{ persistent: number }>('DOMAIN_IS_PERSISTENT', dom(d))).persistent !== 0,
    domainHasManagedSaveImage: async (d, flags) =>
      (await rc.call<{ result: number }>('DOMAIN_HAS_MANAGED_SAVE_IMAGE', { ...dom(d), flags })).result !== 0,
    domainGetSecurityLabel: async (d) => {
      const r = await rc.call<{ label: number[]; enforcing: number }>('DOMAIN_GET_SECURITY_LABEL', dom(d));
      return { label: charArray(r.label), enforcing: r.enforcing !== 0 };
    },

    domainDefineXML: async (_c, xml, flags) =>
      refOf(await flagOr(flags, () => rc.call<Dom>('DOMAIN_DEFINE_XML', { xml }), () => rc.call<Dom>('DOMAIN_DEFINE_XML_FLAGS', { xml, flags }))),
    domainUndefine: async (d, flags) => {
      await flagOr(flags, () => rc.call('DOMAIN_UNDEFINE', dom(d)), () => rc.call('DOMAIN_UNDEFINE_FLAGS', { ...dom(d), flags }));
    },
    domainDestroy: async (d, flags) => {
      await flagOr(flags, () => rc.call('DOMAIN_DESTROY', dom(d)), () => rc.call('DOMAIN_DESTROY_FLAGS', { ...dom(d), flags }));
      rc.domains.setId(d.uuid, -1);
    },
    domainSuspend: async (d) => {
      await rc.call('DOMAIN_SUSPEND', dom(d));
    },
    domainResume: async (d) => {
      await rc.call('DOMAIN_RESUME', dom(d));
    },
    domainShutdown: async (d, flags) => {
      await flagOr(flags, () => rc.call('DOMAIN_SHUTDOWN', dom(d)), () => rc.call('DOMAIN_SHUTDOWN_FLAGS', { ...dom(d), flags }));
    },
    domainReboot: async (d, flags) => {
      await rc.call('DOMAIN_REBOOT', { ...dom(d), flags });
    },

    // libvirt's per-domain job view, asked of the daemon (it knows jobs of every client, virsh's included).
    domainGetJobInfo: async (d): Promise<DomainJobInfo> => {
      const r = await rc.call<any>('DOMAIN_GET_JOB_INFO', dom(d));
      return {
        type: r.type,
        operation: 0,
        timeElapsed: num(r.timeElapsed),
        timeRemaining: num(r.timeRemaining),
        dataTotal: num(r.dataTotal),
        dataProcessed: num(r.dataProcessed),
        dataRemaining: num(r.dataRemaining),
        memTotal: num(r.memTotal),
        memProcessed: num(r.memProcessed),
        memRemaining: num(r.memRemaining),
        fileTotal: num(r.fileTotal),
        fileProcessed: num(r.fileProcessed),
        fileRemaining: num(r.fileRemaining),
      };
    },
    domainAbortJob: async (d) => {
      await rc.call('DOMAIN_ABORT_JOB', dom(d));
    },

    connectIsAlive: () => rc.alive,
    connectRegisterCloseCallback: (_c, callback) => rc.addCloseCallback(callback),
    connectUnregisterCloseCallback: (_c, callback) => rc.removeCloseCallback(callback),

    ...remoteDomainJobs(rc),
    ...remoteDomainEvents(rc),
  };
}
