// tsvirtd's job journal: jobs.json in the daemon's state directory, so that no job is silently lost when the
// daemon stops. It records every running job (id, operation, driver instance, object, partial output path)
// and, at a clean shutdown, the jobs that ended; after a kill -9 and restart, each job that was running is
// reported FAILED (VIR_ERR_OPERATION_ABORTED, "tsvirtd stopped while the job was running"), its partial
// output is removed, and new job ids continue above every id the previous run handed out. See docs/jobs.md.
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type ErrorDomain, ErrorNumber, VirError, virError } from '../errors/index.js';
import { JobState, lastJobId, observeAllJobs, reserveJobIds, type JobInfo, type VirJob } from '../jobs/job.js';
import { registeredJobs } from '../jobs/registry.js';

export const JOURNAL_FILE = 'jobs.json';
/** How many finished jobs the journal keeps across restarts (the engine's own bound on retained jobs). */
export const JOURNAL_FINISHED_MAX = 256;

const FORMAT_VERSION = 1;

/** One job as the journal records it. */
export interface JournalEntry {
  id: number;
  operation: string;
  /** How the job names itself in errors ('domain save'). */
  label: string;
  type: number;
  errorDomain: number;
  /** The URI of the connection that started it, and the driver instance key derived from it (instanceKey). */
  uri: string;
  instance: string;
  /** What it works on: a domain or network name, a volume as pool/name. */
  object: string | null;
  /** A file the job writes that did not exist when it started: removed if the daemon died meanwhile. */
  output: string | null;
  state: JobState;
  startedAt: string;
  /** Final figures and error, once ended. */
  info?: JobInfo;
  error?: { code: number; domain: number; message: string } | null;
}

interface JournalFile {
  version: number;
  /** The pid of the daemon that wrote it (partial files named after it are that daemon's). */
  pid: number;
  /** The highest job id the daemon had handed out when it wrote the file. */
  lastId: number;
  jobs: JournalEntry[];
}

/** A job of an earlier run of the daemon, as the journal left it: ended, findable by id, never running. */
export interface RecordedJob {
  readonly id: number;
  readonly operation: string;
  readonly type: number;
  readonly instance: string;
  readonly object: string | null;
  readonly state: JobState;
  readonly info: JobInfo;
  readonly error: VirError | null;
}

/**
 * The driver instance a URI names, as far as jobs go: `test:///default` whatever its `?rate=`, one
 * `tsvirt:///embed?root=DIR` per root. A job of an earlier run is seen by connections of the same instance.
 */
export function instanceKey(uri: string): string {
  if (uri.startsWith('test:')) return uri.replace(/\?.*$/, '');
  return uri;
}

function objectName(job: VirJob): string | null {
  if (job.vol) return `${job.vol.pool}/${job.vol.name}`;
  return job.domain?.name ?? job.network?.name ?? null;
}

/** The fields of a journal entry that say which job it is, whatever its state. */
function identity(job: VirJob): Pick<JournalEntry, 'id' | 'operation' | 'label' | 'type' | 'errorDomain' | 'uri' | 'instance' | 'object'> {
  return {
    id: job.id,
    operation: job.operation,
    label: job.label,
    type: job.type,
    errorDomain: job.errorDomain,
    uri: job.conn.uri,
    instance: instanceKey(job.conn.uri),
    object: objectName(job),
  };
}

export type JournalLog = (message: string) => void;

export class JobJournal {
  private readonly path: string;
  /** The running jobs, by id. */
  private readonly running = new Map<number, JournalEntry>();
  /** Jobs of earlier runs, oldest first (kept across restarts within JOURNAL_FINISHED_MAX). */
  private readonly earlier: JournalEntry[] = [];
  private readonly unobserve: () => void;
  private flushScheduled: Promise<void> | null = null;
  private closed = false;
  /** Ended jobs of earlier runs, after recover(). */
  recovered: RecordedJob[] = [];

  constructor(readonly dir: string, private readonly log: JournalLog = () => {}) {
    this.path = join(dir, JOURNAL_FILE);
    // Jobs started through libvirt's own procedures (virsh's DOMAIN_SAVE) are recorded from their first
    // progress; jobs started through the job program are recorded at once, with their output path.
    this.unobserve = observeAllJobs((job, event) => {
      if (this.closed) return;
      if (event === 'end') {
        const entry = this.running.get(job.id);
        if (!entry) return;
        this.running.delete(job.id);
        // A job with an output has just put it in place: record its end at once, so that a crash now cannot
        // have the next start take the finished file for a partial one.
        if (entry.output) this.writeOrLog();
        else this.flushSoon();
      } else if (!this.running.has(job.id) && job.running) {
        this.track(job, null);
      }
    });
  }

  /**
   * Reads the journal of the previous run: each job it left running is now FAILED and its partial output
   * removed; every job it names becomes findable (`recovered`); new ids continue above its ids. Writes the
   * outcome back at once, so a second crash does not redo it (or remove a file made since).
   */
  recover(): RecordedJob[] {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let file: JournalFile | null = null;
    try {
      file = JSON.parse(readFileSync(this.path, 'utf8')) as JournalFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`${this.path}: unreadable job journal ignored: ${(err as Error).message}`);
    }
    if (file && file.version === FORMAT_VERSION && Array.isArray(file.jobs)) {
      let highest = Number(file.lastId) || 0;
      for (const entry of file.jobs) {
        highest = Math.max(highest, entry.id);
        if (entry.state === JobState.RUNNING) this.abandon(entry, file.pid);
        this.earlier.push(entry);
      }
      this.earlier.sort((a, b) => a.id - b.id);
      this.earlier.splice(0, Math.max(0, this.earlier.length - JOURNAL_FINISHED_MAX));
      reserveJobIds(highest);
    }
    this.recovered = this.earlier.map(toRecorded);
    this.write();
    return this.recovered;
  }

  /** A job that was running when its daemon died: FAILED, and what it had written so far removed. */
  private abandon(entry: JournalEntry, pid: number): void {
    entry.state = JobState.FAILED;
    const info = entry.info ?? emptyInfo(entry.type);
    entry.info = { ...info, state: JobState.FAILED, timeRemaining: 0, percentComplete: 0 };
    entry.error = {
      code: ErrorNumber.VIR_ERR_OPERATION_ABORTED,
      domain: entry.errorDomain,
      message: virError(ErrorNumber.VIR_ERR_OPERATION_ABORTED, entry.errorDomain as ErrorDomain, `${entry.label} job: tsvirtd stopped while the job was running`).message,
    };
    if (entry.output) removePartialOutput(entry.output, pid, this.log);
    entry.output = null; // done: a file made there later is not the job's
    this.log(`job ${entry.id} (${entry.operation}${entry.object ? ` of ${entry.object}` : ''}) was running when tsvirtd stopped: reported failed`);
  }

  /** Records a running job; `output` is the file it writes, if it did not exist yet (removed after a crash). */
  track(job: VirJob, output: string | null): void {
    if (this.closed || !job.running || this.running.has(job.id)) return;
    let fresh: string | null = null;
    if (output) {
      try {
        lstatSync(output);
      } catch {
        fresh = output; // only a file the job creates is the job's to remove
      }
    }
    this.running.set(job.id, {
      ...identity(job),
      output: fresh,
      state: JobState.RUNNING,
      startedAt: new Date().toISOString(),
    });
    this.flushSoon();
  }

  /** Resolves once what has been tracked so far is on disk. */
  flushed(): Promise<void> {
    return this.flushScheduled ?? Promise.resolve();
  }

  /** Many starts and ends in one turn of the event loop make one write. */
  private flushSoon(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = new Promise((resolve) => {
      setImmediate(() => {
        this.flushScheduled = null;
        if (!this.closed) this.writeOrLog(); // else close() wrote the final journal itself
        resolve();
      });
    });
  }

  /**
   * The clean end (SIGTERM): the daemon's jobs that ended are recorded with their state and error, so they
   * can still be found by id after a restart; a job still running (it did not end within the shutdown
   * grace) stays recorded as running and is reported FAILED by the next start.
   */
  close(): void {
    if (this.closed) return;
    this.unobserve();
    for (const job of registeredJobs()) if (job.running) this.track(job, null);
    this.closed = true;
    const ended: JournalEntry[] = [];
    for (const job of registeredJobs()) {
      if (job.running) continue;
      const err = job.error;
      ended.push({
        ...identity(job),
        output: null,
        state: job.state,
        startedAt: '',
        info: job.getInfo(),
        error: err ? { code: err.code, domain: err.domain, message: err.message } : null,
      });
    }
    const known = new Set(ended.map((e) => e.id));
    this.earlier.splice(0, this.earlier.length, ...[...this.earlier.filter((e) => !known.has(e.id)), ...ended].sort((a, b) => a.id - b.id).slice(-JOURNAL_FINISHED_MAX));
    this.write();
  }

  private writeOrLog(): void {
    try {
      this.write();
    } catch (err) {
      this.log(`cannot write ${this.path}: ${(err as Error).message}`);
    }
  }

  /** tmp + fsync + rename: a reader (or a crash) sees the old journal or the new one, never half of one. */
  private write(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file: JournalFile = {
      version: FORMAT_VERSION,
      pid: process.pid,
      lastId: lastJobId(),
      jobs: [...this.earlier, ...this.running.values()],
    };
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(file, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

function emptyInfo(type: number): JobInfo {
  return { type: type as JobInfo['type'], state: JobState.FAILED, timeElapsed: 0, timeRemaining: 0, dataTotal: 0, dataProcessed: 0, dataRemaining: 0, percentComplete: 0 };
}

function toRecorded(entry: JournalEntry): RecordedJob {
  const e = entry.error;
  return {
    id: entry.id,
    operation: entry.operation,
    type: entry.type,
    instance: entry.instance,
    object: entry.object,
    state: entry.state,
    info: entry.info ?? emptyInfo(entry.type),
    error: e ? new VirError(e.code as ErrorNumber, e.domain as ErrorDomain, e.message) : null,
  };
}

/**
 * A job's output that its daemon left behind: the file itself (it did not exist before the job), and the
 * named staging files the test driver writes beside it on filesystems without unnamed files
 * (`FILE.tsvirt-PID-HEX.part`, PID the dead daemon's).
 */
function removePartialOutput(output: string, pid: number, log: JournalLog): void {
  const remove = (path: string) => {
    try {
      if (!lstatSync(path).isFile()) return;
      unlinkSync(path);
      log(`removed partial output ${path}`);
    } catch {
      // gone already, or not ours to remove
    }
  };
  if (existsSync(output)) remove(output);
  const prefix = `${basename(output)}.tsvirt-${pid}-`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(output));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix) && name.endsWith('.part')) remove(join(dirname(output), name));
}
