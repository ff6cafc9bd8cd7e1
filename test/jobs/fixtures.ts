import { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import type { ConnectionDrivers } from '../../src/ts/drivers/driver.js';
import { ErrorDomain } from '../../src/ts/errors/index.js';
import { ManualClock } from '../../src/ts/jobs/clock.js';
import { JobType, VirJob, type JobControl } from '../../src/ts/jobs/job.js';

/** A connection with no driver behind it: enough to own jobs in engine tests. */
export function bareConnection(): { conn: VirConnect; closed: () => boolean } {
  let closed = false;
  const drivers: ConnectionDrivers = { hypervisor: { name: 'none' }, uri: 'none:///', close: () => (closed = true) };
  return { conn: new VirConnect('none:///', drivers, false), closed: () => closed };
}

export function bareDomain(conn: VirConnect): VirDomain {
  return new VirDomain(conn, { name: 'd', uuid: '00000000-0000-0000-0000-000000000001', id: 1 });
}

/** Work the test steps by hand: it reports what it is told and ends when told. */
export class ManualWork {
  control!: JobControl;
  private settle!: { resolve: (v: string) => void; reject: (e: unknown) => void };
  readonly run = (control: JobControl) => {
    this.control = control;
    return new Promise<string>((resolve, reject) => (this.settle = { resolve, reject }));
  };
  finish(value = 'done') {
    this.settle.resolve(value);
  }
  fail(err: unknown) {
    this.settle.reject(err);
  }
}

export function startJob(options: { total?: number; clock?: ManualClock; type?: number } = {}) {
  const { conn } = bareConnection();
  const work = new ManualWork();
  const job = new VirJob(
    {
      operation: 'test',
      label: 'test',
      type: (options.type ?? JobType.BOUNDED) as 0 | 1,
      total: options.total ?? 1000,
      errorDomain: ErrorDomain.VIR_FROM_TEST,
      conn,
      clock: options.clock,
    },
    work.run,
  );
  conn.unref(); // the job's own reference keeps it
  return { job, work, conn };
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));
