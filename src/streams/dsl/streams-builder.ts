import type { StateStore, StoreBuilder } from '../state/types.js';
import type { Topology } from '../processor/topology.js';
import type { Consumed } from './consumed.js';
import { GlobalKTable } from './global-ktable.js';
import { BuilderContext } from './internal/builder-context.js';
import { tableSourceSupplier } from './internal/processors/table.js';
import { timestampedKeyValueStoreFactory } from './internal/store-factories.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { Materialized } from './materialized.js';
import { TOPOLOGY_INTERNALS } from '../processor/internal/topology-internals.js';

/**
 * Entry point of the DSL (Kafka Streams' StreamsBuilder). Operations on
 * the returned streams and tables add Processor API nodes to one
 * Topology, which `build()` returns; the same topology runs on the
 * TopologyTestDriver and on Kafka.
 */
export class StreamsBuilder {
  /** The graph context DSL classes (including `dsl/windows`) build with. */
  readonly context = new BuilderContext();

  /** A stream of the records of one or more topics, or of every topic matching a pattern. */
  stream<K, V>(topics: string | readonly string[] | RegExp, consumed?: Consumed<K, V>): KStream<K, V> {
    const name = this.context.nameOr(consumed?.name, 'KSTREAM-SOURCE-');
    this.context.addSource<K, V>(name, {
      ...(topics instanceof RegExp ? { topicPattern: topics } : { topics: typeof topics === 'string' ? [topics] : topics }),
      ...(consumed?.keySerde ? { keySerde: consumed.keySerde } : {}),
      ...(consumed?.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
      ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
    });
    return new KStream<K, V>(this.context, name, { keySerde: consumed?.keySerde, valueSerde: consumed?.valueSerde });
  }

  /**
   * A table whose rows are the latest value per key of `topic` (null
   * values delete). Always backed by a store: named by `materialized`,
   * else `<topic>-STATE-STORE-<n>`.
   */
  table<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const source = this.context.nameOr(consumed?.name, 'KSTREAM-SOURCE-');
    const keySerde = materialized?.keySerde ?? consumed?.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    this.context.addSource<K, V>(source, {
      topics: [topic],
      ...(consumed?.keySerde ? { keySerde: consumed.keySerde } : {}),
      ...(consumed?.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
      ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
    });
    const name = this.context.newProcessorName('KTABLE-SOURCE-');
    const storeName = materialized?.storeName ?? this.context.newStoreName(`${topic}-`);
    this.context.addProcessor(name, tableSourceSupplier<K, V>(storeName), source);
    this.context.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, name);
    return new KTable<K, V>(this.context, name, { keySerde, valueSerde, storeName });
  }

  /**
   * A table replicated to every task from all partitions of `topic`. Its
   * store never logs changes: the topic is its changelog.
   */
  globalTable<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    const source = this.context.nameOr(consumed?.name, 'KSTREAM-SOURCE-');
    const name = this.context.newProcessorName('KTABLE-SOURCE-');
    const storeName = materialized?.storeName ?? this.context.newStoreName(`${topic}-`);
    const keySerde = materialized?.keySerde ?? consumed?.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    const factory = timestampedKeyValueStoreFactory<K, V>(
      storeName,
      (materialized ?? Materialized.with<K, V>(undefined, undefined)).withLoggingDisabled(),
      keySerde,
      valueSerde,
    );
    this.context.addGlobalStore<K, V>(
      storeName,
      (config) => ({ name: storeName, loggingEnabled: false, build: () => factory(config).build() }),
      source,
      {
        topic,
        ...(consumed?.keySerde ? { keySerde: consumed.keySerde } : {}),
        ...(consumed?.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
        ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
      },
      name,
      tableSourceSupplier<K, V>(storeName) as never,
    );
    this.context.topology[TOPOLOGY_INTERNALS].markTimestampedStore(storeName);
    return new GlobalKTable<K, V>(storeName, keySerde, valueSerde);
  }

  /** Adds a store for `KStream.process(supplier, storeName)` to use. */
  addStateStore<S extends StateStore>(storeBuilder: StoreBuilder<S>): this {
    this.context.topology.addStateStore(storeBuilder);
    return this;
  }

  /** The topology built so far. */
  build(): Topology {
    this.context.resolveNullKeyFilters();
    return this.context.topology;
  }
}
