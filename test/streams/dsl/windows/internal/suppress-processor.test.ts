import { describe, expect, it } from 'vitest';
import { SessionWindows } from '../../../../../src/streams/dsl/windows/session-windows.js';
import { TimeWindows } from '../../../../../src/streams/dsl/windows/time-windows.js';
import { SessionWindowAggregateProcessor } from '../../../../../src/streams/dsl/windows/internal/session-window-aggregate-processor.js';
import { SuppressProcessor } from '../../../../../src/streams/dsl/windows/internal/suppress-processor.js';
import { TimeWindowAggregateProcessor } from '../../../../../src/streams/dsl/windows/internal/time-window-aggregate-processor.js';
import type { ValueAndTimestamp } from '../../../../../src/streams/dsl/windows/internal/value-and-timestamp.js';
import type { Change } from '../../../../../src/streams/processor/change.js';
import type { Record } from '../../../../../src/streams/processor/record.js';
import type { Windowed } from '../../../../../src/streams/state/types.js';
import { FakeTask } from '../support/fake-context.js';
import { FakeSessionStore, FakeWindowStore } from '../support/fake-stores.js';
import { rows } from '../support/windowed-rows.js';

/** count() over tumbling windows of 10 ms with 5 ms grace, suppressed until the windows close. */
async function suppressedCount() {
  const windows = TimeWindows.ofSizeAndGrace(10, 5);
  const task = new FakeTask(new FakeWindowStore<string, ValueAndTimestamp<number>>('counts'));
  const suppress = new SuppressProcessor<string, number>({ graceMs: windows.gracePeriodMs() });
  const emitted: Record<Windowed<string>, Change<number>>[] = [];
  await suppress.init(task.context('KTABLE-SUPPRESS-0000000002', emitted));
  const count = new TimeWindowAggregateProcessor<string, string, number>({
    storeName: 'counts',
    windows,
    initializer: () => 0,
    aggregator: (_key, _value, n) => n + 1,
  });
  const { send } = await task.start(count, 'KSTREAM-AGGREGATE-0000000001', suppress);
  return { send, emitted, suppress };
}

describe('SuppressProcessor (untilWindowCloses)', () => {
  it('emits nothing while a window is open, even after it ends, until end + grace', async () => {
    const { send, emitted, suppress } = await suppressedCount();
    await send('A', 'x', 1);
    await send('A', 'x', 3);
    await send('A', 'x', 12); // [0,10) ended but its grace runs to 15
    await send('A', 'x', 14);
    expect(emitted).toEqual([]);
    expect(suppress.bufferedWindows).toBe(2);
  });

  it('emits exactly one final result per window when stream time reaches end + grace, with the last update time', async () => {
    const { send, emitted } = await suppressedCount();
    await send('A', 'x', 1);
    await send('A', 'x', 3);
    await send('B', 'x', 4);
    await send('A', 'x', 12);
    await send('A', 'x', 8); // out of order, inside grace: part of the final count
    await send('B', 'x', 15); // 10 + 5: [0,10) closes for every key
    await send('B', 'x', 16);
    expect(rows(emitted)).toEqual([
      ['A', 0, 10, 3, null, 8],
      ['B', 0, 10, 1, null, 4],
    ]);
    await send('A', 'x', 25); // 20 + 5: [10,20) closes
    await send('A', 'x', 26);
    expect(rows(emitted)).toEqual([
      ['A', 0, 10, 3, null, 8],
      ['B', 0, 10, 1, null, 4],
      ['A', 10, 20, 1, null, 12],
      ['B', 10, 20, 2, null, 16],
    ]);
  });

  it('emits the final session and drops the sessions merged into it', async () => {
    const windows = SessionWindows.ofInactivityGapAndGrace(5, 10);
    const task = new FakeTask(new FakeSessionStore<string, number>('sessions'));
    // Sessions end inclusively: final once end + gap + grace < stream time.
    const suppress = new SuppressProcessor<string, number>({
      graceMs: windows.gracePeriodMs() + windows.inactivityGap() + 1,
    });
    const emitted: Record<Windowed<string>, Change<number>>[] = [];
    await suppress.init(task.context('KTABLE-SUPPRESS-0000000002', emitted));
    const sessions = new SessionWindowAggregateProcessor<string, number, number>({
      storeName: 'sessions',
      windows,
      initializer: () => 0,
      aggregator: (_key, value, sum) => sum + value,
      merger: (_key, a, b) => a + b,
    });
    const { send } = await task.start(sessions, 'KSTREAM-SESSION-0000000001', suppress);
    await send('A', 1, 0);
    await send('A', 10, 10);
    await send('A', 100, 5);
    await send('B', 1, 25); // a record at 15 could still join [0,10]
    expect(emitted).toEqual([]);
    await send('B', 1, 26);
    expect(rows(emitted)).toEqual([['A', 0, 10, 111, null, 10]]);
  });
});
