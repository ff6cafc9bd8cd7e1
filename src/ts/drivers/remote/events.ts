// Domain events of a remote connection: each registration is one CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY
// on the daemon, whose MESSAGE packets (DOMAIN_EVENT_CALLBACK_LIFECYCLE) carry the daemon's callback id back.
// Callback ids handed to the caller are this connection's own, from 0 in registration order, as libvirt's.
import type { VirDomain } from '../../core/handles.js';
import { virDomainEventID } from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import type { remote_domain_event_callback_lifecycle_msg } from '../../rpc/generated/remote-protocol.js';
import { remote_procedure } from '../../rpc/generated/remote-protocol.js';
import { remoteProgram } from '../../rpc/programs.js';
import type { HypervisorDriver } from '../driver.js';
import type { DomainLifecycleCallback } from '../domain-events.js';
import { FEATURE, type RemoteConnection } from './connection.js';
import { toWireDomain } from './wire.js';

interface Registration {
  readonly key: string;
  readonly deliver: DomainLifecycleCallback;
}

/**
 * One daemon registration per event id and domain filter, shared by this connection's callbacks with the
 * same ones (libvirtd refuses a second identical one from a client: "event callback already tracked").
 */
interface Remote {
  /** The daemon's callback id, once REGISTER_ANY has answered. */
  readonly id: Promise<number>;
  readonly eventID: number;
  readonly locals: Set<number>;
  /** While registered, the process stays alive for the daemon's events. */
  readonly release: () => void;
}

type EventSlots = Pick<HypervisorDriver, 'connectDomainEventRegisterAny' | 'connectDomainEventDeregisterAny'>;

export function remoteDomainEvents(rc: RemoteConnection): EventSlots {
  let nextId = 0;
  const registrations = new Map<number, Registration>();
  const remotes = new Map<string, Remote>();
  /** The daemon's callback ids, resolved, to the key they serve. */
  const byRemoteId = new Map<number, string>();
  let listening = false;

  const listen = () => {
    if (listening) return;
    listening = true;
    rc.client.onMessage(remoteProgram, (procedure, msg) => {
      if (procedure.number !== remote_procedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) return;
      const m = msg as remote_domain_event_callback_lifecycle_msg;
      const key = byRemoteId.get(m.callbackID);
      const remote = key === undefined ? undefined : remotes.get(key);
      if (!remote || remote.eventID !== virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE) return;
      const domain = rc.domains.fromWire(m.msg.dom);
      for (const local of [...remote.locals]) {
        const r = registrations.get(local);
        if (!r) continue;
        try {
          r.deliver({ domain, event: m.msg.event, detail: m.msg.detail });
        } catch (err) {
          process.emitWarning(`tsvirt: a domain event callback failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
  };

  return {
    async connectDomainEventRegisterAny(_conn, dom: VirDomain | null, eventID, deliver) {
      if (!(await rc.supports(FEATURE.REMOTE_EVENT_CALLBACK)))
        throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_REMOTE, 'the daemon has no per-callback domain events (libvirt older than 1.2.1)');
      listen();
      const key = `${eventID}/${dom ? dom.uuid : '*'}`;
      let remote = remotes.get(key);
      if (!remote) {
        const id = rc
          .call<{ callbackID: number }>('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID, dom: dom ? toWireDomain(dom) : null })
          .then((r) => {
            byRemoteId.set(r.callbackID, key);
            return r.callbackID;
          });
        const created: Remote = { id, eventID, locals: new Set(), release: rc.client.hold() };
        remote = created;
        remotes.set(key, created);
        id.catch(() => {
          created.release();
          if (remotes.get(key) === created) remotes.delete(key);
        });
      }
      const local = nextId++;
      remote.locals.add(local);
      registrations.set(local, { key, deliver });
      try {
        await remote.id;
        return local;
      } catch (err) {
        remote.locals.delete(local);
        registrations.delete(local);
        throw err;
      }
    },
    async connectDomainEventDeregisterAny(_conn, callbackID) {
      const r = registrations.get(callbackID);
      const remote = r && remotes.get(r.key);
      if (!r || !remote)
        // libvirt's remote driver words it so (its local drivers say "could not find event callback N for deletion").
        throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `event callback id ${callbackID} not registered`);
      registrations.delete(callbackID);
      remote.locals.delete(callbackID);
      if (remote.locals.size > 0) return;
      remotes.delete(r.key);
      remote.release();
      const id = await remote.id;
      byRemoteId.delete(id);
      await rc.call('CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID: id });
    },
  };
}
