import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../src/streams/dsl/grouped.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Named } from '../../../src/streams/dsl/named.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { isVigilError } from '../../../src/streams/errors.js';
import { ContextualProcessor } from '../../../src/streams/processor/contextual-processor.js';
import type { ProcessorContext } from '../../../src/streams/processor/processor.js';
import type { Record } from '../../../src/streams/processor/record.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/index.js';
import type { KeyValueStore } from '../../../src/streams/state/types.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();
const N = Serdes.Number();

/** Emits the running total per key, kept in the store named `totals`. */
class RunningTotal extends ContextualProcessor<string, number, string, number> {
  private store!: KeyValueStore<string, number>;

  override init(context: ProcessorContext<string, number>): void {
    super.init(context);
    this.store = context.getStateStore('totals');
  }

  async process(record: Record<string, number>): Promise<void> {
    const total = ((await this.store.get(record.key)) ?? 0) + record.value;
    await this.store.put(record.key, total);
    await this.context.forward(record.withValue(total));
  }
}

describe('StreamsBuilder', () => {
  it('KStream.process runs a Processor API processor with a store added to the builder', async () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, N));
    builder
      .stream('in', Consumed.with(S, N))
      .process(() => new RunningTotal(), 'totals')
      .to('out', Produced.with(S, N));
    const driver = openDriver(builder.build());
    const input = driver.createInputTopic('in', S, N);
    await input.pipeInput('a', 2, 0);
    await input.pipeInput('a', 3, 0);
    expect(driver.createOutputTopic('out', S, N).readValuesToList()).toEqual([2, 5]);
    expect(await driver.getKeyValueStore<string, number>('totals')?.get('a')).toBe(5);
  });

  it('stream(topics[]) reads several topics into one stream', async () => {
    const builder = new StreamsBuilder();
    builder.stream(['a', 'b'], Consumed.with(S, N)).to('out', Produced.with(S, N));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('b', S, N).pipeInput('x', 2, 0);
    await driver.createInputTopic('a', S, N).pipeInput('y', 1, 0);
    expect(driver.createOutputTopic('out', S, N).readValuesToList()).toEqual([2, 1]);
  });

  it('falls back to the config default serdes for sources and stores that name none', async () => {
    const builder = new StreamsBuilder();
    builder.stream<string, { n: number }>('in').groupByKey().aggregate(
      () => 0,
      (_k, v, agg) => agg + v.n,
    );
    const driver = openDriver(builder.build(), { defaultKeySerde: S as never, defaultValueSerde: Serdes.Json() as never });
    const input = driver.createInputTopic('in', S, Serdes.Json<{ n: number }>());
    await input.pipeInput('k', { n: 4 }, 0);
    await input.pipeInput('k', { n: 5 }, 0);
    expect(await driver.getKeyValueStore<string, number>('KSTREAM-AGGREGATE-STATE-STORE-0000000001')?.get('k')).toBe(9);
  });

  it('fails at startup with VIGIL_ERR_CONFIG naming the store when a stateful operation has no serde and the config no default', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().aggregate(
      () => 0,
      (_k, _v, agg) => agg + 1,
    );
    const driver = openDriver(builder.build());
    const error = await driver.ready().catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/store "KSTREAM-AGGREGATE-STATE-STORE-0000000001" has no value serde; pass it with Materialized.with/);
  });
});

describe('DSL names', () => {
  it('are checked when given, since they become topic and directory names', () => {
    expect(() => Materialized.as('my store')).toThrow(/Materialized name "my store" is illegal/);
    expect(() => Grouped.as('by/merchant')).toThrow(/Grouped name "by\/merchant" is illegal/);
    expect(() => Named.as('')).toThrow(/Named name "" is illegal/);
    expect(Materialized.as('ok.name_1-x').storeName).toBe('ok.name_1-x');
  });
});
