import { describe, expect, it } from 'vitest';
import { SlidingWindows } from '../../../../../src/streams/dsl/windows/sliding-windows.js';
import { SlidingWindowAggregateProcessor } from '../../../../../src/streams/dsl/windows/internal/sliding-window-aggregate-processor.js';
import type { ValueAndTimestamp } from '../../../../../src/streams/dsl/windows/internal/value-and-timestamp.js';
import { FakeTask } from '../support/fake-context.js';
import { FakeWindowStore } from '../support/fake-stores.js';
import { rows } from '../support/windowed-rows.js';

async function counting(windows: SlidingWindows) {
  const store = new FakeWindowStore<string, ValueAndTimestamp<number>>('sliding');
  const task = new FakeTask(store);
  const processor = new SlidingWindowAggregateProcessor<string, string, number>({
    storeName: 'sliding',
    windows,
    initializer: () => 0,
    aggregator: (_key, _value, count) => count + 1,
  });
  const { output, send } = await task.start(processor, 'KSTREAM-SLIDING-0000000001');
  return { store, task, output, send };
}

const counts = (store: FakeWindowStore<string, ValueAndTimestamp<number>>, key: string) =>
  Object.fromEntries(Object.entries(store.windowsOf(key)).map(([start, v]) => [start, v.value]));

describe('SlidingWindowAggregateProcessor', () => {
  it('gives a lone record its left window [t - difference, t]', async () => {
    const { output, send } = await counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await send('A', 'x', 20);
    expect(rows(output)).toEqual([['A', 10, 20, 1, null, 20]]);
  });

  it('in order: creates the previous record right window and a left window seeded with the records in reach', async () => {
    const { output, send, store } = await counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await send('A', 'x', 20);
    await send('A', 'x', 25);
    await send('A', 'x', 40); // 10 ms past both: a fresh window
    expect(rows(output)).toEqual([
      ['A', 10, 20, 1, null, 20],
      ['A', 21, 31, 1, null, 25],
      ['A', 15, 25, 2, null, 25],
      ['A', 30, 40, 1, null, 40],
    ]);
    expect(counts(store, 'A')).toEqual({ 10: 1, 15: 2, 21: 1, 30: 1 });
  });

  it('out of order inside grace: updates the windows that contain the record and creates its own left and right windows', async () => {
    const { output, send, task } = await counting(SlidingWindows.ofTimeDifferenceAndGrace(10, 20));
    await send('A', 'x', 20);
    await send('A', 'x', 30);
    output.length = 0;
    await send('A', 'x', 25);
    // Records 20, 25, 30: [20,30] = 3, [21,31] = 2, [15,25] = 2, [26,36] = 1.
    expect(rows(output)).toEqual([
      ['A', 20, 30, 3, 2, 30],
      ['A', 21, 31, 2, 1, 30],
      ['A', 15, 25, 2, null, 25],
      ['A', 26, 36, 1, null, 30],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  it('drops and counts a record whose left window ended before stream time - grace', async () => {
    const { output, send, task, store } = await counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await send('A', 'x', 20);
    await send('A', 'x', 40);
    await send('A', 'x', 29); // its window [19,29] ended before 40
    expect(rows(output)).toEqual([
      ['A', 10, 20, 1, null, 20],
      ['A', 30, 40, 1, null, 40],
    ]);
    expect(counts(store, 'A')).toEqual({ 10: 1, 30: 1 });
    expect(task.lateDrops).toEqual(['0_0/KSTREAM-SLIDING-0000000001']);
  });

  it('a record whose own window closed but whose later windows are open updates those and counts the closed one', async () => {
    const { output, send, task } = await counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await send('A', 'x', 20);
    await send('A', 'x', 40);
    output.length = 0;
    await send('A', 'x', 31); // in [30,40]; its left window [21,31] is closed
    expect(rows(output)).toEqual([
      ['A', 30, 40, 2, 1, 40],
      ['A', 32, 42, 1, null, 40],
    ]);
    expect(task.lateDrops).toHaveLength(1);
  });

  it('puts records earlier than the time difference into the shared window [0, difference]', async () => {
    const { output, send } = await counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await send('A', 'x', 2);
    await send('A', 'x', 5);
    expect(rows(output)).toEqual([
      ['A', 0, 10, 1, null, 2],
      ['A', 3, 13, 1, null, 5],
      ['A', 0, 10, 2, 1, 5],
    ]);
  });
});
