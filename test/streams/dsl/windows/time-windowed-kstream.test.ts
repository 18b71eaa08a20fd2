import { describe, expect, it } from 'vitest';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { TimeWindows } from '../../../../src/streams/dsl/windows/time-windows.js';
import type { ValueAndTimestamp } from '../../../../src/streams/dsl/windows/index.js';
import { N, S, windowedTopology } from './support/windowed-topology.js';

describe.each(['memory', 'leveldb'] as const)('TimeWindowedKStream on %s stores (through the TopologyTestDriver)', (storeType) => {
  const config = { defaultStoreType: storeType };

  it('counts in-order records per tumbling window', async () => {
    const t = windowedTopology(TimeWindows.ofSizeWithNoGrace(10), (w) => w.count(), { config });
    await t.pipe('A', 0, 1);
    await t.pipe('A', 0, 3);
    await t.pipe('B', 0, 4);
    await t.pipe('A', 0, 12);
    expect(t.rows()).toEqual([
      ['A', 0, 10, 1, 1],
      ['A', 0, 10, 2, 3],
      ['B', 0, 10, 1, 4],
      ['A', 10, 20, 1, 12],
    ]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('lets an out-of-order record inside grace update its window, keeping the newest timestamp', async () => {
    const t = windowedTopology(TimeWindows.ofSizeAndGrace(10, 5), (w) => w.count(), { config });
    await t.pipe('A', 0, 9);
    await t.pipe('A', 0, 14);
    await t.pipe('A', 0, 2);
    expect(t.rows()).toEqual([
      ['A', 0, 10, 1, 9],
      ['A', 10, 20, 1, 14],
      ['A', 0, 10, 2, 9],
    ]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('drops a record after window end + grace and counts it in the late-record metric', async () => {
    const t = windowedTopology(TimeWindows.ofSizeAndGrace(10, 5), (w) => w.count(), { config });
    await t.pipe('A', 0, 9);
    await t.pipe('A', 0, 15);
    await t.pipe('A', 0, 2);
    expect(t.rows()).toEqual([
      ['A', 0, 10, 1, 9],
      ['A', 10, 20, 1, 15],
    ]);
    expect(t.metrics.lateDrops).toHaveLength(1);
    expect(t.metrics.lateDrops[0]).toMatch(/^0_0\/KSTREAM-AGGREGATE-\d{10}$/);
  });

  it('sums into overlapping hopping windows', async () => {
    const t = windowedTopology(
      TimeWindows.ofSizeWithNoGrace(10).advanceBy(5),
      (w) => w.aggregate(() => 0, (_k, v, sum) => sum + v, Materialized.with(S, N)),
      { config },
    );
    await t.pipe('A', 1, 7);
    await t.pipe('A', 10, 12);
    expect(t.rows()).toEqual([
      ['A', 0, 10, 1, 7],
      ['A', 5, 15, 1, 7],
      ['A', 5, 15, 11, 12],
      ['A', 10, 20, 10, 12],
    ]);
  });

  it('aggregate without a value serde fails at start-up with a message that says what to pass', async () => {
    const t = windowedTopology(TimeWindows.ofSizeWithNoGrace(10), (w) => w.aggregate(() => 0, (_k, v, sum) => sum + v), {
      config,
    });
    await expect(t.pipe('A', 1, 1)).rejects.toThrow(/needs a value serde: pass one in Materialized/);
  });

  it('reduce starts each window with its first value', async () => {
    const t = windowedTopology(TimeWindows.ofSizeWithNoGrace(10), (w) => w.reduce((a, b) => Math.max(a, b)), { config });
    await t.pipe('A', 4, 1);
    await t.pipe('A', 2, 2);
    await t.pipe('A', 9, 3);
    await t.pipe('A', -1, 10);
    expect(t.rows().map((r) => r[3])).toEqual([4, 4, 9, -1]);
  });

  it('keeps each window in the named window store as value and timestamp', async () => {
    const t = windowedTopology(TimeWindows.ofSizeAndGrace(10, 100), (w) => w.count(Materialized.as('counts')), { config });
    await t.pipe('A', 0, 3);
    await t.pipe('A', 0, 7);
    await t.pipe('A', 0, 15);
    const store = t.driver.getWindowStore<string, ValueAndTimestamp<number>>('counts')!;
    expect(await store.fetch('A', 0)).toEqual({ value: 2, timestamp: 7 });
    expect(await store.fetch('A', 10)).toEqual({ value: 1, timestamp: 15 });
  });
});
