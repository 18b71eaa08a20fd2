import type { Window } from '../../state/types.js';

/**
 * Builds the immutable bounds of one window. For time windows `end` is
 * exclusive (Kafka Streams' TimeWindow); for sliding windows and sessions
 * both ends are inclusive, exactly as Kafka Streams reports them.
 */
export function windowOf(start: number, end: number): Window {
  return Object.freeze({ start, end });
}
