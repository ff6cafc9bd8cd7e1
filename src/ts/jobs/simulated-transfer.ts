import type { JobControl } from './job.js';

/**
 * Simulated data transfer for the test driver: moves `bytes` at `bytesPerSecond`, reporting progress, and
 * rejects promptly when the job is cancelled. All transfers share one timer, so ten thousand concurrent jobs
 * cost one tick, not ten thousand timers.
 */
const TICK_MS = 50;

interface Transfer {
  control: JobControl;
  bytes: number;
  bytesPerMs: number;
  startedAt: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

const active = new Set<Transfer>();
let timer: NodeJS.Timeout | null = null;

export function simulateTransfer(control: JobControl, bytes: number, bytesPerSecond: number): Promise<void> {
  const transfer = { control, bytes, bytesPerMs: bytesPerSecond > 0 ? bytesPerSecond / 1000 : Infinity } as Transfer;
  transfer.startedAt = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    transfer.resolve = resolve;
    transfer.reject = reject;
  });
  active.add(transfer);
  // The timer keeps the event loop alive while transfers run, as real I/O would.
  timer ??= setInterval(tick, TICK_MS);
  if (transfer.bytesPerMs === Infinity) setImmediate(tick);
  return done;
}

function tick(): void {
  const now = performance.now();
  for (const transfer of active) {
    const { control } = transfer;
    if (control.cancelRequested) {
      active.delete(transfer);
      transfer.reject(control.signal.reason);
      continue;
    }
    const elapsed = now - transfer.startedAt;
    const done = transfer.bytesPerMs === Infinity ? transfer.bytes : Math.min(transfer.bytes, Math.floor(elapsed * transfer.bytesPerMs));
    control.progress(done);
    if (done >= transfer.bytes) {
      active.delete(transfer);
      transfer.resolve();
    }
  }
  if (active.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}
