import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../src/streams/dsl/grouped.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { Repartitioned } from '../../../src/streams/dsl/repartitioned.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/index.js';
import { openDriver } from '../testing/driver-fixture.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();
const N = Serdes.Number();
const L = Serdes.Long();

interface Tx {
  card: string;
  merchant: string;
  amount: number;
}
const TX = Serdes.Json<Tx>();

describe('KGroupedStream aggregations', () => {
  it('count emits the running count per key and keeps it in the store', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as('counts'))
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    for (const k of ['a', 'b', 'a', 'a']) await input.pipeInput(k, 'x', 0);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
      { key: 'a', value: 3 },
    ]);
    const store = driver.getKeyValueStore<string, number>('counts');
    expect(await store?.get('a')).toBe(3);
    expect(await store?.get('b')).toBe(1);
  });

  it('reduce combines values per key, the first value standing alone', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, N))
      .groupByKey()
      .reduce((agg, v) => Math.max(agg, v), Materialized.with(S, N))
      .toStream()
      .to('out', Produced.with(S, N));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, N);
    for (const [k, v] of [['a', 3], ['a', 1], ['a', 7], ['b', 2]] as const) await input.pipeInput(k, v, 0);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      { key: 'a', value: 3 },
      { key: 'a', value: 3 },
      { key: 'a', value: 7 },
      { key: 'b', value: 2 },
    ]);
  });

  it('aggregate starts from the initializer and folds every value', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, N))
      .groupByKey()
      .aggregate(
        () => ({ sum: 0, n: 0 }),
        (_k, v, agg) => ({ sum: agg.sum + v, n: agg.n + 1 }),
        Materialized.as<string, { sum: number; n: number }>('stats').withValueSerde(Serdes.Json()),
      )
      .toStream()
      .to('out', Produced.with(S, Serdes.Json<{ sum: number; n: number }>()));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, N);
    await input.pipeInput('a', 10, 0);
    await input.pipeInput('a', 5, 0);
    expect(driver.createOutputTopic('out', S, Serdes.Json()).readValuesToList()).toEqual([
      { sum: 10, n: 1 },
      { sum: 15, n: 2 },
    ]);
  });

  it('stamps each aggregate with the largest timestamp that went into it, and keeps that time in the store', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as('counts')).toStream().to('out', Produced.with(S, L));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 100);
    await input.pipeInput('a', 'x', 50); // out of order: the count is still as recent as 100
    await input.pipeInput('a', 'x', 120);
    expect(driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([
      [1, 100],
      [2, 100],
      [3, 120],
    ]);
    expect(await driver.getTimestampedKeyValueStore<string, number>('counts')?.get('a')).toEqual({ value: 3, timestamp: 120 });
  });

  it('skips and counts records with a null key or value', async () => {
    const skipped: string[] = [];
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count().toStream().to('out', Produced.with(S, L));
    const driver = openDriver(builder.build(), {
      defaultStoreType: 'memory',
      metrics: { lateRecordDropped: () => {}, recordProcessed: () => {}, recordSkipped: (_t, reason) => skipped.push(reason) },
    });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput(null as unknown as string, 'x', 0);
    await input.pipeInput('a', null as unknown as string, 0);
    expect(driver.createOutputTopic('out', S, L).isEmpty()).toBe(true);
    expect(skipped).toEqual(['null-key-or-value-in-aggregation', 'null-key-or-value-in-aggregation']);
  });

  it('keeps aggregates in LevelDB by default, under the state directory', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as('persisted-counts')).toStream().to('out', Produced.with(S, L));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    const store = driver.getKeyValueStore<string, number>('persisted-counts');
    expect(store?.persistent).toBe(true);
    expect(await store?.get('a')).toBe(1);
    expect(existsSync(join(driver.config.stateDir, 'app', '0_0'))).toBe(true);
  });

  it('uses the store a Materialized supplier names', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as(Stores.inMemoryKeyValueStore('mem-counts')));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    expect(driver.getKeyValueStore('mem-counts')?.persistent).toBe(false);
  });
});

describe('repartitioning', () => {
  it('selectKey then count goes through <appId>-<store>-repartition and counts by the new key', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('tx', Consumed.with(S, TX))
      .selectKey((_k, tx) => tx.merchant)
      .groupByKey(Grouped.with(S, TX))
      .count(Materialized.as('per-merchant'))
      .toStream()
      .to('out', Produced.with(S, L));
    const topology = builder.build();
    const driver = openDriver(topology, { applicationId: 'fraud', defaultStoreType: 'memory' });
    const input = driver.createInputTopic('tx', S, TX);
    await input.pipeInput('card-1', { card: 'card-1', merchant: 'shop', amount: 1 }, 0);
    await input.pipeInput('card-2', { card: 'card-2', merchant: 'shop', amount: 2 }, 0);
    await input.pipeInput('card-1', { card: 'card-1', merchant: 'cafe', amount: 3 }, 0);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'shop', value: 1 },
      { key: 'shop', value: 2 },
      { key: 'cafe', value: 1 },
    ]);
    expect(driver.producedTopicNames()).toEqual(new Set(['fraud-per-merchant-repartition', 'out']));
    expect(driver.createOutputTopic('fraud-per-merchant-repartition', S, TX).readKeyValuesToList().map((r) => r.key)).toEqual(['shop', 'shop', 'cafe']);
    expect(topology.describe().subtopologies).toHaveLength(2);
  });

  it('names the repartition topic after Grouped.as when given', async () => {
    const builder = new StreamsBuilder();
    builder.stream('tx', Consumed.with(S, TX)).groupBy((_k, tx) => tx.merchant, Grouped.as<string, Tx>('by-merchant').withKeySerde(S).withValueSerde(TX)).count();
    const driver = openDriver(builder.build(), { applicationId: 'fraud', defaultStoreType: 'memory' });
    await driver.createInputTopic('tx', S, TX).pipeInput('c', { card: 'c', merchant: 'm', amount: 1 }, 0);
    expect(driver.producedTopicNames()).toEqual(new Set(['fraud-by-merchant-repartition']));
  });

  it('repartitions before aggregating the output of process(), which may have changed keys', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .process(() => ({ process: () => {} }))
      .groupByKey(Grouped.with(S, S))
      .count();
    expect(builder.build().describe().subtopologies).toHaveLength(2);
  });

  it('does not repartition when the key did not change', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).mapValues((v) => v.length).filter(() => true).groupByKey().count();
    const topology = builder.build();
    expect(topology.describe().subtopologies).toHaveLength(1);
    const driver = openDriver(topology, { defaultStoreType: 'memory' });
    await driver.createInputTopic('in', S, S).pipeInput('a', 'xyz', 0);
    expect(driver.producedTopicNames().size).toBe(0);
  });

  it('repartition() always goes through a topic and keeps the records', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, N)).repartition().to('out', Produced.with(S, N));
    const driver = openDriver(builder.build(), { applicationId: 'app' });
    await driver.createInputTopic('in', S, N).pipeInput('a', 1, 42);
    const r = driver.createOutputTopic('out', S, N).readRecord();
    expect([r.key, r.value, r.timestamp]).toEqual(['a', 1, 42]);
    expect([...driver.producedTopicNames()].sort()).toEqual(['app-KSTREAM-REPARTITION-0000000001-repartition', 'out']);
  });

  it('passes Repartitioned.withNumberOfPartitions to the plan for the runtime', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, N)).repartition(Repartitioned.as<string, number>('spread').withNumberOfPartitions(6));
    expect(builder.build()[TOPOLOGY_INTERNALS].plan('app').internalTopicPartitions).toEqual(new Map([['app-spread-repartition', 6]]));
  });

  it('drops null-key records before the repartition topic', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).selectKey((_k, v) => (v === 'none' ? (null as unknown as string) : v)).groupByKey(Grouped.with(S, S)).count().toStream().to('out', Produced.with(S, L));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'none', 0);
    await input.pipeInput('a', 'x', 0);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([{ key: 'x', value: 1 }]);
  });
});

describe('lowering to the Processor API', () => {
  it('selectKey + count describes as two sub-topologies joined by a repartition topic, named as Kafka Streams names them', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('input', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .groupByKey(Grouped.with(S, S))
      .count()
      .toStream()
      .to('output');
    expect(builder.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-KEY-SELECT-0000000001',
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000001',
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '   Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: output)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
      ].join('\n'),
    );
  });
});
