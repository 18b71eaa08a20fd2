import type { Window } from '../../state/types.js';

/**
 * A definition of fixed-size windows that can be computed from a record's
 * timestamp alone (tumbling and hopping windows). Kafka Streams' `Windows`.
 */
export interface Windows {
  /** Every window that contains `timestamp`, keyed by window start, in start order. */
  windowsFor(timestamp: number): ReadonlyMap<number, Window>;
  /** The length of every window, in milliseconds. */
  size(): number;
  /** How long after a window ends it still accepts out-of-order records. */
  gracePeriodMs(): number;
}
