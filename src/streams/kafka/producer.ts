import type { Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import { connectExplained, createKafka } from './connection.js';
import { createPartitioner } from './kafkajs-fixes.js';
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

/**
 * kafkajs types the timestamp as a string but encodes a number the same
 * way (Long.fromValue, a numeric delta), and produce-encoder.ts takes the
 * number as it is: no format here and parse there for every record.
 */
function toMessage(r: ProducedRecord): Message {
  return {
    key: r.key,
    value: r.value,
    partition: r.partition,
    headers: r.headers,
    timestamp: r.timestamp as unknown as Message['timestamp'],
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

/**
 * kafkajs writes everything one `sendBatch` sends to a partition as one
 * record batch, and the broker refuses a batch over the topic's
 * `max.message.bytes` (1 MiB by default) as MESSAGE_TOO_LARGE. The runtime
 * sends a whole commit's output at once, so one large record (a dead-lettered
 * 900 KB poison record) next to ordinary output failed the transaction, and
 * the instance, every time it re-read the record. Requests are therefore
 * split at this many bytes of keys, values and headers; a record larger than
 * that goes alone.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

const bytesOf = (v: Buffer | string | null | undefined): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

function sizeOf(r: ProducedRecord): number {
  let n = 64 + bytesOf(r.key) + bytesOf(r.value);
  for (const [k, v] of Object.entries(r.headers ?? {})) n += Buffer.byteLength(k) + bytesOf(v);
  return n;
}

/** Consecutive slices of `records` of at most {@link MAX_REQUEST_BYTES} each (order kept). */
export function splitBySize(records: ProducedRecord[], limit = MAX_REQUEST_BYTES): ProducedRecord[][] {
  const chunks: ProducedRecord[][] = [];
  let current: ProducedRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = sizeOf(r);
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function sendVia(target: Producer | Transaction, records: ProducedRecord[], acks: number): Promise<ProduceResult[]> {
  if (records.length === 0) return [];
  const chunks = splitBySize(records);
  if (chunks.length === 1) return toResults(await target.sendBatch({ topicMessages: byTopic(records), acks }));
  // One result per partition, as for a single request: the first chunk's base
  // offset (one writer, sent in order, so the partition's records follow it).
  const first = new Map<string, ProduceResult>();
  for (const chunk of chunks) {
    for (const r of toResults(await target.sendBatch({ topicMessages: byTopic(chunk), acks }))) {
      const k = `${r.topic}:${r.partition}`;
      if (!first.has(k)) first.set(k, r);
    }
  }
  return [...first.values()];
}

const TRANSACTIONAL_RETRY = { initialRetryTime: 10, maxRetryTime: 1_000, retries: 15 } as const;

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
    createPartitioner,
    // The first send of each transaction meets CONCURRENT_TRANSACTIONS while
    // the broker still writes the previous commit's markers, which takes a
    // few ms. The client-wide 100 ms first retry put that much on every
    // transaction's latency; start at 10 ms (the Java producer does likewise
    // for this error) and keep enough retries to ride out a coordinator load.
    ...(transactional ? { retry: TRANSACTIONAL_RETRY } : {}),
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
