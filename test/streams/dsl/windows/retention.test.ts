import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { SessionWindows } from '../../../../src/streams/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../../src/streams/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../../../src/streams/dsl/windows/time-windows.js';
import type { ValueAndTimestamp } from '../../../../src/streams/dsl/windows/index.js';
import { N, S, windowedTopology } from './support/windowed-topology.js';

describe.each(['memory', 'leveldb'] as const)('window retention on %s stores', (storeType) => {
  const config = { defaultStoreType: storeType };

  it('drops a tumbling window from its store once the newest window starts size + grace after it', async () => {
    const t = windowedTopology(TimeWindows.ofSizeAndGrace(10, 5), (w) => w.count(Materialized.as('counts')), { config });
    const store = () => t.driver.getWindowStore<string, ValueAndTimestamp<number>>('counts')!;
    await t.pipe('A', 0, 5);
    await t.pipe('A', 0, 19); // newest start 10: window 0 is 10 < 15 behind, kept
    expect(await store().fetch('A', 0)).toEqual({ value: 1, timestamp: 5 });
    await t.pipe('A', 0, 21); // newest start 20: window 0 is 20 >= 15 behind, gone
    expect(await store().fetch('A', 0)).toBeUndefined();
    expect(await store().fetch('A', 20)).toEqual({ value: 1, timestamp: 21 });
  });

  it('keeps windows longer when Materialized asks for a longer retention', async () => {
    const t = windowedTopology(
      TimeWindows.ofSizeWithNoGrace(10),
      (w) => w.count(Materialized.as<string, number>('counts').withRetention(100)),
      { config },
    );
    await t.pipe('A', 0, 5);
    await t.pipe('A', 0, 95);
    const store = t.driver.getWindowStore<string, ValueAndTimestamp<number>>('counts')!;
    expect(await store.fetch('A', 0)).toEqual({ value: 1, timestamp: 5 });
  });

  it('drops a session from its store once the newest session ends more than gap + grace after it', async () => {
    const t = windowedTopology(SessionWindows.ofInactivityGapWithNoGrace(5), (w) => w.count(Materialized.as('sessions')), {
      config,
    });
    await t.pipe('A', 0, 0);
    await t.pipe('B', 0, 5); // [0,0] can still grow (a record at 5 would join it)
    const store = () => t.driver.getSessionStore<string, number>('sessions')!;
    expect(await store().fetchSession('A', 0, 0)).toBe(1);
    await t.pipe('B', 0, 6);
    expect(await store().fetchSession('A', 0, 0)).toBeUndefined();
  });
});

describe('window retention configuration', () => {
  const grouped = () => new StreamsBuilder().stream('in', Consumed.with(S, N)).groupByKey();

  it('rejects a retention shorter than window size + grace, as Kafka Streams does', () => {
    expect(() =>
      grouped().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<string, number>('c').withRetention(14)),
    ).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });

  it('requires sliding windows to be retained for twice the time difference plus grace', () => {
    const sliding = SlidingWindows.ofTimeDifferenceAndGrace(10, 5);
    expect(() => grouped().windowedBy(sliding).count(Materialized.as<string, number>('c').withRetention(24))).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }),
    );
    expect(() => grouped().windowedBy(sliding).count(Materialized.as<string, number>('c').withRetention(25))).not.toThrow();
  });

  it('rejects a session retention shorter than gap + grace', () => {
    expect(() =>
      grouped().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 5)).count(Materialized.as<string, number>('c').withRetention(9)),
    ).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });
});
