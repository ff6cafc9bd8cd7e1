/**
 * Estimates the time remaining from the rate over a sliding window of recent progress samples, so the
 * estimate follows a change of speed within seconds (rsync uses a 5 s window) instead of averaging over
 * the whole job. Four samples spaced across the window are enough for that; they live in one array of eight
 * unboxed doubles (80 bytes; a Float64Array costs twice that, its ArrayBuffer and view objects included), so
 * an idle job stays cheap: memory does not grow with the job's length.
 */
const SLOTS = 4;
/** Older samples than this no longer count toward the rate. */
export const ETA_WINDOW_MS = 5000;
/** A new slot is taken only this long after the previous one; in between, the newest is refreshed. */
const SPACING_MS = ETA_WINDOW_MS / SLOTS;
/** No estimate before the window holds at least this much history: early rates are noise. */
const MIN_HISTORY_MS = 200;

export class EtaEstimator {
  /**
   * [time, bytes] pairs in a ring; `newest` is the pair most recently written. Written as a literal of
   * doubles so that V8 stores it as a packed double array from the start (SLOTS * 2 entries).
   */
  readonly #samples: number[] = [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN];
  #newest = -1;
  #count = 0;

  record(time: number, processed: number): void {
    const previous = this.#count > 1 ? this.#samples[((this.#newest + SLOTS - 1) % SLOTS) * 2]! : -Infinity;
    if (time - previous >= SPACING_MS || this.#count < 2) {
      this.#newest = (this.#newest + 1) % SLOTS;
      if (this.#count < SLOTS) this.#count++;
    }
    this.#samples[this.#newest * 2] = time;
    this.#samples[this.#newest * 2 + 1] = processed;
  }

  /** Milliseconds left to process `remaining` bytes at `now`, or 0 when it cannot be estimated yet. */
  remainingMs(now: number, remaining: number): number {
    if (this.#count < 2 || remaining <= 0) return 0;
    // The oldest sample still inside the window anchors the rate.
    let oldest = this.#newest;
    for (let i = 1; i < this.#count; i++) {
      const slot = (this.#newest - i + SLOTS) % SLOTS;
      if (now - this.#samples[slot * 2]! > ETA_WINDOW_MS) break;
      oldest = slot;
    }
    const span = this.#samples[this.#newest * 2]! - this.#samples[oldest * 2]!;
    if (span < MIN_HISTORY_MS) return 0;
    const rate = (this.#samples[this.#newest * 2 + 1]! - this.#samples[oldest * 2 + 1]!) / span;
    return rate > 0 ? Math.ceil(remaining / rate) : 0;
  }
}
