import type { Job, JobProgress } from '../../index.js';
import { bool, data, type CommandDef, type ParsedCommand } from '../command-def.js';
import { formatCapacity, formatTable, padEnd } from '../format.js';
import { optRequired } from '../options.js';
import { showProgress } from '../progress.js';
import { CommandFailed, type Session } from '../session.js';

/**
 * tsvirt's job commands (virsh has none): list the jobs of the connection's driver instance, show one,
 * cancel one, wait for one. A job started by another connection or another tsvirsh (through tsvirtd) is
 * found by its id.
 */

/** An `<id>` option: virsh's vshCommandOptInt wording for what is not an integer. */
function optJobId(s: Session, cmd: ParsedCommand): number {
  const text = optRequired(s, cmd, 'id');
  const id = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id) || id > 0x7fffffff || id < -0x80000000) {
    s.error(`Numeric value '${text}' for <id> option is malformed or out of range`);
    throw new CommandFailed();
  }
  return id;
}

async function findJob(s: Session, cmd: ParsedCommand): Promise<{ job: Job<void>; id: number }> {
  const id = optJobId(s, cmd);
  const job = s.connection.jobById(id);
  if (!(await job.started())) throw s.fail(await job.then(undefined, (err: unknown) => err), `failed to get job '${id}'`);
  return { job, id };
}

const ID = data('id', 'job id');

/** The figure of the Progress column and of job-info: a percentage, or '-' when the job cannot tell. */
function percent(p: JobProgress): string {
  return p.percent < 0 ? '-' : `${p.percent} %`;
}

async function cmdJobList(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const state = cmd.has('running') && !cmd.has('finished') ? 'running' : cmd.has('finished') && !cmd.has('running') ? 'finished' : undefined;
  const jobs = await s.connection.jobs({ state });
  const rows = jobs.map((job) => {
    const p = job.progress()!;
    return [String(job.id), job.operation ?? '', job.object ?? '-', p.state, percent(p)];
  });
  s.print(formatTable(['Id', 'Operation', 'Object', 'State', 'Progress'], rows, !s.quiet));
  return true;
}

async function cmdJobInfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { job, id } = await findJob(s, cmd);
  const p = job.progress()!;
  const row = (label: string, value: string) => s.print(`${padEnd(label, 17)} ${value}\n`);
  row('Id:', String(id));
  row('Operation:', job.operation ?? '');
  row('Object:', job.object ?? '-');
  row('State:', p.state);
  row('Progress:', percent(p));
  row('Time elapsed:', `${padEnd(String(p.elapsedMs), 12)} ms`);
  if (p.state === 'running' && p.type === 'bounded') row('Time remaining:', `${padEnd(String(p.remainingMs), 12)} ms`);
  if (p.total || p.processed) {
    row('Data processed:', formatCapacity(p.processed, 3));
    if (p.type === 'bounded') {
      row('Data remaining:', formatCapacity(Math.max(0, p.total - p.processed), 3));
      row('Data total:', formatCapacity(p.total, 3));
    }
  }
  if (job.error) row('Error:', job.error.message);
  return true;
}

async function cmdJobCancel(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { id } = await findJob(s, cmd);
  try {
    await s.connection.cancelJob(id);
  } catch (err) {
    throw s.fail(err, `Failed to cancel job ${id}`);
  }
  s.printExtra(`Job ${id} is being cancelled\n`);
  return true;
}

/** What `--verbose` calls each operation, as the commands that start them label their progress. */
const LABELS: Readonly<Record<string, string>> = {
  start: 'Start',
  save: 'Save',
  restore: 'Restore',
  dump: 'Dump',
  'network-start': 'Start',
  'volume-create': 'Create',
  'volume-clone': 'Clone',
  'volume-wipe': 'Wipe',
};

/**
 * Waits for the job's end: status 0 once it completed, 1 with its error otherwise. Unlike the commands that
 * start a job, a signal does not cancel it (the job is not this command's): it ends tsvirsh as usual.
 */
async function cmdJobWait(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { job, id } = await findJob(s, cmd);
  const progress = cmd.has('verbose') ? showProgress(job, { label: LABELS[job.operation ?? ''] ?? 'Job', endLine: true }, s.io.stderr) : null;
  try {
    await job;
    progress?.finish(true);
  } catch (err) {
    progress?.finish(false);
    throw s.fail(err, `Job ${id} (${job.operation}) ${job.progress()?.state === 'cancelled' ? 'was cancelled' : 'failed'}`);
  }
  s.printExtra(`Job ${id} (${job.operation}) completed\n`);
  return true;
}

export const jobCommands: readonly CommandDef[] = [
  {
    name: 'job-cancel',
    group: 'job',
    help: 'cancel a job',
    desc: 'Asks a running job to stop, and returns without waiting (see job-wait).',
    opts: [ID],
    run: cmdJobCancel,
  },
  {
    name: 'job-info',
    group: 'job',
    help: 'job information',
    desc: "Shows a job's state, progress and error.",
    opts: [ID],
    run: cmdJobInfo,
  },
  {
    name: 'job-list',
    group: 'job',
    help: 'list jobs',
    desc: 'Lists the jobs of the connection, running and finished.',
    opts: [bool('running', 'list running jobs'), bool('finished', 'list finished jobs')],
    run: cmdJobList,
  },
  {
    name: 'job-wait',
    group: 'job',
    help: 'wait for a job to end',
    desc: 'Waits for a job to end; fails unless it completed.',
    opts: [ID, bool('verbose', 'display the progress of the job')],
    run: cmdJobWait,
  },
];
