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
  readonly eventID: number;
  /** The daemon's id for it; null until its REGISTER_ANY has answered. */
  remoteId: number | null;
  readonly deliver: DomainLifecycleCallback;
}

type EventSlots = Pick<HypervisorDriver, 'connectDomainEventRegisterAny' | 'connectDomainEventDeregisterAny'>;

export function remoteDomainEvents(rc: RemoteConnection): EventSlots {
  let nextId = 0;
  const registrations = new Map<number, Registration>();
  let listening = false;

  const listen = () => {
    if (listening) return;
    listening = true;
    rc.client.onMessage(remoteProgram, (procedure, msg) => {
      if (procedure.number !== remote_procedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) return;
      const m = msg as remote_domain_event_callback_lifecycle_msg;
      for (const r of registrations.values()) {
        if (r.remoteId !== m.callbackID || r.eventID !== virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE) continue;
        r.deliver({ domain: rc.domains.fromWire(m.msg.dom), event: m.msg.event, detail: m.msg.detail });
      }
    });
  };

  return {
    async connectDomainEventRegisterAny(_conn, dom: VirDomain | null, eventID, deliver) {
      if (!(await rc.supports(FEATURE.REMOTE_EVENT_CALLBACK)))
        throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_REMOTE, 'the daemon has no per-callback domain events (libvirt older than 1.2.1)');
      listen();
      const id = nextId++;
      const registration: Registration = { eventID, remoteId: null, deliver };
      registrations.set(id, registration);
      try {
        const r = await rc.call<{ callbackID: number }>('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', {
          eventID,
          dom: dom ? toWireDomain(dom) : null,
        });
        registration.remoteId = r.callbackID;
        return id;
      } catch (err) {
        registrations.delete(id);
        throw err;
      }
    },
    async connectDomainEventDeregisterAny(_conn, callbackID) {
      const r = registrations.get(callbackID);
      if (!r || r.remoteId === null)
        throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `could not find event callback ${callbackID} for deletion`);
      registrations.delete(callbackID);
      await rc.call('CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID: r.remoteId });
    },
  };
}
