import { describe, expect, it } from 'vitest';
import { TimeWindows } from '../../../../../src/streams/dsl/windows/time-windows.js';
import type { Windows } from '../../../../../src/streams/dsl/windows/windows.js';
import { TimeWindowAggregateProcessor } from '../../../../../src/streams/dsl/windows/internal/time-window-aggregate-processor.js';
import type { ValueAndTimestamp } from '../../../../../src/streams/dsl/windows/internal/value-and-timestamp.js';
import { FakeTask } from '../support/fake-context.js';
import { FakeWindowStore } from '../support/fake-stores.js';
import { rows } from '../support/windowed-rows.js';

async function counting(windows: Windows) {
  const store = new FakeWindowStore<string, ValueAndTimestamp<number>>('counts');
  const task = new FakeTask(store);
  const processor = new TimeWindowAggregateProcessor<string, string, number>({
    storeName: 'counts',
    windows,
    initializer: () => 0,
    aggregator: (_key, _value, count) => count + 1,
  });
  const { output, send } = await task.start(processor, 'KSTREAM-AGGREGATE-0000000001');
  return { store, task, output, send };
}

describe('TimeWindowAggregateProcessor', () => {
  it('counts in-order records per tumbling window, each update stamped with the newest record time', async () => {
    const { output, send } = await counting(TimeWindows.ofSizeAndGrace(10, 5));
    await send('A', 'x', 1);
    await send('A', 'x', 3);
    await send('A', 'x', 12);
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 1],
      ['A', 0, 10, 2, 1, 3],
      ['A', 10, 20, 1, null, 12],
    ]);
  });

  it('keeps the counts of different keys apart', async () => {
    const { output, send } = await counting(TimeWindows.ofSizeWithNoGrace(10));
    await send('A', 'x', 1);
    await send('B', 'x', 2);
    await send('A', 'x', 3);
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 1],
      ['B', 0, 10, 1, null, 2],
      ['A', 0, 10, 2, 1, 3],
    ]);
  });

  it('lets an out-of-order record inside the grace period update its closed-but-not-expired window', async () => {
    const { output, send, task } = await counting(TimeWindows.ofSizeAndGrace(10, 5));
    await send('A', 'x', 3);
    await send('A', 'x', 12);
    await send('A', 'x', 8); // stream time 12: [0,10) stays open until 10 + 5 = 15
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 3],
      ['A', 10, 20, 1, null, 12],
      ['A', 0, 10, 2, 1, 8],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  it('keeps the newest timestamp of the window when an older record updates it', async () => {
    const { output, send } = await counting(TimeWindows.ofSizeAndGrace(10, 5));
    await send('A', 'x', 8);
    await send('A', 'x', 2);
    expect(rows(output)[1]).toEqual(['A', 0, 10, 2, 1, 8]);
  });

  it('drops a record that arrives after window end + grace and counts it as late', async () => {
    const { output, send, task, store } = await counting(TimeWindows.ofSizeAndGrace(10, 5));
    await send('A', 'x', 3);
    await send('B', 'x', 15); // stream time 15 = end 10 + grace 5: [0,10) is closed
    await send('A', 'x', 9);
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 3],
      ['B', 10, 20, 1, null, 15],
    ]);
    expect(store.windowsOf('A')).toEqual({ 0: { value: 1, timestamp: 3 } });
    expect(task.lateDrops).toEqual(['0_0/KSTREAM-AGGREGATE-0000000001']);
  });

  it('still accepts a record one millisecond before its window closes', async () => {
    const { output, send, task } = await counting(TimeWindows.ofSizeAndGrace(10, 5));
    await send('B', 'x', 14);
    await send('A', 'x', 9);
    expect(rows(output)).toEqual([
      ['B', 10, 20, 1, null, 14],
      ['A', 0, 10, 1, null, 9],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  it('counts a record in every overlapping hopping window that holds it', async () => {
    const { output, send } = await counting(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    await send('A', 'x', 7);
    await send('A', 'x', 12);
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 7],
      ['A', 5, 15, 1, null, 7],
      ['A', 5, 15, 2, 1, 12],
      ['A', 10, 20, 1, null, 12],
    ]);
  });

  it('updates the hopping windows still open and counts one late drop per closed window, as Kafka Streams does', async () => {
    const { output, send, task } = await counting(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    await send('A', 'x', 20);
    await send('A', 'x', 16); // [10,20) closed at stream time 20, [15,25) open
    await send('A', 'x', 14); // [5,15) and [10,20) both closed
    expect(rows(output)).toEqual([
      ['A', 15, 25, 1, null, 20],
      ['A', 20, 30, 1, null, 20],
      ['A', 15, 25, 2, 1, 20],
    ]);
    expect(task.lateDrops).toHaveLength(3);
  });

  it('skips records with a null key or value without counting them as late', async () => {
    const { output, send, task } = await counting(TimeWindows.ofSizeWithNoGrace(10));
    await send(null as unknown as string, 'x', 1);
    await send('A', null as unknown as string, 1);
    expect(output).toEqual([]);
    expect(task.lateDrops).toEqual([]);
    expect(task.skipped).toHaveLength(2);
  });
});
