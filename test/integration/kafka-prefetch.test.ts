import { describe, expect, it } from 'vitest';
import type { KafkaConsumer, PartitionBatch } from '../../src/streams/kafka/index.js';
import { admin, consumer, producer, uniqueName } from './helpers.js';

const PER_PARTITION = 600;

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** A topic of two partitions holding 0..PER_PARTITION-1 in each, in small record batches (so fetches are many). */
async function filledTopic(): Promise<string> {
  const topic = uniqueName('prefetch');
  await (await admin()).createTopics([{ topic, partitions: 2 }]);
  const p = await producer();
  // 20 records per send: a record batch each, and a fetch returns whole record batches.
  for (let from = 0; from < PER_PARTITION; from += 20) {
    await p.send([0, 1].flatMap((partition) => range(from, from + 20).map((n) => ({ topic, partition, key: null, value: String(n).padStart(40, '0') }))));
  }
  return topic;
}

interface Run {
  /** Offsets delivered per partition, in delivery order. */
  delivered: Map<number, number[]>;
  /** Fetch requests that completed while a batch was being processed. */
  fetchesWhileProcessing: number;
}

/** Consumes until every record arrived; each batch takes 5 ms, and `onBatch` may act on the consumer first. */
async function consume(topic: string, prefetchRecords: number, onBatch?: (c: KafkaConsumer, b: PartitionBatch) => boolean): Promise<Run> {
  const c = await consumer({ groupId: uniqueName('g'), maxBytesPerPartition: 2_048, maxWaitTimeMs: 20 });
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const run: Run = { delivered: new Map([[0, []], [1, []]]), fetchesWhileProcessing: 0 };
  let processing = false;
  const done = (): boolean => [...run.delivered.values()].every((offsets) => offsets.at(-1) === PER_PARTITION - 1);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${JSON.stringify([...run.delivered].map(([p, o]) => [p, o.length]))}`)), 60_000);
    void c.run({
      autoCommit: false,
      prefetchRecords,
      onFetch: () => {
        if (processing) run.fetchesWhileProcessing++;
      },
      eachBatch: async (batch) => {
        processing = true;
        try {
          if (onBatch?.(c, batch) === false) return;
          for (const r of batch.records) {
            if (batch.isStale()) return;
            run.delivered.get(batch.partition)!.push(Number(r.offset));
          }
          await new Promise((r) => setTimeout(r, 5));
        } finally {
          processing = false;
        }
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return run;
}

describe('consumer prefetch on the real broker', () => {
  it('fetches while batches are processed, and delivers every record once, in order', async () => {
    const topic = await filledTopic();
    const withPrefetch = await consume(topic, 200);
    expect(withPrefetch.delivered.get(0)).toEqual(range(0, PER_PARTITION));
    expect(withPrefetch.delivered.get(1)).toEqual(range(0, PER_PARTITION));
    expect(withPrefetch.fetchesWhileProcessing).toBeGreaterThan(0);
    // Without it, kafkajs fetches only after the last fetch's batches were processed.
    const without = await consume(topic, 0);
    expect(without.delivered.get(0)).toEqual(range(0, PER_PARTITION));
    expect(without.fetchesWhileProcessing).toBe(0);
  });

  it('after a seek, delivers nothing fetched before it: the partition goes on from the sought offset', async () => {
    const topic = await filledTopic();
    let sought = false;
    const run = await consume(topic, 500, (c, batch) => {
      if (batch.partition !== 0 || sought) return true;
      // Partition 0's first batch: jump back to 100 while later batches are already queued.
      sought = true;
      c.seek({ topic, partition: 0, offset: '100' });
      expect(batch.isStale()).toBe(true);
      return false;
    });
    expect(run.delivered.get(0)).toEqual(range(100, PER_PARTITION));
    expect(run.delivered.get(1)).toEqual(range(0, PER_PARTITION));
  });

  it('pausing loses nothing queued: the partition goes on where processing stopped once resumed', async () => {
    const topic = await filledTopic();
    let paused = false;
    const run = await consume(topic, 500, (c, batch) => {
      if (batch.partition !== 1 || paused || Number(batch.records[0]!.offset) < 200) return true;
      // Mid-stream (later batches queued by now), partition 1 pauses for 300 ms; this batch still goes on.
      paused = true;
      c.pause([{ topic, partition: 1 }]);
      setTimeout(() => c.resume([{ topic, partition: 1 }]), 300);
      expect(batch.isStale()).toBe(false);
      return true;
    });
    expect(run.delivered.get(1)).toEqual(range(0, PER_PARTITION));
    expect(run.delivered.get(0)).toEqual(range(0, PER_PARTITION));
  });

  it('refuses to run with prefetch and kafkajs committing on its own', async () => {
    const c = await consumer({ groupId: uniqueName('g') });
    expect(() => c.run({ prefetchRecords: 10, eachBatch: async () => {} })).toThrow(/autoCommit: false/);
  });
});
