import { VigilError } from '../../errors.js';
import type { Window } from '../../state/types.js';
import { requireNonNegativeMs, requirePositiveMs } from './internal/validate.js';
import { windowOf } from './window.js';
import type { Windows } from './windows.js';

/**
 * Fixed-size windows aligned to the epoch: tumbling when `advanceMs ===
 * sizeMs`, hopping (overlapping) when `advanceMs < sizeMs`. A window is
 * `[start, start + size)`. It accepts records until stream time reaches
 * `end + grace`; later records for it are dropped and counted as late.
 *
 * Build with {@link TimeWindows.ofSizeWithNoGrace} or
 * {@link TimeWindows.ofSizeAndGrace}, then {@link TimeWindows.advanceBy}
 * for hopping windows. Instances are immutable.
 */
export class TimeWindows implements Windows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /** Tumbling windows of `sizeMs` that close as soon as they end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records for `graceMs` after they end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    requirePositiveMs('TimeWindows size', sizeMs);
    requireNonNegativeMs('TimeWindows grace', graceMs);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** The same windows, starting every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    requirePositiveMs('TimeWindows advance', advanceMs);
    if (advanceMs > this.sizeMs) {
      throw new VigilError(
        'VIGIL_ERR_CONFIG',
        `TimeWindows advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms); records between windows would be lost.`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  windowsFor(timestamp: number): ReadonlyMap<number, Window> {
    // Same arithmetic as Kafka Streams: the first window that can still
    // contain the timestamp, clamped at the epoch (no negative starts).
    let windowStart = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    const windows = new Map<number, Window>();
    while (windowStart <= timestamp) {
      windows.set(windowStart, windowOf(windowStart, windowStart + this.sizeMs));
      windowStart += this.advanceMs;
    }
    return windows;
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** True when windows do not overlap. */
  isTumbling(): boolean {
    return this.advanceMs === this.sizeMs;
  }
}
