import { describe, expect, it } from 'vitest';
import { Branched } from '../../../src/streams/dsl/branched.js';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import type { KStream } from '../../../src/streams/dsl/kstream.js';
import { Named } from '../../../src/streams/dsl/named.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();
const N = Serdes.Number();

/** Builds `in` (string → number) → `op` → `out`, pipes `input` and returns what reached `out`. */
async function run<K, V>(
  op: (s: KStream<string, number>) => KStream<K, V>,
  input: Array<[string, number]>,
  keySerde = S as unknown as typeof S,
  valueSerde = N as unknown as typeof N,
): Promise<Array<{ key: unknown; value: unknown }>> {
  const builder = new StreamsBuilder();
  op(builder.stream('in', Consumed.with(S, N))).to('out', Produced.with(keySerde, valueSerde) as never);
  const driver = openDriver(builder.build());
  const topic = driver.createInputTopic('in', S, N);
  for (const [k, v] of input) await topic.pipeInput(k, v, 0);
  return driver.createOutputTopic('out', keySerde, valueSerde).readKeyValuesToList();
}

describe('KStream stateless operations', () => {
  it('filter keeps records whose predicate is true', async () => {
    expect(await run((s) => s.filter((_k, v) => v > 1), [['a', 1], ['b', 2], ['c', 3]])).toEqual([
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
    ]);
  });

  it('filterNot drops records whose predicate is true', async () => {
    expect(await run((s) => s.filterNot((_k, v) => v > 1), [['a', 1], ['b', 2]])).toEqual([{ key: 'a', value: 1 }]);
  });

  it('map replaces key and value', async () => {
    expect(await run((s) => s.map((k, v) => ({ key: k.toUpperCase(), value: v * 10 })), [['a', 1]])).toEqual([{ key: 'A', value: 10 }]);
  });

  it('mapValues replaces the value and passes the key', async () => {
    expect(await run((s) => s.mapValues((v, k) => v + k.length), [['abc', 1]])).toEqual([{ key: 'abc', value: 4 }]);
  });

  it('flatMap turns one record into several, in order', async () => {
    const out = await run((s) => s.flatMap((k, v) => [{ key: `${k}1`, value: v }, { key: `${k}2`, value: v + 1 }]), [['a', 5]]);
    expect(out).toEqual([
      { key: 'a1', value: 5 },
      { key: 'a2', value: 6 },
    ]);
  });

  it('flatMapValues can drop a record by returning nothing', async () => {
    const out = await run((s) => s.flatMapValues((v) => (v === 0 ? [] : [v, -v])), [['a', 0], ['b', 2]]);
    expect(out).toEqual([
      { key: 'b', value: 2 },
      { key: 'b', value: -2 },
    ]);
  });

  it('selectKey replaces only the key', async () => {
    expect(await run((s) => s.selectKey((_k, v) => `k${v}`), [['a', 7]])).toEqual([{ key: 'k7', value: 7 }]);
  });

  it('peek sees every record and passes it on unchanged', async () => {
    const seen: string[] = [];
    const out = await run((s) => s.peek((k, v) => seen.push(`${k}=${v}`)), [['a', 1], ['b', 2]]);
    expect(seen).toEqual(['a=1', 'b=2']);
    expect(out).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
  });

  it('keeps the record timestamp and headers through stateless operations', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, N))
      .mapValues((v) => v + 1)
      .filter(() => true)
      .to('out', Produced.with(S, N));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('in', S, N).pipeRecord({ key: 'a', value: 1, timestamp: 1234, headers: new Map([['h', Buffer.from('x')]]) });
    const r = driver.createOutputTopic('out', S, N).readRecord();
    expect([r.value, r.timestamp, r.headers.get('h')?.toString()]).toEqual([2, 1234, 'x']);
  });

  it('to with a topic-name extractor routes each record by its content and origin', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, N)).to((_k, v, _r, source) => `${source?.topic}-${v % 2 === 0 ? 'even' : 'odd'}`, Produced.with(S, N));
    const driver = openDriver(builder.build());
    const input = driver.createInputTopic('in', S, N);
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('b', 2, 0);
    expect(driver.createOutputTopic('in-even', S, N).readKeyValuesToList()).toEqual([{ key: 'b', value: 2 }]);
    expect(driver.createOutputTopic('in-odd', S, N).readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
    expect(driver.producedTopicNames()).toEqual(new Set(['in-odd', 'in-even']));
  });

  it('reads every topic matching a pattern source', async () => {
    const builder = new StreamsBuilder();
    builder.stream(/^events-.*/, Consumed.with(S, N)).to('out', Produced.with(S, N));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('events-eu', S, N).pipeInput('eu', 1, 0);
    await driver.createInputTopic('events-us', S, N).pipeInput('us', 2, 0);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'us', value: 2 },
    ]);
  });
});

describe('KStream split and merge', () => {
  it('sends each record to the first matching branch, else to the default branch', async () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, N))
      .split(Named.as('amount-'))
      .branch((_k, v) => v >= 100, Branched.as('large'))
      .branch((_k, v) => v >= 10, Branched.as('medium'))
      .defaultBranch(Branched.as('small'));
    expect([...branches.keys()]).toEqual(['amount-large', 'amount-medium', 'amount-small']);
    branches.get('amount-large')?.to('large', Produced.with(S, N));
    branches.get('amount-medium')?.to('medium', Produced.with(S, N));
    branches.get('amount-small')?.to('small', Produced.with(S, N));
    const driver = openDriver(builder.build());
    const input = driver.createInputTopic('in', S, N);
    for (const [k, v] of [['a', 500], ['b', 50], ['c', 5], ['d', 100]] as const) await input.pipeInput(k, v, 0);
    expect(driver.createOutputTopic('large', S, N).readValuesToList()).toEqual([500, 100]);
    expect(driver.createOutputTopic('medium', S, N).readValuesToList()).toEqual([50]);
    expect(driver.createOutputTopic('small', S, N).readValuesToList()).toEqual([5]);
  });

  it('numbers unnamed branches from 1 and drops unmatched records without a default branch', async () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, N))
      .split()
      .branch((_k, v) => v > 0)
      .noDefaultBranch();
    const [name] = [...branches.keys()];
    expect(name).toMatch(/^KSTREAM-BRANCH-\d{10}-1$/);
    branches.get(name!)?.to('positive', Produced.with(S, N));
    const driver = openDriver(builder.build());
    const input = driver.createInputTopic('in', S, N);
    await input.pipeInput('a', -1, 0);
    await input.pipeInput('b', 1, 0);
    expect(driver.createOutputTopic('positive', S, N).readValuesToList()).toEqual([1]);
  });

  it('merge interleaves two streams in processing order', async () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(S, N));
    const right = builder.stream('right', Consumed.with(S, N)).mapValues((v) => v * 100);
    left.merge(right).to('out', Produced.with(S, N));
    const driver = openDriver(builder.build());
    const l = driver.createInputTopic('left', S, N);
    const r = driver.createInputTopic('right', S, N);
    await l.pipeInput('a', 1, 0);
    await r.pipeInput('b', 2, 0);
    await l.pipeInput('c', 3, 0);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 200 },
      { key: 'c', value: 3 },
    ]);
  });
});
