import type { Headers } from '../processor/record.js';

/** What a timestamp extractor sees of a consumed, deserialized record. */
export interface ExtractableRecord<K = unknown, V = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: K;
  readonly value: V;
  /** The record's own (producer or broker) timestamp. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Chooses a record's event time. `partitionTimeMs` is the largest timestamp
 * seen so far on the record's partition (-1 before the first record), so an
 * extractor can fall back to it for records that carry no usable time.
 * A negative result makes the task skip the record (counted with
 * `recordSkipped(taskId, 'negative-timestamp')`), as Kafka Streams does.
 */
export type TimestampExtractor<K = unknown, V = unknown> = (
  record: ExtractableRecord<K, V>,
  partitionTimeMs: number,
) => number;

/** The default: the timestamp the record was produced with (Kafka's FailOnInvalidTimestamp, minus the failing). */
export const recordTimestampExtractor: TimestampExtractor = (record) => record.timestamp;

/**
 * Uses the record's timestamp, or the partition time when the record's is
 * negative (Kafka Streams' UsePartitionTimeOnInvalidTimestamp).
 */
export const usePartitionTimeOnInvalidTimestamp: TimestampExtractor = (record, partitionTimeMs) =>
  record.timestamp >= 0 ? record.timestamp : partitionTimeMs;

/** Stream time before any record: unknown. */
export const UNKNOWN_TIME = -1;
