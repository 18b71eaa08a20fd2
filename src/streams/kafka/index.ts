// The only module that imports kafkajs (lint-enforced). Everything else uses these facades.
export type * from './types.js';
export { connectAdmin, type KafkaAdmin } from './admin.js';
export { connectProducer, type KafkaProducer, type KafkaTransaction, type ProducerOptions } from './producer.js';
export { connectConsumer, type KafkaConsumer, type ConsumerOptions, type SubscribeOptions, type RunOptions, type PartitionBatch } from './consumer.js';
