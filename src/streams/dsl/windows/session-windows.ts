import { requireNonNegativeMs, requirePositiveMs } from './internal/validate.js';

/**
 * Session windows (Kafka Streams' `SessionWindows`): a key's session grows
 * while records keep arriving within `inactivityGapMs` of each other, and
 * two sessions merge when a record lands within the gap of both. A session
 * `[start, end]` (both inclusive, the first and last record times) can
 * still grow until stream time passes `end + gap + grace`; a record that
 * would only touch sessions closed by then is dropped and counted as late.
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    requirePositiveMs('SessionWindows inactivity gap', inactivityGapMs);
    requireNonNegativeMs('SessionWindows grace', graceMs);
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  inactivityGap(): number {
    return this.inactivityGapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
