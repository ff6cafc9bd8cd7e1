import koffi from 'koffi';
import { ErrorDomain, errorDomainName } from '../ts/errors/index.js';
import { VirJob } from '../ts/jobs/job.js';
import { DispatcherType } from './abi-types.js';
import type { Handlers } from './call.js';
import { domainEventHandlers, domainHandlers } from './dispatch-domain.js';
import { closeCallbackHandlers, hostHandlers } from './dispatch-host.js';
import { jobHandlers } from './dispatch-job.js';
import { networkHandlers } from './dispatch-network.js';
import { storageHandlers } from './dispatch-storage.js';
import { streamHandlers } from './dispatch-stream.js';
import { createDispatcher } from './dispatch.js';
import { CloseCallbacks } from './close-callbacks.js';
import { DomainEventCallbacks } from './domain-event-callbacks.js';
import { HandleTable } from './handle-table.js';
import { JobCallbacks } from './job-callbacks.js';
import { JobPublisher } from './job-publisher.js';
import { ObjectPublisher } from './object-publisher.js';
import { installRing } from './ring.js';
import { nativeAbi } from './native-abi.js';

/**
 * The C ABI's bridge to the TypeScript drivers: after installBridge(), every vir* function of the native
 * library, called from any thread, is served by the TypeScript entry point of the same name (src/ts/api/),
 * the implementation the TypeScript APIs use too.
 *
 * The bridge lives as long as the process: its dispatcher is never unregistered, since C may call it at
 * any time (ENGINEERING.md, koffi rule 3), and it owns the job engine's observer. Whoever lets native
 * threads call in must keep the event loop alive meanwhile (holdEventLoop(); tsvirt-run does).
 */
export interface Bridge {
  /** Handles C holds: the native count and the JavaScript table's, which agree unless a handle leaked. */
  liveHandles(): { native: number; table: number };
}

let installed: Bridge | undefined;

export function installBridge(): Bridge {
  if (installed) return installed;
  const abi = nativeAbi();
  // The table announces new and released handles, which the publishers publish and forget.
  const table: HandleTable = new HandleTable(abi, {
    added(object, pointer) {
      if (object instanceof VirJob) publisher.publish(object, pointer);
      else objects.added(object, pointer);
    },
    released: (object) => objects.released(object),
  });
  const objects = new ObjectPublisher(abi, (object) => table.existing(object));
  const callbacks = new JobCallbacks(abi, table);
  const publisher = new JobPublisher(abi, table, callbacks);
  const handlers: Handlers = {
    ...hostHandlers,
    ...closeCallbackHandlers(new CloseCallbacks(abi, table)),
    ...domainHandlers,
    ...domainEventHandlers(new DomainEventCallbacks(abi, table)),
    ...networkHandlers,
    ...storageHandlers,
    ...streamHandlers,
    ...jobHandlers(abi, table, callbacks),
  };
  const dispatcher = createDispatcher(abi, table, handlers);

  for (const domain of Object.values(ErrorDomain)) abi.setErrorDomainName(domain, errorDomainName(domain));
  // The ring first: once the bridge is ready, C threads may queue calls and wake this thread.
  installRing(abi);
  const pointer = koffi.register(dispatcher, koffi.pointer(DispatcherType));
  if (abi.bridgeInit(pointer) !== 0) {
    // C never saw this one, so it may go.
    koffi.unregister(pointer);
    throw new Error('tsvirt: another bridge already serves the C ABI in this process');
  }
  publisher.install();
  installed = { liveHandles: () => ({ native: abi.liveHandles(), table: table.size }) };
  return installed;
}
