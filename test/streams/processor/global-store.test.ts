import { describe, expect, it } from 'vitest';
import type { Processor, ProcessorContext } from '../../../src/streams/processor/processor.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/index.js';
import type { KeyValueStore } from '../../../src/streams/state/types.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();

/** Keeps the latest rate per currency in the global store. */
const rateUpdater = (): Processor<string, string, void, void> => {
  let store: KeyValueStore<string, string>;
  return {
    init: (c) => {
      store = c.getStateStore('rates');
    },
    process: (r) => store.put(r.key, r.value),
  };
};

/** Converts amounts with the global rate, without being connected to the store. */
const converter = (): Processor<string, string, string, string> => {
  let ctx: ProcessorContext<string, string>;
  let rates: KeyValueStore<string, string>;
  return {
    init: (c) => {
      ctx = c;
      rates = c.getStateStore('rates');
    },
    async process(r) {
      const rate = Number((await rates.get(r.key)) ?? 'NaN');
      await ctx.forward(r.withValue(String(Number(r.value) * rate)));
    },
  };
};

describe('global stores', () => {
  it('are filled from their topic and readable by every task without a connection', async () => {
    const topology = new Topology()
      .addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, S).withLoggingDisabled(),
        'rates-source',
        { topic: 'rates', keySerde: S, valueSerde: S },
        'rates-updater',
        rateUpdater,
      )
      .addSource('payments', { topics: ['payments'], keySerde: S, valueSerde: S })
      .addProcessor('convert', converter, 'payments')
      .addSink('out', 'converted', { keySerde: S, valueSerde: S }, 'convert');
    const description = topology.describe();
    expect(description.subtopologies).toHaveLength(1);
    expect(description.globalStores.map((g) => [g.source.name, g.processor.name, g.store])).toEqual([['rates-source', 'rates-updater', 'rates']]);

    const driver = openDriver(topology);
    await driver.createInputTopic('rates', S, S).pipeInput('EUR', '2', 0);
    await driver.createInputTopic('payments', S, S).pipeInput('EUR', '21', 1);
    expect(driver.createOutputTopic('converted', S, S).readValuesToList()).toEqual(['42']);
    expect(await driver.getKeyValueStore<string, string>('rates')?.get('EUR')).toBe('2');
  });

  it('cannot be connected to a processor like a task store', () => {
    const topology = new Topology()
      .addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S), 'g-src', { topic: 'g' }, 'g-proc', rateUpdater)
      .addSource('s', 's')
      .addProcessor('p', converter, 's');
    expect(() => topology.connectProcessorAndStateStores('g', 'p')).toThrow(/global store "g" cannot be connected; every processor can read it/);
  });
});
