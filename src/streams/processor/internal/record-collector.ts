import type { Headers } from '../record.js';

/**
 * One record as the consumer handed it to a task: raw bytes plus where it
 * came from. The runtime builds these from fetched Kafka messages; the
 * TopologyTestDriver builds them from piped test records.
 */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (64-bit offsets do not fit a JS number). */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The broker/producer timestamp in epoch ms; the timestamp extractor may override it. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * One record a task wants produced. Keys and values are already serialized
 * by the sink node. When `partition` is absent and `choosePartition` is
 * present, the collector asks it (with the topic's partition count);
 * when both are absent, the producer's default partitioner applies.
 */
export interface ProducedRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly partition?: number;
  /** A sink's custom partitioner, bound to this record's typed key and value. */
  readonly choosePartition?: (numPartitions: number) => number | undefined;
}

/**
 * Where a task sends its output. The task calls `send` synchronously from
 * sink nodes and dead-letter routing (ordering is the order of calls) and
 * calls `flush` during commit, so a commit completes only once every record
 * produced before it has been acknowledged.
 */
export interface RecordCollector {
  send(record: ProducedRecord): void;
  flush?(): Promise<void>;
}
