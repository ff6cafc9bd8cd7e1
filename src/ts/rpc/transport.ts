// Opens a transport (channel.ts) into the byte channel the RPC client reads and writes.
import { createConnection } from 'node:net';
import { type ByteChannel, connectError, SocketChannel, type Transport } from './channel.js';
import { CommandChannel } from './command-channel.js';
import { openTls } from './tls-channel.js';

export type { ByteChannel, TlsFiles, Transport } from './channel.js';
export { describeTransport } from './channel.js';

/** Opens `t`; rejects with libvirt's error when it cannot (nothing listening, no such host, no such command). */
export function openChannel(t: Transport): Promise<ByteChannel> {
  if (t.kind === 'command') return Promise.resolve(CommandChannel.spawn(t.argv));
  if (t.kind === 'tls') return openTls(t);
  return new Promise((resolve, reject) => {
    const socket = t.kind === 'unix' ? createConnection({ path: t.path }) : createConnection({ host: t.host, port: t.port });
    socket.once('error', (err: NodeJS.ErrnoException) => reject(connectError(t, err)));
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(new SocketChannel(socket));
    });
  });
}
