import type { Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import { connectExplained, createKafka } from './connection.js';
import type { KafkaConnectionOptions, ProduceResult, ProducedRecord, TopicPartitionOffset } from './types.js';

export interface ProducerOptions {
  /** Set for exactly-once: enables idempotence and transactions. */
  transactionalId?: string;
  idempotent?: boolean;
  /** Wait for all in-sync replicas (-1), the leader (1) or nobody (0). */
  acks?: -1 | 0 | 1;
}

export interface KafkaTransaction {
  send(records: ProducedRecord[]): Promise<ProduceResult[]>;
  /** Commit consumed offsets as part of this transaction (consume-transform-produce). */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface KafkaProducer {
  send(records: ProducedRecord[]): Promise<ProduceResult[]>;
  transaction(): Promise<KafkaTransaction>;
  close(): Promise<void>;
}

function toMessage(r: ProducedRecord): Message {
  return {
    key: r.key,
    value: r.value,
    partition: r.partition,
    headers: r.headers,
    timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
  };
}

/** kafkajs sends one request per topic; group the records so order within a topic is kept. */
function byTopic(records: ProducedRecord[]): Array<{ topic: string; messages: Message[] }> {
  const groups = new Map<string, Message[]>();
  for (const r of records) {
    let list = groups.get(r.topic);
    if (!list) groups.set(r.topic, (list = []));
    list.push(toMessage(r));
  }
  return [...groups].map(([topic, messages]) => ({ topic, messages }));
}

function toResults(meta: RecordMetadata[]): ProduceResult[] {
  return meta.map((m) => ({
    topic: m.topicName,
    partition: m.partition,
    baseOffset: m.baseOffset ?? '-1',
    logAppendTime: Number(m.logAppendTime ?? -1),
  }));
}

async function sendVia(target: Producer | Transaction, records: ProducedRecord[], acks: number): Promise<ProduceResult[]> {
  if (records.length === 0) return [];
  return toResults(await target.sendBatch({ topicMessages: byTopic(records), acks }));
}

export async function connectProducer(
  connection: KafkaConnectionOptions,
  options: ProducerOptions = {},
): Promise<KafkaProducer> {
  const transactional = options.transactionalId !== undefined;
  const producer = createKafka(connection).producer({
    transactionalId: options.transactionalId,
    idempotent: transactional || options.idempotent === true,
    maxInFlightRequests: transactional || options.idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
  });
  await connectExplained(() => producer.connect(), connection);
  // Transactions and idempotence require acks=all.
  const acks = transactional || options.idempotent ? -1 : (options.acks ?? -1);
  return {
    send: (records) => sendVia(producer, records, acks),
    async transaction() {
      const tx = await producer.transaction();
      return {
        send: (records) => sendVia(tx, records, -1),
        sendOffsets: (groupId, offsets) =>
          tx.sendOffsets({
            consumerGroupId: groupId,
            topics: groupOffsets(offsets),
          }),
        commit: () => tx.commit(),
        abort: () => tx.abort(),
      };
    },
    close: () => producer.disconnect(),
  };
}

export function groupOffsets(
  offsets: TopicPartitionOffset[],
): Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> {
  const groups = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) {
    let list = groups.get(o.topic);
    if (!list) groups.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: o.offset });
  }
  return [...groups].map(([topic, partitions]) => ({ topic, partitions }));
}
