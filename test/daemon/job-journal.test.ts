// The job journal on its own: what jobs.json holds while jobs run and after they end, atomic writes, an
// unreadable journal, the bound on recorded jobs, and which connections see a recorded job.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { virConnectClose, virConnectOpen } from '../../src/ts/api/connect.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { instanceKey, JobJournal, JOURNAL_FINISHED_MAX } from '../../src/ts/daemon/job-journal.js';
import { JobState, JobType, lastJobId, VirJob } from '../../src/ts/jobs/job.js';

let dir: string;
let conn: VirConnect;
const journals: JobJournal[] = [];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jobrpc-journal-'));
  conn = (await virConnectOpen('test:///default?rate=1K')) as VirConnect;
});
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  virConnectClose(conn);
  rmSync(dir, { recursive: true, force: true });
});

function journal(log: string[] = []): JobJournal {
  const j = new JobJournal(join(dir, 'state'), (m) => log.push(m));
  journals.push(j);
  return j;
}

function manualJob() {
  let finish!: () => void;
  const job = new VirJob({ operation: 'dump', label: 'domain core dump', type: JobType.BOUNDED, total: 100, errorDomain: ErrorDomain.VIR_FROM_TEST, conn }, () => new Promise<void>((r) => (finish = r)));
  return { job, finish: () => finish() };
}

const read = () => JSON.parse(readFileSync(join(dir, 'state', 'jobs.json'), 'utf8'));

describe('the job journal', () => {
  it('records a running job before the start is answered, forgets it once it ended, and never leaves a half-written file', async () => {
    const j = journal();
    j.recover();
    const { job, finish } = manualJob();
    const out = join(dir, 'out.dump');
    j.track(job, out);
    await j.flushed();
    const entry = read().jobs.find((e: { id: number }) => e.id === job.id);
    expect(entry).toMatchObject({ id: job.id, operation: 'dump', label: 'domain core dump', instance: 'test:///default', uri: 'test:///default?rate=1K', object: null, output: out, state: JobState.RUNNING });
    expect(read().pid).toBe(process.pid);
    finish();
    await job.whenDone();
    // A job with an output is recorded as ended before anyone hears of its end: nothing to wait for.
    expect(read().jobs.find((e: { id: number }) => e.id === job.id)).toBeUndefined();
    expect(read().lastId).toBe(lastJobId());
    expect(readdirSync(join(dir, 'state'))).toEqual(['jobs.json']); // no temporary file stays
  });

  it('does not name as output a file that existed before the job', async () => {
    const j = journal();
    j.recover();
    const existing = join(dir, 'existing');
    writeFileSync(existing, 'x');
    const { job, finish } = manualJob();
    j.track(job, existing);
    await j.flushed();
    expect(read().jobs.find((e: { id: number }) => e.id === job.id).output).toBeNull();
    finish();
    await job.whenDone();
  });

  it('ignores an unreadable journal, says so, and starts a new one', () => {
    const log: string[] = [];
    const j = journal(log);
    const path = join(dir, 'state', 'jobs.json');
    mkdirSync(join(dir, 'state'));
    writeFileSync(path, '{ half');
    expect(j.recover()).toEqual([]);
    expect(log.join('\n')).toMatch(/jobs\.json: unreadable job journal ignored/);
    expect(read()).toMatchObject({ version: 1, jobs: [] });
  });

  it(`keeps at most ${JOURNAL_FINISHED_MAX} ended jobs across restarts, the newest`, () => {
    const jobs = Array.from({ length: JOURNAL_FINISHED_MAX + 10 }, (_, i) => ({
      id: i + 1, operation: 'save', label: 'domain save', type: 0, errorDomain: 12, uri: 'test:///default', instance: 'test:///default',
      object: 'test', output: null, state: JobState.COMPLETED, startedAt: '',
    }));
    const j = journal();
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'state', 'jobs.json'), JSON.stringify({ version: 1, pid: 1, lastId: 5000, jobs }));
    const recovered = j.recover();
    expect(recovered).toHaveLength(JOURNAL_FINISHED_MAX);
    expect(recovered[0]!.id).toBe(11);
    expect(recovered.every((r) => r.state === JobState.COMPLETED && r.error === null)).toBe(true);
    expect(lastJobId()).toBeGreaterThanOrEqual(5000);
    expect(existsSync(join(dir, 'state', 'jobs.json'))).toBe(true);
  });

  it('matches a recorded job to connections of the same driver instance', () => {
    expect(instanceKey('test:///default?rate=64M')).toBe('test:///default');
    expect(instanceKey('test:///default')).toBe('test:///default');
    expect(instanceKey('tsvirt:///embed?root=/a')).toBe('tsvirt:///embed?root=/a');
    expect(instanceKey('tsvirt:///embed?root=/b')).not.toBe(instanceKey('tsvirt:///embed?root=/a'));
  });
});
