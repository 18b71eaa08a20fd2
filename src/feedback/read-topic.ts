import { randomUUID } from 'node:crypto';
import { connectAdmin, connectConsumer, type ConsumedRecord, type KafkaConnectionOptions } from '../streams/kafka/index.js';
import { FeedbackError } from './errors.js';

/**
 * Reads `topic` from the beginning to the end offsets it had when called,
 * in a throwaway group that never commits. For the compacted label topics:
 * the caller keeps the last value per key.
 */
export async function readTopicToEnd(connection: KafkaConnectionOptions, topic: string, timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const admin = await connectAdmin(connection);
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.endOffsets(topic)).filter((e) => BigInt(e.offset) > 0n).map((e) => [e.partition, BigInt(e.offset)]));
  } catch (err) {
    throw new FeedbackError('VIGIL_ERR_MODEL_CONTROL', `cannot read the end offsets of ${topic}: ${(err as Error).message}; does the topic exist?`, { cause: err });
  } finally {
    await admin.close();
  }
  if (ends.size === 0) return [];
  const records: ConsumedRecord[] = [];
  const consumer = await connectConsumer(connection, { groupId: `vigil-read-${randomUUID()}`, maxWaitTimeMs: 100, isolation: 'read_committed' });
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new FeedbackError('VIGIL_ERR_MODEL_CONTROL', `could not read ${topic} to its end within ${timeoutMs / 1000} s; check the broker`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ partition, records: batch }) => {
          const end = ends.get(partition);
          for (const r of batch) if (end !== undefined && BigInt(r.offset) < end) records.push(r);
        },
        // The batch's last offset counts transaction markers too: a topic written under
        // exactly-once ends with one, past its last record.
        onBatchEnd: ({ partition, lastOffset }) => {
          const end = ends.get(partition);
          if (end !== undefined && BigInt(lastOffset) + 1n >= end) ends.delete(partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.close();
  }
  return records;
}
