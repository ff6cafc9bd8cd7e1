/**
 * Estimates the time remaining from the rate over a sliding window of recent progress samples, so the
 * estimate follows a change of speed within seconds (rsync uses a 5 s window) instead of averaging over
 * the whole job. Samples are kept in a small fixed ring: memory does not grow with the job's length.
 */
const SLOTS = 16;
/** A sample closer than this to the one before the newest replaces the newest instead of taking a slot. */
const MIN_SPACING_MS = 100;
/** Older samples than this no longer count toward the rate. */
export const ETA_WINDOW_MS = 5000;
/** No estimate before the window holds at least this much history: early rates are noise. */
const MIN_HISTORY_MS = 200;

export class EtaEstimator {
  private readonly times = new Float64Array(SLOTS);
  private readonly bytes = new Float64Array(SLOTS);
  private newest = -1;
  private count = 0;

  record(time: number, processed: number): void {
    // While the newest sample is young, refresh it in place rather than filling the ring with near-duplicates.
    const previous = this.times[(this.newest + SLOTS - 1) % SLOTS]!;
    if (this.count > 1 && time - previous < MIN_SPACING_MS) {
      this.times[this.newest] = time;
      this.bytes[this.newest] = processed;
      return;
    }
    this.newest = (this.newest + 1) % SLOTS;
    this.times[this.newest] = time;
    this.bytes[this.newest] = processed;
    if (this.count < SLOTS) this.count++;
  }

  /** Milliseconds left to process `remaining` bytes at `now`, or 0 when it cannot be estimated yet. */
  remainingMs(now: number, remaining: number): number {
    if (this.count < 2 || remaining <= 0) return 0;
    const newestTime = this.times[this.newest]!;
    // The oldest sample still inside the window anchors the rate.
    let oldest = this.newest;
    for (let i = 1; i < this.count; i++) {
      const slot = (this.newest - i + SLOTS) % SLOTS;
      if (now - this.times[slot]! > ETA_WINDOW_MS) break;
      oldest = slot;
    }
    const span = newestTime - this.times[oldest]!;
    if (span < MIN_HISTORY_MS) return 0;
    const rate = (this.bytes[this.newest]! - this.bytes[oldest]!) / span;
    if (rate <= 0) return 0;
    return Math.ceil(remaining / rate);
  }
}
