import { randomUUID } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import {
  connectAdmin,
  connectConsumer,
  connectProducer,
  type ConsumedRecord,
  type ConsumerOptions,
  type KafkaAdmin,
  type KafkaConnectionOptions,
  type KafkaConsumer,
  type KafkaProducer,
  type ProducerOptions,
} from '../../src/streams/kafka/index.js';

export function connection(brokers = inject('kafkaBrokers')): KafkaConnectionOptions {
  return { brokers: brokers.split(','), clientId: 'vigil-test' };
}

/** A topic name no other test uses, so tests share one broker safely. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

// Helpers register their own cleanup, so a failing test still disconnects.
export async function admin(conn = connection()): Promise<KafkaAdmin> {
  const a = await connectAdmin(conn);
  onTestFinished(() => a.close());
  return a;
}

export async function producer(options: ProducerOptions = {}, conn = connection()): Promise<KafkaProducer> {
  const p = await connectProducer(conn, options);
  onTestFinished(() => p.close());
  return p;
}

export async function consumer(options: ConsumerOptions, conn = connection()): Promise<KafkaConsumer> {
  const c = await connectConsumer(conn, options);
  onTestFinished(() => c.close());
  return c;
}

/**
 * Consumes `topics` from the beginning in a fresh group until `count`
 * records arrived (or `timeoutMs` passed) and returns them in arrival order.
 */
export async function readRecords(
  topics: Array<string | RegExp>,
  count: number,
  options: Partial<ConsumerOptions> & { timeoutMs?: number; conn?: KafkaConnectionOptions } = {},
): Promise<ConsumedRecord[]> {
  const c = await consumer({ groupId: uniqueName('reader'), ...options }, options.conn);
  await c.subscribe({ topics, fromBeginning: true });
  const records: ConsumedRecord[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.timeoutMs ?? 30_000);
    void c.run({
      eachBatch: async (batch) => {
        records.push(...batch.records);
        if (records.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return records;
}
