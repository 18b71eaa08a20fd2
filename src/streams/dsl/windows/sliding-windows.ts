import { requireNonNegativeMs } from './internal/validate.js';

/**
 * Sliding windows for aggregations (Kafka Streams' `SlidingWindows`,
 * KIP-450): a window `[t - timeDifference, t]`, inclusive at both ends, for
 * every distinct set of records of a key that lie within `timeDifferenceMs`
 * of each other. Windows are created only at record times, so the result
 * holds one window per record (its "left" window) plus the "right" windows
 * that start just after each record. A window accepts records until stream
 * time passes `end + grace`.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    // Kafka Streams accepts a zero difference; so do we (windows of one instant).
    requireNonNegativeMs('SlidingWindows time difference', timeDifferenceMs);
    requireNonNegativeMs('SlidingWindows grace', graceMs);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** The time span a window covers (its end minus its start). */
  size(): number {
    return this.timeDifferenceMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

