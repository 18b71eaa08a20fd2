import type { StreamsConfig } from '../../config.js';
import type { Serde } from '../../serde/serde.js';
import type { StateStore, StoreBuilder } from '../../state/types.js';
import type { TimestampExtractor } from '../../time/timestamp-extractor.js';
import type { ProcessorSupplier, RecordMetadata } from '../processor.js';
import type { Record } from '../record.js';

/**
 * Picks a sink's topic per record (Kafka Streams' TopicNameExtractor). It
 * sees the record (timestamp, headers) and where the record being processed
 * was consumed (null inside a punctuator).
 */
export type TopicNameExtractor<K = unknown, V = unknown> = (
  key: K,
  value: V,
  record: Record<K, V>,
  source: RecordMetadata | null,
) => string;

/** Picks a partition for a sink's record; undefined falls back to the producer's partitioner. */
export type StreamPartitioner<K = unknown, V = unknown> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;

/**
 * A store as the topology holds it. DSL stores depend on configuration
 * (default store type, caching), so they are registered as factories that
 * the task resolves against the final StreamsConfig.
 */
export type StoreFactory = (config: StreamsConfig) => StoreBuilder<StateStore>;

export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly pattern: RegExp | undefined;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
}

export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly parents: readonly string[];
  readonly stores: Set<string>;
}

export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner | undefined;
  readonly parents: readonly string[];
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface StoreDef {
  readonly name: string;
  readonly factory: StoreFactory;
  readonly global: boolean;
}

/**
 * The nodes of one sub-topology, with topic names already resolved
 * (internal topics prefixed with the application id). This is what a
 * StreamTask executes; a global sub-topology feeds global stores.
 */
export interface SubtopologyPlan {
  readonly id: number | 'global';
  /** Nodes in insertion order, which is also the order children are forwarded to. */
  readonly nodes: readonly NodeDef[];
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly stores: readonly StoreDef[];
  readonly sourceTopics: readonly string[];
  readonly sourcePatterns: readonly RegExp[];
  /** Resolves a node's static topic name (internal names get the application-id prefix). */
  readonly resolveTopic: (topic: string) => string;
}

export interface TopologyPlan {
  readonly subtopologies: readonly SubtopologyPlan[];
  readonly global: SubtopologyPlan | undefined;
  /** Resolved names of repartition (and other internal) topics. */
  readonly internalTopics: readonly string[];
  /** Key-value stores holding `ValueAndTimestamp` values (DSL tables and aggregations). */
  readonly timestampedStores: readonly string[];
  /** Partition counts asked for internal topics (`Repartitioned.withNumberOfPartitions`); others are the runtime's choice. */
  readonly internalTopicPartitions: ReadonlyMap<string, number>;
}
