import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../src/streams/dsl/grouped.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();
const N = Serdes.Number();

describe('KTable', () => {
  it('a source table keeps the latest value per key and deletes on a tombstone', async () => {
    const builder = new StreamsBuilder();
    builder.table('users', Consumed.with(S, S), Materialized.as('users-store'));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('users', S, S);
    await input.pipeInput('u1', 'ann', 0);
    await input.pipeInput('u2', 'bob', 0);
    await input.pipeInput('u1', 'anna', 0);
    await input.pipeInput('u2', null as unknown as string, 0);
    const store = driver.getKeyValueStore<string, string>('users-store');
    expect(await store?.get('u1')).toBe('anna');
    expect(await store?.get('u2')).toBeUndefined();
  });

  it('toStream emits each new value, and null for a deletion', async () => {
    const builder = new StreamsBuilder();
    builder.table('t', Consumed.with(S, N)).toStream().to('out', Produced.with(S, N));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('t', S, N);
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', 2, 0);
    await input.pipeInput('a', null as unknown as number, 0);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'a', value: null },
    ]);
  });

  it('filter turns a row that stops matching into a deletion and skips rows that never matched', async () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', Consumed.with(S, N))
      .filter((_k, v) => v >= 10, Materialized.as('big'))
      .toStream()
      .to('out', Produced.with(S, N));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('t', S, N);
    await input.pipeInput('a', 5, 0); // never matched: nothing
    await input.pipeInput('a', 15, 0); // matches: 15
    await input.pipeInput('a', 3, 0); // stops matching: tombstone
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      { key: 'a', value: 15 },
      { key: 'a', value: null },
    ]);
    expect(await driver.getKeyValueStore<string, number>('big')?.get('a')).toBeUndefined();
  });

  it('mapValues transforms every row and keeps deletions as deletions', async () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', Consumed.with(S, N))
      .mapValues((v, k) => `${k}:${v * 2}`)
      .toStream()
      .to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('t', S, N);
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', null as unknown as number, 0);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'a:2' },
      { key: 'a', value: null },
    ]);
  });

  it('toTable materializes a stream as a table', async () => {
    const builder = new StreamsBuilder();
    builder.stream('s', Consumed.with(S, N)).toTable(undefined, Materialized.as('latest'));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('s', S, N);
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', 4, 0);
    expect(await driver.getKeyValueStore<string, number>('latest')?.get('a')).toBe(4);
  });

  it('groupBy + aggregate subtracts the old row and adds the new one when a row moves to another group', async () => {
    // user → region; count users per region.
    const builder = new StreamsBuilder();
    builder
      .table('user-region', Consumed.with(S, S))
      .groupBy((user, region) => ({ key: region, value: user }), Grouped.with(S, S))
      .count(Materialized.as('users-per-region'))
      .toStream()
      .to('out', Produced.with(S, Serdes.Long()));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('user-region', S, S);
    await input.pipeInput('u1', 'eu', 0);
    await input.pipeInput('u2', 'eu', 0);
    await input.pipeInput('u1', 'us', 0);
    await input.pipeInput('u2', null as unknown as string, 0);
    expect(driver.createOutputTopic('out', S, Serdes.Long()).readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'eu', value: 2 },
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
      { key: 'eu', value: 0 },
    ]);
    const store = driver.getKeyValueStore<string, number>('users-per-region');
    expect([await store?.get('eu'), await store?.get('us')]).toEqual([0, 1]);
  });

  it('groupBy + reduce keeps a running sum with adder and subtractor', async () => {
    const builder = new StreamsBuilder();
    builder
      .table('balance', Consumed.with(S, N))
      .groupBy((_acct, amount) => ({ key: 'total', value: amount }), Grouped.with(S, N))
      .reduce(
        (agg, v) => agg + v,
        (agg, v) => agg - v,
        Materialized.as('total'),
      );
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('balance', S, N);
    await input.pipeInput('a', 10, 0);
    await input.pipeInput('b', 5, 0);
    await input.pipeInput('a', 2, 0);
    expect(await driver.getKeyValueStore<string, number>('total')?.get('total')).toBe(7);
  });
});
