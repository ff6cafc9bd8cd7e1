// The remote driver: asked last, after every local driver, as libvirt asks its remote driver. It serves the URIs
// no local driver claimed: with a transport (`test+unix:///default?socket=S`, `qemu+ssh://host/system`,
// `qemu+tls://host/system`, `qemu+tcp://host/system`, `qemu+ext:///system?command=C`), with a host and no
// transport (TLS: `qemu://host/system`) and without either (`qemu:///session`, `qemu:///system`): it reaches the
// daemon (uri.ts) and speaks libvirt's RPC protocol to it (src/ts/rpc/client.ts).
import { existsSync } from 'node:fs';
import { virConnectFlags } from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { isInsideDaemon } from '../registry.js';
import type { ConnectDriver } from '../driver.js';
import { remoteDefaults } from './options.js';
import { remoteTarget } from './uri.js';

export { remoteDefaults };

export const remoteDriver: ConnectDriver = {
  name: 'remote',
  // Every URI no local driver claimed, as libvirt's remote driver takes them; inside tsvirtd, as inside libvirtd,
  // such a URI is unknown, never handed on.
  accepts: () => !isInsideDaemon(),
  open(uri, flags) {
    const target = remoteTarget(uri, uri.href, (flags & virConnectFlags.VIR_CONNECT_RO) !== 0);
    // No daemon there: known at once, so even a synchronous open gets libvirt's error.
    const { transport } = target;
    if (transport.kind === 'unix' && !existsSync(transport.path)) {
      throw virError(
        ErrorNumber.VIR_ERR_SYSTEM_ERROR,
        ErrorDomain.VIR_FROM_RPC,
        `Failed to connect socket to '${transport.path}': No such file or directory`,
      );
    }
    // The protocol's codecs load only when a remote connection is first opened: local URIs never pay for them.
    return import('./open.js').then(({ openRemote }) => openRemote(target, flags));
  },
};

