// tsvirtd: serves tsvirt's drivers to libvirt clients (virsh, python3-libvirt, libvirt's C library) over
// libvirt's own RPC protocol on unix sockets. See docs/daemon.md.
import { parseArgs } from 'node:util';
import { Daemon, defaultSocketPath, defaultStateDir } from './server.js';

const USAGE = `Usage: tsvirtd [OPTIONS]

  --listen PATH            the read-write socket (default: $XDG_RUNTIME_DIR/tsvirt/tsvirt-sock)
  --readonly-listen PATH   the read-only socket (default: the read-write path + "-ro")
  --no-readonly            no read-only socket
  --socket-mode MODE       octal mode of the read-write socket (default 0600)
  --readonly-socket-mode MODE  octal mode of the read-only socket (default 0600)
  --max-packet BYTES       largest packet accepted (default 33554432, libvirt's limit)
  --keepalive-interval SEC seconds of client silence before a keepalive ping (default 5; 0: never)
  --state-dir DIR          where the job journal jobs.json is kept (default: $XDG_STATE_HOME/tsvirt/tsvirtd
                           for the default socket, PATH.state beside a --listen PATH)
  --shutdown-grace SEC     on SIGTERM, how long running jobs may finish before they are cancelled (default 5)
  --verbose                log every client connection
  --help
`;

function parseMode(text: string, what: string): number {
  if (!/^0?[0-7]{3}$/.test(text)) throw new Error(`${what} must be an octal mode such as 0600, not '${text}'`);
  return parseInt(text, 8);
}

function parsePositive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a non-negative number, not '${text}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const log = (message: string) => process.stderr.write(`tsvirtd: ${message}\n`);
  let daemon: Daemon;
  let shutdownGraceMs = 5000;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        listen: { type: 'string' },
        'readonly-listen': { type: 'string' },
        'no-readonly': { type: 'boolean' },
        'socket-mode': { type: 'string' },
        'readonly-socket-mode': { type: 'string' },
        'max-packet': { type: 'string' },
        'keepalive-interval': { type: 'string' },
        'state-dir': { type: 'string' },
        'shutdown-grace': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const socketPath = values.listen ?? defaultSocketPath();
    if (!socketPath) throw new Error('XDG_RUNTIME_DIR is not set: give the socket with --listen PATH');
    const verbose = values.verbose ?? false;
    shutdownGraceMs = values['shutdown-grace'] ? parsePositive(values['shutdown-grace'], '--shutdown-grace') * 1000 : 5000;
    daemon = new Daemon({
      socketPath,
      stateDir: values['state-dir'] ?? defaultStateDir(socketPath, values.listen === undefined),
      readOnlySocketPath: values['no-readonly'] ? null : (values['readonly-listen'] ?? `${socketPath}-ro`),
      socketMode: values['socket-mode'] ? parseMode(values['socket-mode'], '--socket-mode') : undefined,
      readOnlySocketMode: values['readonly-socket-mode'] ? parseMode(values['readonly-socket-mode'], '--readonly-socket-mode') : undefined,
      limits: {
        ...(values['max-packet'] ? { maxPacket: parsePositive(values['max-packet'], '--max-packet') } : {}),
        ...(values['keepalive-interval'] ? { keepaliveIntervalMs: parsePositive(values['keepalive-interval'], '--keepalive-interval') * 1000 } : {}),
      },
      log: (message) => {
        if (verbose || !message.startsWith('client ')) log(message);
      },
    });
    await daemon.start();
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.stderr.write(USAGE);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      daemon.stop(shutdownGraceMs).then(resolve, (err) => {
        log(`shutdown: ${err instanceof Error ? err.message : String(err)}`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  log('stopped');
  return 0;
}
