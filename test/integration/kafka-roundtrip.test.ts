import { describe, expect, it } from 'vitest';
import { admin, consumer, producer, uniqueName } from './helpers.js';

describe('Kafka round trip on the real broker', () => {
  it('produces, consumes in a group, commits, and reads the committed offsets back', async () => {
    const topic = uniqueName('roundtrip');
    const groupId = uniqueName('group');
    const a = await admin();
    await a.createTopics([{ topic, partitions: 2 }]);

    const p = await producer();
    const sent = Array.from({ length: 10 }, (_, i) => ({
      topic,
      partition: i % 2,
      key: `card-${i}`,
      value: JSON.stringify({ n: i }),
      headers: { origin: 'us-east' },
    }));
    await p.send(sent);

    const c = await consumer({ groupId });
    await c.subscribe({ topics: [topic], fromBeginning: true });
    const received: Array<{ key: string; n: number; origin: string; partition: number; offset: string }> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of 10 records arrived`)), 30_000);
      void c.run({
        autoCommit: false,
        eachBatch: async (batch) => {
          for (const r of batch.records) {
            received.push({
              key: r.key!.toString(),
              n: (JSON.parse(r.value!.toString()) as { n: number }).n,
              origin: r.headers.origin!.toString(),
              partition: r.partition,
              offset: r.offset,
            });
          }
          const last = batch.records.at(-1)!;
          await c.commit([{ topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
          if (received.length === 10) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });

    expect(received.map((r) => r.n).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(received.every((r) => r.origin === 'us-east')).toBe(true);
    // Within a partition, order is the send order.
    const p0 = received.filter((r) => r.partition === 0).map((r) => r.n);
    expect(p0).toEqual([0, 2, 4, 6, 8]);

    const committed = await a.committedOffsets(groupId, topic);
    expect(committed.map((o) => [o.partition, o.offset]).sort()).toEqual([
      [0, '5'],
      [1, '5'],
    ]);
  });
});
