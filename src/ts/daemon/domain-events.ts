// One client's domain event callbacks (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY / DEREGISTER_ANY): each is
// registered through the public entry point on the client's connection, and each event it hears goes to the
// client as a MESSAGE packet, as libvirtd sends them (serial 1, status OK, the callback id in the payload).
import * as events from '../api/events.js';
import type { VirConnect, VirDomain } from '../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import { remote_domain_event_callback_lifecycle_msg, remote_nonnull_domain } from '../rpc/generated/remote-protocol.js';
import { encodePacketWith, VIR_NET_MESSAGE, VIR_NET_OK } from '../rpc/packet.js';
import { remoteProgram } from '../rpc/programs.js';
import { toWire } from './wire-values.js';

const LIFECYCLE_PROC = 318; // REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE
/** libvirtd sends every event MESSAGE with serial 1 (x3-python-events). */
const EVENT_SERIAL = 1;

export class ClientDomainEvents {
  /** The callback ids this client registered, as the driver numbered them (libvirtd hands those out too). */
  private readonly ids = new Set<number>();

  /** `send` writes an encoded packet to the client (and applies the session's limits on unread output). */
  constructor(private readonly send: (packet: Buffer) => void, private readonly maxPacket: number) {}

  async register(conn: VirConnect, eventID: number, dom: VirDomain | null): Promise<{ callbackID: number }> {
    // libvirtd's own check, before the entry point's.
    if (eventID < 0 || eventID >= events.DOMAIN_EVENT_ID_LAST)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, `unsupported event ID ${eventID}`);
    let callbackID = -1;
    const id = await events.virConnectDomainEventRegisterAny(conn, dom, eventID, (_conn, d, event, detail) => {
      if (!this.ids.has(callbackID)) return;
      const msg = { callbackID, msg: { dom: toWire(remote_nonnull_domain, d), event, detail } };
      const header = { prog: remoteProgram.program, vers: remoteProgram.version, proc: LIFECYCLE_PROC, type: VIR_NET_MESSAGE, serial: EVENT_SERIAL, status: VIR_NET_OK };
      this.send(encodePacketWith(header, remote_domain_event_callback_lifecycle_msg, msg, this.maxPacket));
    });
    callbackID = id;
    this.ids.add(id);
    return { callbackID: id };
  }

  async deregister(conn: VirConnect, callbackID: number): Promise<undefined> {
    if (!this.ids.has(callbackID))
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, `domain event callback ${callbackID} not registered`);
    await events.virConnectDomainEventDeregisterAny(conn, callbackID);
    this.ids.delete(callbackID);
    return undefined;
  }

  /** The client is going away: nothing more is sent, and its callbacks are removed from the driver. */
  dropAll(conn: VirConnect | null): void {
    const ids = [...this.ids];
    this.ids.clear();
    if (!conn?.alive) return;
    for (const id of ids) {
      const done = events.virConnectDomainEventDeregisterAny(conn, id);
      if (done instanceof Promise) done.catch(() => {});
    }
  }
}
