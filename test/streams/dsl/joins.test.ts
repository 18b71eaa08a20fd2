import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Joined } from '../../../src/streams/dsl/joined.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import type { TopologyTestDriver } from '../../../src/streams/testing/topology-test-driver.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();

/** clicks (user → page) joined with users (user → name), written to `out` as "page/name". */
function streamTableJoin(left: boolean): TopologyTestDriver {
  const builder = new StreamsBuilder();
  const users = builder.table('users', Consumed.with(S, S));
  const clicks = builder.stream('clicks', Consumed.with(S, S));
  const joined = left
    ? clicks.leftJoin(users, (page, name) => `${page}/${name ?? 'null'}`)
    : clicks.join(users, (page, name) => `${page}/${name}`);
  joined.to('out', Produced.with(S, S));
  return openDriver(builder.build(), { defaultStoreType: 'memory' });
}

describe('KStream–KTable join', () => {
  it('joins a stream record with the table value current when the record is processed', async () => {
    const driver = streamTableJoin(false);
    const users = driver.createInputTopic('users', S, S);
    const clicks = driver.createInputTopic('clicks', S, S);
    const out = driver.createOutputTopic('out', S, S);
    await users.pipeInput('u1', 'ann', 1);
    await clicks.pipeInput('u1', 'home', 2); // after the table row: joins with ann
    await users.pipeInput('u1', 'anna', 3); // a table update emits nothing by itself
    expect(out.readKeyValuesToList()).toEqual([{ key: 'u1', value: 'home/ann' }]);
    await clicks.pipeInput('u1', 'cart', 4); // after the update: joins with anna
    expect(out.readKeyValuesToList()).toEqual([{ key: 'u1', value: 'cart/anna' }]);
  });

  it('keeps the stream record timestamp on the result', async () => {
    const driver = streamTableJoin(false);
    await driver.createInputTopic('users', S, S).pipeInput('u1', 'ann', 100);
    await driver.createInputTopic('clicks', S, S).pipeInput('u1', 'home', 50);
    expect(driver.createOutputTopic('out', S, S).readRecord().timestamp).toBe(50);
  });

  it('inner join drops a stream record whose key has no table row', async () => {
    const driver = streamTableJoin(false);
    await driver.createInputTopic('clicks', S, S).pipeInput('ghost', 'home', 1);
    expect(driver.createOutputTopic('out', S, S).isEmpty()).toBe(true);
  });

  it('left join emits a record whose key has no table row, joined with null', async () => {
    const driver = streamTableJoin(true);
    await driver.createInputTopic('clicks', S, S).pipeInput('ghost', 'home', 1);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'ghost', value: 'home/null' }]);
  });

  it('a table tombstone removes the row: inner join drops later records, left join joins them with null', async () => {
    for (const left of [false, true]) {
      const driver = streamTableJoin(left);
      const users = driver.createInputTopic('users', S, S);
      const clicks = driver.createInputTopic('clicks', S, S);
      await users.pipeInput('u1', 'ann', 1);
      await users.pipeInput('u1', null as unknown as string, 2);
      await clicks.pipeInput('u1', 'home', 3);
      expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(left ? ['home/null'] : []);
      await driver.close();
    }
  });

  it('repartitions a re-keyed stream before joining it with the table', async () => {
    const builder = new StreamsBuilder();
    const users = builder.table('users', Consumed.with(S, S));
    builder
      .stream('clicks', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0] ?? '')
      .join(users, (click, name) => `${click}=${name}`, Joined.with(S, S, S).withName('clicks-by-user'))
      .to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), { applicationId: 'app', defaultStoreType: 'memory' });
    await driver.createInputTopic('users', S, S).pipeInput('u1', 'ann', 0);
    await driver.createInputTopic('clicks', S, S).pipeInput('x', 'u1:home', 1);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'u1', value: 'u1:home=ann' }]);
    expect(driver.producedTopicNames().has('app-clicks-by-user-repartition')).toBe(true);
  });

  it('joins with a filtered table that has no store of its own by materializing it', async () => {
    const builder = new StreamsBuilder();
    const vip = builder.table('users', Consumed.with(S, S)).filter((_k, name) => name.startsWith('vip'));
    builder
      .stream('clicks', Consumed.with(S, S))
      .join(vip, (page, name) => `${page}/${name}`)
      .to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const users = driver.createInputTopic('users', S, S);
    const clicks = driver.createInputTopic('clicks', S, S);
    await users.pipeInput('u1', 'vip-ann', 0);
    await users.pipeInput('u2', 'bob', 0);
    await clicks.pipeInput('u1', 'a', 1);
    await clicks.pipeInput('u2', 'b', 1);
    await users.pipeInput('u1', 'ann', 2); // no longer vip
    await clicks.pipeInput('u1', 'c', 3);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a/vip-ann']);
  });
});

describe('KStream–GlobalKTable join', () => {
  function globalJoin(left: boolean): TopologyTestDriver {
    const builder = new StreamsBuilder();
    const merchants = builder.globalTable('merchants', Consumed.with(S, S), Materialized.as('merchants-store'));
    const tx = builder.stream('tx', Consumed.with(S, Serdes.Json<{ merchant: string; amount: number }>()));
    const joined = left
      ? tx.leftJoin(merchants, (_card, t) => t.merchant, (t, category) => `${t.amount}@${category ?? 'unknown'}`)
      : tx.join(merchants, (_card, t) => t.merchant, (t, category) => `${t.amount}@${category}`);
    joined.to('out', Produced.with(S, S));
    return openDriver(builder.build(), { defaultStoreType: 'memory' });
  }

  it('looks the table up by a key taken from the record, keeping the stream key', async () => {
    const driver = globalJoin(false);
    await driver.createInputTopic('merchants', S, S).pipeInput('m1', 'grocery', 0);
    const tx = driver.createInputTopic('tx', S, Serdes.Json<{ merchant: string; amount: number }>());
    await tx.pipeInput('card-9', { merchant: 'm1', amount: 12 }, 1);
    await tx.pipeInput('card-9', { merchant: 'm2', amount: 5 }, 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'card-9', value: '12@grocery' }]);
    expect(await driver.getKeyValueStore<string, string>('merchants-store')?.get('m1')).toBe('grocery');
  });

  it('left join emits records without a match, joined with null', async () => {
    const driver = globalJoin(true);
    await driver.createInputTopic('tx', S, Serdes.Json<{ merchant: string; amount: number }>()).pipeInput('c', { merchant: 'mX', amount: 1 }, 0);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1@unknown']);
  });

  it('does not create a sub-topology or a repartition topic for the global table', () => {
    const builder = new StreamsBuilder();
    const g = builder.globalTable('g', Consumed.with(S, S));
    builder.stream('s', Consumed.with(S, S)).selectKey((_k, v) => v).join(g, (k) => k, (v, gv) => v + gv).to('out');
    const description = builder.build().describe();
    expect(description.subtopologies).toHaveLength(1);
    expect(description.globalStores).toHaveLength(1);
  });
});

describe('KTable–KTable join', () => {
  function tableJoin(left: boolean | 'outer'): TopologyTestDriver {
    const builder = new StreamsBuilder();
    const a = builder.table('a', Consumed.with(S, S));
    const b = builder.table('b', Consumed.with(S, S));
    const joined =
      left === 'outer'
        ? a.outerJoin(b, (x, y) => `${x ?? 'null'}+${y ?? 'null'}`)
        : left
          ? a.leftJoin(b, (x, y) => `${x}+${y ?? 'null'}`)
          : a.join(b, (x, y) => `${x}+${y}`);
    joined.toStream().to('out', Produced.with(S, S));
    return openDriver(builder.build(), { defaultStoreType: 'memory' });
  }

  it('inner join emits once both sides have the key, on updates of either side, and a deletion when one side goes', async () => {
    const driver = tableJoin(false);
    const a = driver.createInputTopic('a', S, S);
    const b = driver.createInputTopic('b', S, S);
    await a.pipeInput('k', 'a1', 0); // no b yet: nothing
    await b.pipeInput('k', 'b1', 0);
    await a.pipeInput('k', 'a2', 0);
    await b.pipeInput('k', null as unknown as string, 0);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a1+b1', 'a2+b1', null]);
  });

  it('left join emits left rows with a null right side, and updates when the right side arrives', async () => {
    const driver = tableJoin(true);
    const a = driver.createInputTopic('a', S, S);
    const b = driver.createInputTopic('b', S, S);
    await a.pipeInput('k', 'a1', 0);
    await b.pipeInput('k', 'b1', 0);
    await b.pipeInput('only-right', 'x', 0); // no left row: nothing
    await b.pipeInput('k', null as unknown as string, 0);
    await a.pipeInput('k', null as unknown as string, 0);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a1+null', 'a1+b1', 'a1+null', null]);
  });

  it('outer join emits rows of either side, with null for the missing one, until both are gone', async () => {
    const driver = tableJoin('outer');
    const a = driver.createInputTopic('a', S, S);
    const b = driver.createInputTopic('b', S, S);
    await b.pipeInput('k', 'b1', 0);
    await a.pipeInput('k', 'a1', 0);
    await b.pipeInput('k', null as unknown as string, 0);
    await a.pipeInput('k', null as unknown as string, 0);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['null+b1', 'a1+b1', 'a1+null', null]);
  });

  it('stamps a joined row with the newer of its two sides', async () => {
    const driver = tableJoin(false);
    await driver.createInputTopic('a', S, S).pipeInput('k', 'a1', 300);
    await driver.createInputTopic('b', S, S).pipeInput('k', 'b1', 200);
    await driver.createInputTopic('a', S, S).pipeInput('k', 'a2', 100);
    expect(driver.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([
      ['a1+b1', 300],
      ['a2+b1', 200],
    ]);
  });
});
