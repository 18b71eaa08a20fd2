import { describe, expect, it } from 'vitest';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { SlidingWindows } from '../../../../src/streams/dsl/windows/sliding-windows.js';
import { N, S, windowedTopology } from './support/windowed-topology.js';

describe('sliding-window aggregation (through the TopologyTestDriver)', () => {
  const summing = (windows: SlidingWindows) =>
    windowedTopology(windows, (w) => w.aggregate(() => 0, (_k, v, sum) => sum + v, Materialized.with(S, N)));

  it('in order: one window ending at each record, plus the right window of the previous record', async () => {
    const t = summing(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    await t.pipe('A', 1, 20);
    await t.pipe('A', 2, 25);
    expect(t.rows()).toEqual([
      ['A', 10, 20, 1, 20],
      ['A', 21, 31, 2, 25],
      ['A', 15, 25, 3, 25],
    ]);
  });

  it('out of order inside grace: updates every window holding the record and adds its own', async () => {
    const t = summing(SlidingWindows.ofTimeDifferenceAndGrace(10, 20));
    await t.pipe('A', 1, 20);
    await t.pipe('A', 100, 30);
    t.rows();
    await t.pipe('A', 10, 25);
    // Records 20 (1), 25 (10), 30 (100).
    expect(t.rows()).toEqual([
      ['A', 20, 30, 111, 30],
      ['A', 21, 31, 110, 30],
      ['A', 15, 25, 11, 25],
      ['A', 26, 36, 100, 30],
    ]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('drops a record whose window closed and counts it as late', async () => {
    const t = summing(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    await t.pipe('A', 1, 20);
    await t.pipe('A', 1, 45);
    await t.pipe('A', 1, 29); // window [19,29] closed at 29 + 5 < 45
    expect(t.rows()).toEqual([
      ['A', 10, 20, 1, 20],
      ['A', 35, 45, 1, 45],
    ]);
    expect(t.metrics.lateDrops).toHaveLength(1);
  });
});
