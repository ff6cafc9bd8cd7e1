// A TCP port free on the loopback now, for a daemon a test or bench starts (sshd, libvirtd --listen).
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
