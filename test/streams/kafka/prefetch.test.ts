import { describe, expect, it } from 'vitest';
import { PrefetchBuffer } from '../../../src/streams/kafka/prefetch.js';

interface Batch {
  topic: string;
  partition: number;
  records: string[];
}

const batch = (partition: number, ...records: string[]): Batch => ({ topic: 't', partition, records });

/** A deliver that blocks each batch until the test releases it. */
function gated() {
  const delivered: string[] = [];
  const gates: Array<() => void> = [];
  const deliver = async (b: Batch): Promise<void> => {
    delivered.push(`${b.partition}:${b.records.join(',')}`);
    await new Promise<void>((resolve) => gates.push(resolve));
  };
  const release = async (): Promise<void> => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { delivered, deliver, release, gates };
}

describe('PrefetchBuffer', () => {
  it('returns from push at once while there is room, and delivers one batch at a time, in push order', async () => {
    const g = gated();
    const buffer = new PrefetchBuffer<Batch>({ limitRecords: 10, deliver: g.deliver });
    await buffer.push(batch(0, 'a', 'b'));
    await buffer.push(batch(1, 'c'));
    await buffer.push(batch(0, 'd'));
    expect(g.delivered).toEqual(['0:a,b']); // the first is being delivered, two wait
    expect(buffer.size).toBe(2);
    await g.release();
    expect(g.delivered).toEqual(['0:a,b', '1:c']);
    await g.release();
    await g.release();
    expect(g.delivered).toEqual(['0:a,b', '1:c', '0:d']);
    await buffer.idle();
    expect(buffer.size).toBe(0);
  });

  it('holds a push while the limit is reached, until deliveries make room', async () => {
    const g = gated();
    const buffer = new PrefetchBuffer<Batch>({ limitRecords: 3, deliver: g.deliver });
    await buffer.push(batch(0, 'a')); // delivered at once: nothing queued
    await buffer.push(batch(0, 'b', 'c'));
    let returned = false;
    const third = buffer.push(batch(0, 'd')).then(() => void (returned = true));
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(false); // 3 records queued: the fetcher waits
    await g.release(); // 'b,c' is taken: 1 queued
    await third;
    expect(returned).toBe(true);
    expect(buffer.size).toBe(1);
  });

  it('drops and returns the queued batches of the given partitions (or all), never the one being delivered', async () => {
    const g = gated();
    const buffer = new PrefetchBuffer<Batch>({ limitRecords: 100, deliver: g.deliver });
    await buffer.push(batch(1, 'a')); // being delivered
    await buffer.push(batch(1, 'b'));
    await buffer.push(batch(0, 'c'));
    await buffer.push(batch(1, 'd'));
    await buffer.push(batch(2, 'e'));
    expect(buffer.drop([{ topic: 't', partition: 1 }]).map((b) => b.records[0])).toEqual(['b', 'd']);
    expect(buffer.size).toBe(2);
    await g.release();
    expect(g.delivered).toEqual(['1:a', '0:c']);
    expect(buffer.drop().map((b) => b.records[0])).toEqual(['e']);
    await g.release();
    await buffer.idle();
    expect(g.delivered).toEqual(['1:a', '0:c']);
  });

  it('releases a waiting push when a drop makes room', async () => {
    const g = gated();
    const buffer = new PrefetchBuffer<Batch>({ limitRecords: 2, deliver: g.deliver });
    await buffer.push(batch(0, 'a'));
    const waiting = buffer.push(batch(0, 'b', 'c'));
    buffer.drop();
    await waiting;
    expect(buffer.size).toBe(0);
    await g.release();
    await buffer.idle();
    expect(g.delivered).toEqual(['0:a']);
  });

  it('hands a delivery failure to the next push, after dropping what was queued', async () => {
    const delivered: string[] = [];
    const rebalancing = new Error('The group is rebalancing');
    const buffer = new PrefetchBuffer<Batch>({
      limitRecords: 100,
      deliver: async (b) => {
        delivered.push(b.records.join(','));
        await new Promise((r) => setImmediate(r));
        if (b.records[0] === 'a') throw rebalancing;
      },
    });
    await buffer.push(batch(0, 'a'));
    await buffer.push(batch(0, 'b'));
    await buffer.idle();
    expect(delivered).toEqual(['a']); // 'b' was dropped with the failure
    await expect(buffer.push(batch(0, 'c'))).rejects.toBe(rebalancing);
    await buffer.push(batch(0, 'd')); // reported once
    await buffer.idle();
    expect(delivered).toEqual(['a', 'd']);
  });

  it('wakes a push waiting for room with the failure', async () => {
    const buffer = new PrefetchBuffer<Batch>({
      limitRecords: 1,
      deliver: async () => {
        await new Promise((r) => setImmediate(r));
        throw new Error('boom');
      },
    });
    await buffer.push(batch(0, 'a'));
    await expect(buffer.push(batch(0, 'b'))).rejects.toThrow('boom');
  });

  it('refuses a limit below one record', () => {
    expect(() => new PrefetchBuffer<Batch>({ limitRecords: 0, deliver: async () => {} })).toThrow(RangeError);
  });
});
