// Public barrel of the Vigil streams engine (package entry `vigil/streams`).
// Applications import from here, from `vigil/streams/testing` and from the
// Kafka client facade `vigil/kafka` only (a lint rule keeps it so); tasks,
// plans and everything under `internal/` stay private.

// Errors, configuration, metrics, time
export { ErrorCodes, VigilError, isVigilError } from './errors.js';
export type { ErrorCode, ErrorCodeTable, VigilErrorOptions } from './errors.js';
export { streamsConfig, streamsConfigDefaults } from './config.js';
export type { StoreType, StreamsConfig, StreamsConfigInput } from './config.js';
export { noopMetrics } from './metrics.js';
export type { StreamsMetrics } from './metrics.js';
export { ManualClock, systemClock } from './time/clock.js';
export type { Clock } from './time/clock.js';
export { ManualTimers, systemTimers } from './time/timers.js';
export type { TimerHandle, Timers } from './time/timers.js';
export { recordTimestampExtractor, usePartitionTimeOnInvalidTimestamp, UNKNOWN_TIME } from './time/timestamp-extractor.js';
export type { ExtractableRecord, TimestampExtractor } from './time/timestamp-extractor.js';

// Serdes
export type { Deserializer, Serde, Serializer } from './serde/serde.js';
export { Serdes } from './serde/serdes.js';
export { protobufSerde } from './serde/protobuf.js';
export type { ProtobufSerdeOptions } from './serde/protobuf.js';
export { MAGIC_BYTE, decodeWireFormat, encodeMessageIndexes, encodeWireFormat } from './serde/wire-format.js';
export type { DecodedWireFormat, WireFormatFrame } from './serde/wire-format.js';

// Processor API
export { Record, EMPTY_HEADERS } from './processor/record.js';
export type { Headers } from './processor/record.js';
export type { Change } from './processor/change.js';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  Punctuator,
  RecordMetadata,
} from './processor/processor.js';
export { ContextualProcessor } from './processor/contextual-processor.js';
export { Topology } from './processor/topology.js';
export type { GlobalSourceOptions, SinkOptions, SourceOptions, StreamPartitioner, TopicNameExtractor } from './processor/topology.js';
export type {
  GlobalStoreDescription,
  NodeDescription,
  SubtopologyDescription,
  TopologyDescription,
} from './processor/topology-description.js';
export {
  continueOnDeserializationError,
  continueOnProcessingError,
  failOnDeserializationError,
  failOnProcessingError,
} from './processor/exception-handlers.js';
export type {
  DeserializationExceptionHandler,
  ErrorHandlerContext,
  HandlerResponse,
  ProcessingExceptionHandler,
} from './processor/exception-handlers.js';

// DSL
export { StreamsBuilder } from './dsl/streams-builder.js';
export { KStream, BranchedKStream } from './dsl/kstream.js';
export { KTable } from './dsl/ktable.js';
export { GlobalKTable } from './dsl/global-ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { Branched } from './dsl/branched.js';
export { Consumed } from './dsl/consumed.js';
export { Grouped } from './dsl/grouped.js';
export { Joined } from './dsl/joined.js';
export { Materialized } from './dsl/materialized.js';
export type { StoreSupplierLike } from './dsl/materialized.js';
export { Named } from './dsl/named.js';
export { Produced } from './dsl/produced.js';
export { Repartitioned } from './dsl/repartitioned.js';
export {
  BufferConfig,
  JoinWindows,
  SessionWindowedKStream,
  SessionWindows,
  SlidingWindows,
  StreamJoined,
  Suppressed,
  TimeWindowedKStream,
  TimeWindows,
  WindowedSerdes,
  windowOf,
} from './dsl/windows/index.js';
export type { Aggregator, Initializer, Merger, Reducer, ValueAndTimestamp, Windows } from './dsl/windows/index.js';

// State
export * from './state/index.js';

// Testing
export { TopologyTestDriver, TestInputTopic, TestOutputTopic } from './testing/index.js';
export type { OutputRecord, TestRecord, TopologyTestDriverOptions } from './testing/index.js';

// The runtime on a real broker (docs/runtime.md). The Kafka client facade is
// its own entry point, src/streams/kafka/index.ts.
export * from './runtime/index.js';
