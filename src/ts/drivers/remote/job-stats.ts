// A domain job's figures as libvirtd reports them: DOMAIN_GET_JOB_STATS' typed parameters (libvirt's
// VIR_DOMAIN_JOB_* field names), DOMAIN_GET_JOB_INFO's fixed struct (daemons or drivers without stats), and the
// job-completed event's parameters, all decoded to one shape; and the progress a tsvirt job reads from them.
import { virDomainJobType } from '../../core/enums.generated.js';
import type { remote_typed_param } from '../../rpc/generated/remote-protocol.js';

export interface DomainJobStats {
  /** virDomainJobType: NONE 0, BOUNDED 1, UNBOUNDED 2, COMPLETED 3, FAILED 4, CANCELLED 5. */
  type: number;
  /** virDomainJobOperation, 0 when the daemon did not say. */
  operation: number;
  timeElapsed?: number;
  dataTotal?: number;
  dataProcessed?: number;
  dataRemaining?: number;
  memTotal?: number;
  memProcessed?: number;
  memRemaining?: number;
  /** Every typed parameter as sent (numbers, or text for `errmsg`), by libvirt's field name. */
  fields: Record<string, number | string>;
}

/** Typed parameters (DOMAIN_GET_JOB_STATS, the job-completed event) as stats of a job of `type`. */
export function statsFromParams(type: number, params: readonly remote_typed_param[]): DomainJobStats {
  const fields: Record<string, number | string> = {};
  for (const { field, value } of params) {
    switch (value.type) {
      case 1:
        fields[field] = value.i;
        break;
      case 2:
        fields[field] = value.ui;
        break;
      case 3:
        fields[field] = Number(value.l);
        break;
      case 4:
        fields[field] = Number(value.ul);
        break;
      case 5:
        fields[field] = value.d;
        break;
      case 6:
        fields[field] = value.b;
        break;
      case 7:
        fields[field] = value.s;
        break;
    }
  }
  const n = (name: string) => (typeof fields[name] === 'number' ? (fields[name] as number) : undefined);
  return {
    type,
    operation: n('operation') ?? 0,
    timeElapsed: n('time_elapsed'),
    dataTotal: n('data_total'),
    dataProcessed: n('data_processed'),
    dataRemaining: n('data_remaining'),
    memTotal: n('memory_total'),
    memProcessed: n('memory_processed'),
    memRemaining: n('memory_remaining'),
    fields,
  };
}

/** DOMAIN_GET_JOB_INFO's reply (remote_domain_get_job_info_ret) as stats. */
export function statsFromInfo(r: Record<string, number | bigint>): DomainJobStats {
  const n = (name: string) => Number(r[name] ?? 0);
  return {
    type: n('type'),
    operation: 0,
    timeElapsed: n('timeElapsed'),
    dataTotal: n('dataTotal'),
    dataProcessed: n('dataProcessed'),
    dataRemaining: n('dataRemaining'),
    memTotal: n('memTotal'),
    memProcessed: n('memProcessed'),
    memRemaining: n('memRemaining'),
    fields: {},
  };
}

/** Whether the stats describe a job that is running now (BOUNDED or UNBOUNDED). */
export function isActive(stats: DomainJobStats): boolean {
  return stats.type === virDomainJobType.VIR_DOMAIN_JOB_BOUNDED || stats.type === virDomainJobType.VIR_DOMAIN_JOB_UNBOUNDED;
}

/**
 * The progress a job reports from the daemon's figures, or null when they say nothing of it. The amount done
 * is what virsh's `--verbose` shows: the total less what remains (`data_*`, or `memory_*` for a memory-only
 * dump, which reports no `data_*`). It is not `data_processed`, which counts only bytes written: QEMU sends a
 * zero page as a flag, so that figure stays below the total even once everything is done. Never invented: no
 * total, no progress.
 */
export function progressOf(stats: DomainJobStats): { processed: number; total: number } | null {
  if (!isActive(stats) && stats.type !== virDomainJobType.VIR_DOMAIN_JOB_COMPLETED) return null;
  const total = stats.dataTotal || stats.memTotal || 0;
  const remaining = stats.dataTotal ? stats.dataRemaining : stats.memRemaining;
  if (total <= 0 || remaining === undefined) return null;
  return { processed: Math.max(0, total - Math.min(total, remaining)), total };
}
