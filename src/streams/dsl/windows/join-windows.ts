import { VigilError } from '../../errors.js';
import { requireIntegerMs, requireNonNegativeMs } from './internal/validate.js';

/**
 * The window of a KStream–KStream join (Kafka Streams' `JoinWindows`): a
 * left record at time `t` joins right records with the same key whose
 * timestamps lie in `[t - beforeMs, t + afterMs]`. Symmetric by default;
 * {@link JoinWindows.before} and {@link JoinWindows.after} make it
 * asymmetric. Records may arrive out of order for `graceMs`; a left/outer
 * join emits its unmatched (null-side) result only once the window and its
 * grace have passed.
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    if (beforeMs + afterMs < 0) {
      throw new VigilError(
        'VIGIL_ERR_CONFIG',
        `JoinWindows before (${beforeMs} ms) plus after (${afterMs} ms) must not be negative; the window would be empty.`,
      );
    }
    Object.freeze(this);
  }

  /** Join records at most `timeDifferenceMs` apart; close the window as soon as it ends. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Join records at most `timeDifferenceMs` apart, accepting out-of-order records for `graceMs`. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    requireNonNegativeMs('JoinWindows time difference', timeDifferenceMs);
    requireNonNegativeMs('JoinWindows grace', graceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** How far before a left record a right record may be; may be negative, as in Kafka Streams. */
  before(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(requireIntegerMs('JoinWindows before', timeDifferenceMs), this.afterMs, this.graceMs);
  }

  /** How far after a left record a right record may be; may be negative, as in Kafka Streams. */
  after(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, requireIntegerMs('JoinWindows after', timeDifferenceMs), this.graceMs);
  }

  /** The span of the join window: before + after. */
  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
