import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { BufferConfig, SlidingWindows, Suppressed } from '../../../../src/streams/dsl/windows/index.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';
import { openDriver } from '../../testing/driver-fixture.js';

const S = Serdes.String();

/**
 * Kafka Streams' own expectations, ported from
 * KStreamSlidingWindowAggregateTest: the string aggregate "0+v1+v2..." of
 * every update, grouped by window start (as sets of value@timestamp).
 */
async function slidingUpdates(windows: SlidingWindows, input: Array<[string, number]>, final = false) {
  const builder = new StreamsBuilder();
  const updates: Array<{ start: number; value: string | null; timestamp: number }> = [];
  const table = builder
    .stream('topic', Consumed.with(S, S))
    .groupByKey()
    .windowedBy(windows)
    .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, Materialized.with(S, S));
  (final ? table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())) : table)
    .toStream()
    .process(() => ({
      process: (record) => {
        updates.push({ start: record.key.window.start, value: record.value, timestamp: record.timestamp });
      },
    }));
  const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
  const topic = driver.createInputTopic('topic', S, S);
  for (const [value, timestamp] of input) await topic.pipeInput('A', value, timestamp);
  const byStart: Record<number, Set<string>> = {};
  for (const u of updates) (byStart[u.start] ??= new Set()).add(`${u.value}@${u.timestamp}`);
  return byStart;
}

describe('sliding windows match Kafka Streams (KStreamSlidingWindowAggregateTest)', () => {
  it('testAggregateSmallInput: difference 10, grace 5', async () => {
    const actual = await slidingUpdates(SlidingWindows.ofTimeDifferenceAndGrace(10, 5), [
      ['1', 10],
      ['2', 10],
      ['3', 14],
      ['4', 15],
      ['5', 20],
      ['6', 22],
      ['7', 30],
    ]);
    expect(actual).toEqual({
      0: new Set(['0+1@10', '0+1+2@10']),
      4: new Set(['0+1+2+3@14']),
      5: new Set(['0+1+2+3+4@15']),
      10: new Set(['0+1+2+3+4+5@20']),
      11: new Set(['0+3@14', '0+3+4@15', '0+3+4+5@20']),
      12: new Set(['0+3+4+5+6@22']),
      15: new Set(['0+4@15', '0+4+5@20', '0+4+5+6@22']),
      16: new Set(['0+5@20', '0+5+6@22']),
      20: new Set(['0+5+6+7@30']),
      21: new Set(['0+6@22', '0+6+7@30']),
      23: new Set(['0+7@30']),
    });
  });

  it('testAggregateSmallInput with final results: suppress matches its ON_WINDOW_CLOSE expectations', async () => {
    const actual = await slidingUpdates(
      SlidingWindows.ofTimeDifferenceAndGrace(10, 5),
      [
        ['1', 10],
        ['2', 10],
        ['3', 14],
        ['4', 15],
        ['5', 20],
        ['6', 22],
        ['7', 30],
      ],
      true,
    );
    // Stream time 30 - grace 5: windows ending before 25 are final; [15,25] is not yet.
    expect(actual).toEqual({
      0: new Set(['0+1+2@10']),
      4: new Set(['0+1+2+3@14']),
      5: new Set(['0+1+2+3+4@15']),
      10: new Set(['0+1+2+3+4+5@20']),
      11: new Set(['0+3+4+5@20']),
      12: new Set(['0+3+4+5+6@22']),
    });
  });

  it('testEarlyRecordsSmallInput: difference 50, no grace, records before the difference share [0, 50]', async () => {
    const actual = await slidingUpdates(SlidingWindows.ofTimeDifferenceAndGrace(50, 0), [
      ['1', 0],
      ['2', 5],
      ['3', 6],
      ['4', 3],
      ['5', 13],
      ['6', 10],
      ['7', 70],
    ]);
    expect(actual).toEqual({
      0: new Set(['0+1@0', '0+1+2@5', '0+1+2+3@6', '0+1+2+3+4@6', '0+1+2+3+4+5@13', '0+1+2+3+4+5+6@13']),
      1: new Set(['0+2@5', '0+2+3@6', '0+2+3+4@6', '0+2+3+4+5@13', '0+2+3+4+5+6@13']),
      4: new Set(['0+2+3@6', '0+2+3+5@13', '0+2+3+5+6@13']),
      6: new Set(['0+3@6', '0+3+5@13', '0+3+5+6@13']),
      7: new Set(['0+5@13', '0+5+6@13']),
      11: new Set(['0+5@13']),
      20: new Set(['0+7@70']),
    });
  });
});
