// tsvirtd's listening side: a read-write and a read-only unix socket, the client sessions, shutdown.
import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect as netConnect, createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { markInsideDaemon } from '../drivers/registry.js';
import { PACKET_MAX } from '../rpc/packet.js';
import { JobState } from '../jobs/job.js';
import { registeredJobs } from '../jobs/registry.js';
import { type CallObserver, ClientSession, type Log, type SessionLimits } from './client-session.js';
import { JobJournal } from './job-journal.js';
import { JobProgram, type JobProgramOptions } from './job-program.js';

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
  /** Where the job journal (jobs.json) lives; null or absent: no journal (jobs do not outlive the daemon). */
  stateDir?: string | null;
  /** The job program's push settings. */
  jobs?: Omit<JobProgramOptions, 'journal'>;
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

/** The error of a job cancelled because the daemon stopped: `operation aborted: domain save job: canceled because tsvirtd stopped`. */
export const SHUTDOWN_CANCEL_REASON = 'canceled because tsvirtd stopped';

/**
 * Where the daemon keeps its job journal: beside a socket given with --listen (`PATH.state`, so two daemons
 * never share one), else the user's state directory (`$TSVIRT_STATE_DIR`, `$XDG_STATE_HOME/tsvirt` or
 * `~/.local/state/tsvirt`, as tsvirt:///session) + `/tsvirtd`.
 */
export function defaultStateDir(socketPath: string, isDefaultSocket: boolean, env: NodeJS.ProcessEnv = process.env): string {
  if (!isDefaultSocket) return `${socketPath}.state`;
  if (env.TSVIRT_STATE_DIR && isAbsolute(env.TSVIRT_STATE_DIR)) return join(env.TSVIRT_STATE_DIR, 'tsvirtd');
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'tsvirt', 'tsvirtd');
  return join(homedir(), '.local', 'state', 'tsvirt', 'tsvirtd');
}

export class Daemon {
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<ClientSession>();
  private readonly limits: SessionLimits;
  private readonly log: Log;
  private nextClientId = 1;
  private journal: JobJournal | null = null;
  private jobProgram: JobProgram | null = null;

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

  /** The job program (null before start). */
  get jobs(): JobProgram | null {
    return this.jobProgram;
  }

  async start(): Promise<void> {
    if (this.options.stateDir) {
      this.journal = new JobJournal(this.options.stateDir, this.log);
      this.journal.recover();
    }
    this.jobProgram = new JobProgram({ ...this.options.jobs, journal: this.journal });
    await this.listen(this.options.socketPath, false, this.options.socketMode ?? 0o600);
    if (this.options.readOnlySocketPath) {
      await this.listen(this.options.readOnlySocketPath, true, this.options.readOnlySocketMode ?? 0o600);
    }
  }

  private async listen(path: string, readOnly: boolean, mode: number): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await removeStaleSocket(path);
    const server = createServer({ pauseOnConnect: false }, (socket) => {
      const session = new ClientSession(socket, this.nextClientId++, readOnly, this.limits, this.log, (s) => this.sessions.delete(s), this.options.onCall, this.jobProgram ?? undefined);
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

  /**
   * Stops accepting; lets running jobs and calls in flight finish for up to `graceMs`; cancels the jobs still
   * running and gives them `cancelGraceMs` to end; closes every client and the sockets; records the jobs in
   * the journal (a job that did not end is reported FAILED by the next start).
   */
  async stop(graceMs = 5000, cancelGraceMs = 2000): Promise<void> {
    const closing = this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    const running = () => [...registeredJobs()].filter((j) => j.state === JobState.RUNNING);
    const until = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => running().length === 0 && ![...this.sessions].some((s) => s.callsInFlight > 0), graceMs);
    const left = running();
    if (left.length) {
      this.log(`cancelling ${left.length} job${left.length === 1 ? '' : 's'} still running: ${left.map((j) => `${j.id} (${j.operation})`).join(', ')}`);
      for (const job of left) {
        try {
          job.cancel(SHUTDOWN_CANCEL_REASON);
        } catch {
          // it ended meanwhile
        }
      }
      await until(() => running().length === 0, cancelGraceMs);
    }
    for (const s of this.sessions) s.close();
    await Promise.all(closing);
    this.journal?.close();
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
