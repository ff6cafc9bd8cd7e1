import type { Job } from '../index.js';

/**
 * virsh's `--verbose` progress line (virshPrintJobProgress): `\r<Label>: [ 45 %]` on stderr, refreshed every
 * 500 ms from the job's data counters, and `[100 %]` only once the job has succeeded. On a terminal the line
 * also shows the estimated time left and is erased to its end, so a shorter line leaves no debris; when
 * stderr is redirected the bytes are exactly virsh's.
 */
const REFRESH_MS = 500;

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressDisplay {
  /** Stops refreshing; prints `[100 %]` if the job succeeded. */
  finish(succeeded: boolean): void;
}

/**
 * `label` names the operation (`Save`); `endLine` ends the line after `[100 %]`, for commands virsh has no
 * progress for (tsvirt's extensions), whose messages do not start on a new line as save's and dump's do.
 */
export interface ProgressStyle {
  label: string;
  endLine?: boolean;
}

export function showProgress(job: Job<unknown>, { label, endLine = false }: ProgressStyle, out: ProgressOutput): ProgressDisplay {
  const tty = out.isTTY === true;
  let shown = false;
  const timer = setInterval(() => {
    const p = job.progress();
    // virsh stays silent until the job knows how much it has to do.
    if (!p || p.state !== 'running' || p.total <= 0) return;
    const eta = tty && p.remainingMs > 0 ? ` ETA ${formatDuration(p.remainingMs)}` : '';
    out.write(`\r${label}: [${String(runningPercent(p.processed, p.total)).padStart(3)} %]${eta}${tty ? CLEAR_TO_EOL : ''}`);
    shown = true;
  }, REFRESH_MS);
  // The job keeps the process alive while it runs; the display never should.
  timer.unref();
  return {
    finish(succeeded) {
      clearInterval(timer);
      if (succeeded) out.write(`\r${label}: [100 %]${tty ? CLEAR_TO_EOL : ''}${endLine ? '\n' : ''}`);
      // On a terminal, errors that follow get a line of their own instead of continuing the progress line.
      else if (tty && shown) out.write('\n');
    },
  };
}

const CLEAR_TO_EOL = '\x1b[K';

/** virsh's figure (100 minus the share remaining, truncated), held below 100 while the job still runs. */
export function runningPercent(processed: number, total: number): number {
  const remaining = Math.max(0, total - processed);
  return Math.max(0, Math.min(99, Math.trunc(100 - (remaining * 100) / total)));
}

/** `m:ss`, or `h:mm:ss` from an hour up, rounded up to whole seconds. */
export function formatDuration(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
