import type { Consumer, KafkaMessage } from 'kafkajs';
import { createKafka } from './connection.js';
import type { ConsumedRecord, KafkaConnectionOptions, TopicPartitionOffset } from './types.js';

export interface ConsumerOptions {
  groupId: string;
  /** read_committed hides aborted transactional records (exactly-once). */
  isolation?: 'read_committed' | 'read_uncommitted';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long the broker may hold a fetch waiting for data; low values cut latency. */
  maxWaitTimeMs?: number;
}

export interface SubscribeOptions {
  topics: Array<string | RegExp>;
  fromBeginning?: boolean;
}

export interface RunOptions {
  /** Commit automatically after each batch (at-least-once); off for transactional commits. */
  autoCommit?: boolean;
  /** Called for each fetched batch of one partition, in offset order. */
  eachBatch(batch: { topic: string; partition: number; records: ConsumedRecord[] }): Promise<void>;
}

export interface KafkaConsumer {
  subscribe(options: SubscribeOptions): Promise<void>;
  run(options: RunOptions): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  const headers: ConsumedRecord['headers'] = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    headers[k] = v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, timestamp: Number(m.timestamp), headers };
}

export async function connectConsumer(
  connection: KafkaConnectionOptions,
  options: ConsumerOptions,
): Promise<KafkaConsumer> {
  const consumer: Consumer = createKafka(connection).consumer({
    groupId: options.groupId,
    readUncommitted: options.isolation === 'read_uncommitted',
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  return {
    subscribe: (o) => consumer.subscribe({ topics: o.topics, fromBeginning: o.fromBeginning ?? false }),
    run: (o) =>
      consumer.run({
        autoCommit: o.autoCommit ?? true,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          await o.eachBatch({
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.map((m) => toRecord(batch.topic, batch.partition, m)),
          });
        },
      }),
    commit: (offsets) => consumer.commitOffsets(offsets),
    close: () => consumer.disconnect(),
  };
}
