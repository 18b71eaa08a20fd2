import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from './errors.js';
import { noopMetrics } from './metrics.js';
import type { StreamsMetrics } from './metrics.js';
import {
  failOnDeserializationError,
  failOnProcessingError,
} from './processor/exception-handlers.js';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
} from './processor/exception-handlers.js';
import type { Serde } from './serde/serde.js';
import { recordTimestampExtractor } from './time/timestamp-extractor.js';
import type { TimestampExtractor } from './time/timestamp-extractor.js';

/** Which store the DSL uses when `Materialized` does not name one. */
export type StoreType = 'memory' | 'leveldb';

/**
 * The engine's configuration, validated once by {@link streamsConfig} and
 * frozen. Every field except `applicationId` has a default.
 */
export interface StreamsConfig {
  /** Prefix of internal topics (`<applicationId>-<name>-repartition`) and of the state directory. */
  readonly applicationId: string;
  /** Root of persistent state: `<stateDir>/<applicationId>/<taskId>/<store>`. */
  readonly stateDir: string;
  /** Serdes for sources and sinks that name none. */
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  /** Where skipped poison records go (raw bytes plus `vigil.*` headers); undefined drops them. */
  readonly deadLetterTopic: string | undefined;
  /** Store behind DSL state when `Materialized` names none. Default 'leveldb', as Kafka Streams defaults to RocksDB. */
  readonly defaultStoreType: StoreType;
  /** Whether DSL stores get the write-back cache layer. */
  readonly cachingEnabled: boolean;
  /** Whether DSL stores report changes through StoreContext.onChange (the changelog hook). */
  readonly loggingEnabled: boolean;
  /** How often the runtime commits; the TopologyTestDriver commits after every record instead. */
  readonly commitIntervalMs: number;
  readonly metrics: StreamsMetrics;
}

export type StreamsConfigInput = Partial<StreamsConfig> & { readonly applicationId: string };

export const streamsConfigDefaults = {
  stateDir: join(tmpdir(), 'vigil-streams'),
  defaultKeySerde: undefined,
  defaultValueSerde: undefined,
  defaultTimestampExtractor: recordTimestampExtractor,
  deserializationExceptionHandler: failOnDeserializationError,
  processingExceptionHandler: failOnProcessingError,
  deadLetterTopic: undefined,
  defaultStoreType: 'leveldb',
  cachingEnabled: true,
  loggingEnabled: true,
  commitIntervalMs: 30_000,
  metrics: noopMetrics,
} satisfies Omit<StreamsConfig, 'applicationId'>;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Validates `input`, fills defaults and freezes the result. Throws VIGIL_ERR_CONFIG with the offending field. */
export function streamsConfig(input: StreamsConfigInput): StreamsConfig {
  const merged: StreamsConfig = { ...streamsConfigDefaults, ...dropUndefined(input) };
  const fail = (field: string, why: string): never => {
    throw new VigilError('VIGIL_ERR_CONFIG', `config.${field} ${why}`);
  };
  if (typeof merged.applicationId !== 'string' || !TOPIC_NAME.test(merged.applicationId)) {
    fail('applicationId', `must be 1-249 characters of [a-zA-Z0-9._-] (it prefixes topic names), got ${JSON.stringify(merged.applicationId)}`);
  }
  if (merged.deadLetterTopic !== undefined && !TOPIC_NAME.test(merged.deadLetterTopic)) {
    fail('deadLetterTopic', `must be a valid topic name, got ${JSON.stringify(merged.deadLetterTopic)}`);
  }
  if (merged.defaultStoreType !== 'memory' && merged.defaultStoreType !== 'leveldb') {
    fail('defaultStoreType', `must be 'memory' or 'leveldb', got ${JSON.stringify(merged.defaultStoreType)}`);
  }
  if (!Number.isInteger(merged.commitIntervalMs) || merged.commitIntervalMs < 0) {
    fail('commitIntervalMs', `must be a non-negative integer, got ${merged.commitIntervalMs}`);
  }
  for (const field of ['defaultTimestampExtractor', 'deserializationExceptionHandler', 'processingExceptionHandler'] as const) {
    if (typeof merged[field] !== 'function') fail(field, 'must be a function');
  }
  if (typeof merged.stateDir !== 'string' || merged.stateDir === '') fail('stateDir', 'must be a non-empty path');
  return Object.freeze(merged);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
