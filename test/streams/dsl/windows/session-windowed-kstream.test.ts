import { describe, expect, it } from 'vitest';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { SessionWindows } from '../../../../src/streams/dsl/windows/session-windows.js';
import { N, S, windowedTopology } from './support/windowed-topology.js';

describe.each(['memory', 'leveldb'] as const)('SessionWindowedKStream on %s stores (through the TopologyTestDriver)', (storeType) => {
  const config = { defaultStoreType: storeType };
  const summing = (windows: SessionWindows) =>
    windowedTopology(
      windows,
      (w) => w.aggregate(() => 0, (_k, v, sum) => sum + v, (_k, a, b) => a + b, Materialized.with(S, N)),
      { config },
    );

  it('grows a session with in-order records within the gap, retracting the shorter session', async () => {
    const t = summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await t.pipe('A', 1, 0);
    await t.pipe('A', 2, 4);
    await t.pipe('A', 4, 20);
    expect(t.rows()).toEqual([
      ['A', 0, 0, 1, 0],
      ['A', 0, 0, null, 0],
      ['A', 0, 4, 3, 4],
      ['A', 20, 20, 4, 20],
    ]);
  });

  it('merges two sessions when a record bridges them: two tombstones, then the merged session', async () => {
    // Grace keeps [0,0] open (and in the store) until stream time 0 + 5 + 10.
    const t = summing(SessionWindows.ofInactivityGapAndGrace(5, 10));
    await t.pipe('A', 1, 0);
    await t.pipe('A', 10, 10);
    await t.pipe('A', 100, 5);
    expect(t.rows()).toEqual([
      ['A', 0, 0, 1, 0],
      ['A', 10, 10, 10, 10],
      ['A', 0, 0, null, 0],
      ['A', 10, 10, null, 10],
      ['A', 0, 10, 111, 10],
    ]);
    const store = t.driver.getSessionStore<string, number>('KSTREAM-AGGREGATE-STATE-STORE-0000000002');
    expect(await store!.fetchSession('A', 0, 10)).toBe(111);
    expect(await store!.fetchSession('A', 0, 0)).toBeUndefined();
  });

  it('accepts an out-of-order record inside grace into its session', async () => {
    const t = summing(SessionWindows.ofInactivityGapAndGrace(5, 10));
    await t.pipe('A', 1, 0);
    await t.pipe('B', 1, 14);
    await t.pipe('A', 2, 3);
    expect(t.rows().slice(2)).toEqual([
      ['A', 0, 0, null, 0],
      ['A', 0, 3, 3, 3],
    ]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('does not bridge into a session that closed: the record starts a session with the open one only', async () => {
    const t = summing(SessionWindows.ofInactivityGapWithNoGrace(5));
    await t.pipe('A', 1, 0);
    await t.pipe('A', 10, 10); // [0,0] closed at 0 + 5 and left the store
    await t.pipe('A', 100, 5);
    expect(t.rows().slice(2)).toEqual([
      ['A', 10, 10, null, 10],
      ['A', 5, 10, 110, 10],
    ]);
  });

  it('drops a record for a session closed by stream time and counts it as late', async () => {
    const t = summing(SessionWindows.ofInactivityGapAndGrace(5, 10));
    await t.pipe('A', 1, 0);
    await t.pipe('B', 1, 30); // close time 30 - 10 - 5 = 15
    await t.pipe('A', 2, 3);
    expect(t.rows()).toEqual([
      ['A', 0, 0, 1, 0],
      ['B', 30, 30, 1, 30],
    ]);
    expect(t.metrics.lateDrops).toHaveLength(1);
  });

  it('count counts records per session and reduce merges sessions with the reducer', async () => {
    const counted = windowedTopology(SessionWindows.ofInactivityGapAndGrace(5, 10), (w) => w.count(), { config });
    await counted.pipe('A', 0, 0);
    await counted.pipe('A', 0, 10);
    await counted.pipe('A', 0, 5);
    expect(counted.rows().at(-1)).toEqual(['A', 0, 10, 3, 10]);

    const maxed = windowedTopology(SessionWindows.ofInactivityGapAndGrace(5, 10), (w) => w.reduce((a, b) => Math.max(a, b)), {
      config,
    });
    await maxed.pipe('A', 7, 0);
    await maxed.pipe('A', 3, 10);
    await maxed.pipe('A', 5, 5);
    expect(maxed.rows().at(-1)).toEqual(['A', 0, 10, 7, 10]);
  });
});
