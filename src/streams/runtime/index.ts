// Public API of the Kafka runtime, re-exported by the engine's barrel. The Kafka client
// facade is its own entry point (src/streams/kafka/index.ts).
export { KafkaStreams } from './kafka-streams.js';
export type { KafkaStreamsState, StateListener } from './kafka-streams.js';
export {
  DEFAULT_COMMIT_INTERVAL_MS,
  continueOnProductionError,
  failOnProductionError,
  kafkaStreamsOptionDefaults,
} from './options.js';
export type {
  KafkaStreamsConfigInput,
  KafkaStreamsOptions,
  ProcessingGuarantee,
  ProductionErrorContext,
  ProductionExceptionHandler,
  RestoreProgress,
} from './options.js';
export type { StreamsLogger } from './logger.js';
export { noopLogger } from './logger.js';
export type { TopicLayout } from './topic-layout.js';
export { StreamsSupervisor } from './supervisor.js';
export type { SupervisedStreams, SupervisorOptions } from './supervisor.js';
