// tsvirtd's listening side: a read-write and a read-only unix socket, the client sessions, shutdown.
import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect as netConnect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { markInsideDaemon } from '../drivers/registry.js';
import { PACKET_MAX } from '../rpc/packet.js';
import { type CallObserver, ClientSession, type Log, type SessionLimits } from './client-session.js';
import { streamAbortsSettled } from './client-streams.js';

export interface DaemonOptions {
  /** The read-write socket. */
  socketPath: string;
  /** The read-only socket (null: none). */
  readOnlySocketPath: string | null;
  /** File modes of the sockets (default 0600: only the daemon's user may connect). */
  socketMode?: number;
  readOnlySocketMode?: number;
  limits?: Partial<SessionLimits>;
  log?: Log;
  onCall?: CallObserver;
}

export const DEFAULT_LIMITS: SessionLimits = {
  maxPacket: PACKET_MAX,
  maxCallsInFlight: 64,
  maxQueuedOutput: 4 * 1024 * 1024,
  keepaliveIntervalMs: 5000,
  keepaliveCount: 5,
};

/** Where tsvirtd listens when no --listen is given: $XDG_RUNTIME_DIR/tsvirt/tsvirt-sock (and -ro). */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'tsvirt', 'tsvirt-sock') : null;
}

export class Daemon {
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<ClientSession>();
  private readonly limits: SessionLimits;
  private readonly log: Log;
  private nextClientId = 1;

  constructor(private readonly options: DaemonOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    markInsideDaemon();
    this.log = options.log ?? (() => {});
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** The connected clients (for tests and diagnostics). */
  get clients(): readonly ClientSession[] {
    return [...this.sessions];
  }

  async start(): Promise<void> {
    await this.listen(this.options.socketPath, false, this.options.socketMode ?? 0o600);
    if (this.options.readOnlySocketPath) {
      await this.listen(this.options.readOnlySocketPath, true, this.options.readOnlySocketMode ?? 0o600);
    }
  }

  private async listen(path: string, readOnly: boolean, mode: number): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await removeStaleSocket(path);
    const server = createServer({ pauseOnConnect: false }, (socket) => {
      const session = new ClientSession(socket, this.nextClientId++, readOnly, this.limits, this.log, (s) => this.sessions.delete(s), this.options.onCall);
      this.sessions.add(session);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep backlog: a unix-socket connect fails at once (EAGAIN) when the backlog is full.
      server.listen({ path, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log(`${path}: ${err.message}`));
    chmodSync(path, mode);
    this.servers.push(server);
    this.log(`listening on ${path}${readOnly ? ' (read-only)' : ''}, mode ${mode.toString(8).padStart(4, '0')}`);
  }

  /** Stops accepting, lets calls in flight finish for up to `graceMs`, then closes every client and the sockets. */
  async stop(graceMs = 5000): Promise<void> {
    const closing = this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    const deadline = Date.now() + graceMs;
    while ([...this.sessions].some((s) => s.callsInFlight > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of this.sessions) s.close();
    await Promise.all(closing);
    await streamAbortsSettled();
  }
}

/** A socket file left by a daemon that is gone is removed; one that still answers is another daemon's. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = netConnect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${path} is in use by another daemon`);
  unlinkSync(path);
}
