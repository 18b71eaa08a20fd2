import { describe, expect, it } from 'vitest';
import { SessionWindows } from '../../../../../src/streams/dsl/windows/session-windows.js';
import { SessionWindowAggregateProcessor } from '../../../../../src/streams/dsl/windows/internal/session-window-aggregate-processor.js';
import { FakeTask } from '../support/fake-context.js';
import { FakeSessionStore } from '../support/fake-stores.js';
import { rows } from '../support/windowed-rows.js';

async function summing(windows: SessionWindows) {
  const store = new FakeSessionStore<string, number>('sessions');
  const task = new FakeTask(store);
  const processor = new SessionWindowAggregateProcessor<string, number, number>({
    storeName: 'sessions',
    windows,
    initializer: () => 0,
    aggregator: (_key, value, sum) => sum + value,
    merger: (_key, a, b) => a + b,
  });
  const { output, send } = await task.start(processor, 'KSTREAM-SESSION-0000000001');
  return { store, task, output, send };
}

describe('SessionWindowAggregateProcessor', () => {
  it('starts a session [t, t] for a key with no session, stamped with its end', async () => {
    const { output, send, store } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('A', 1, 0);
    expect(rows(output)).toEqual([['A', 0, 0, 1, null, 0]]);
    expect(store.sessionsOf('A')).toEqual([[0, 0, 1]]);
  });

  it('extends a session by a record within the gap: a tombstone for the old session, then the grown one', async () => {
    const { output, send, store } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('A', 1, 0);
    await send('A', 2, 5); // exactly the gap away: still the same session
    expect(rows(output)).toEqual([
      ['A', 0, 0, 1, null, 0],
      ['A', 0, 0, null, 1, 0],
      ['A', 0, 5, 3, null, 5],
    ]);
    expect(store.sessionsOf('A')).toEqual([[0, 5, 3]]);
  });

  it('starts a new session for a record more than the gap after the last one', async () => {
    const { output, send, store } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('A', 1, 0);
    await send('A', 2, 6);
    expect(rows(output)).toEqual([
      ['A', 0, 0, 1, null, 0],
      ['A', 6, 6, 2, null, 6],
    ]);
    expect(store.sessionsOf('A')).toEqual([
      [0, 0, 1],
      [6, 6, 2],
    ]);
  });

  it('merges two sessions when a record bridges them, removing both and forwarding a tombstone for each', async () => {
    const { output, send, store } = await summing(SessionWindows.ofInactivityGapAndGrace(5, 10));
    await send('A', 1, 0);
    await send('A', 10, 10);
    await send('A', 100, 5); // within 5 of both 0 and 10
    expect(rows(output)).toEqual([
      ['A', 0, 0, 1, null, 0],
      ['A', 10, 10, 10, null, 10],
      ['A', 0, 0, null, 1, 0],
      ['A', 10, 10, null, 10, 10],
      ['A', 0, 10, 111, null, 10],
    ]);
    expect(store.sessionsOf('A')).toEqual([[0, 10, 111]]);
  });

  it('accepts an out-of-order record inside grace into its session', async () => {
    const { output, send, task } = await summing(SessionWindows.ofInactivityGapAndGrace(5, 10));
    await send('A', 1, 0);
    await send('B', 1, 14); // closes sessions that ended before 14 - 10 - 5 = -1
    await send('A', 2, 3);
    expect(rows(output).slice(2)).toEqual([
      ['A', 0, 0, null, 1, 0],
      ['A', 0, 3, 3, null, 3],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  it('drops and counts a record whose session ended before stream time - grace - gap', async () => {
    const { output, send, task, store } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('A', 1, 0);
    await send('B', 1, 20); // close time 20 - 0 - 5 = 15
    await send('A', 2, 8); // its own session [8,8] ends before 15
    expect(rows(output)).toEqual([
      ['A', 0, 0, 1, null, 0],
      ['B', 20, 20, 1, null, 20],
    ]);
    expect(store.sessionsOf('A')).toEqual([[0, 0, 1]]);
    expect(task.lateDrops).toEqual(['0_0/KSTREAM-SESSION-0000000001']);
  });

  it('accepts a record whose session ends exactly at the close time (sessions end inclusively)', async () => {
    const { output, send, task } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('B', 1, 20);
    await send('A', 2, 15);
    expect(rows(output)).toEqual([
      ['B', 20, 20, 1, null, 20],
      ['A', 15, 15, 2, null, 15],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  it('adds a second record at the same time to the same session without a tombstone', async () => {
    const { output, send } = await summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await send('A', 1, 7);
    await send('A', 2, 7);
    expect(rows(output)).toEqual([
      ['A', 7, 7, 1, null, 7],
      ['A', 7, 7, 3, null, 7],
    ]);
  });
});
