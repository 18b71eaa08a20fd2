import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../../src/streams/dsl/grouped.js';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { TimeWindows } from '../../../../src/streams/dsl/windows/index.js';
import type { ValueAndTimestamp } from '../../../../src/streams/dsl/windows/index.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';
import { Stores } from '../../../../src/streams/state/stores.js';
import { openDriver } from '../../testing/driver-fixture.js';

const S = Serdes.String();
const N = Serdes.Number();

describe('windowed aggregations in a topology', () => {
  it('repartitions before a windowed count when the key changed upstream', async () => {
    const builder = new StreamsBuilder();
    const counts: string[] = [];
    builder
      .stream('in', Consumed.with(S, N))
      .groupBy((_k, v) => (v % 2 === 0 ? 'even' : 'odd'), Grouped.with(S, N))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .process(() => ({
        process: (r) => {
          counts.push(`${r.key.key}[${r.key.window.start}]=${String(r.value)}`);
        },
      }));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, N);
    await input.pipeInput('a', 2, 1);
    await input.pipeInput('b', 4, 2);
    await input.pipeInput('c', 5, 3);
    expect(counts).toEqual(['even[0]=1', 'even[0]=2', 'odd[0]=1']);
    expect([...driver.producedTopicNames()].some((t) => t.endsWith('-repartition'))).toBe(true);
  });

  it('uses a window store supplier given through Materialized.as', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, N))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count(Materialized.as(Stores.inMemoryWindowStore('my-windows', 1_000, 10, false)));
    const driver = openDriver(builder.build(), { defaultStoreType: 'leveldb' });
    await driver.createInputTopic('in', S, N).pipeInput('A', 1, 5);
    const store = driver.getWindowStore<string, ValueAndTimestamp<number>>('my-windows')!;
    expect(store.persistent).toBe(false);
    expect(await store.fetch('A', 0)).toEqual({ value: 1, timestamp: 5 });
  });
});
