import type { ProcessorSupplier } from '../../processor/processor.js';
import type { StoreFactory, StreamPartitioner } from '../../processor/internal/topology-model.js';
import { Topology } from '../../processor/topology.js';
import type { GlobalSourceOptions, SourceOptions } from '../../processor/topology.js';
import type { Serde } from '../../serde/serde.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import { dropNullKeysSupplier } from './processors/stateless.js';
import { keyValueStoreFactory, timestampedKeyValueStoreFactory } from './store-factories.js';
import { TOPOLOGY_INTERNALS } from '../../processor/internal/topology-internals.js';

export type { StoreFactory } from '../../processor/internal/topology-model.js';

/**
 * The graph-building API behind the DSL: every DSL class (KStream, KTable,
 * KGroupedStream, the windowed classes in `dsl/windows`) holds the one
 * BuilderContext of its StreamsBuilder and lowers each operation straight
 * into Processor API nodes on `topology`. There is no second execution
 * path: `StreamsBuilder.build()` returns this topology.
 *
 * Conventions (the same as Kafka Streams, so node names in `describe()`
 * look familiar):
 * - node names: `newProcessorName('KSTREAM-FILTER-')` →
 *   `KSTREAM-FILTER-0000000003`, or the user's `Named`/`name`;
 * - store names: `newStoreName('KSTREAM-AGGREGATE-')` →
 *   `KSTREAM-AGGREGATE-STATE-STORE-0000000004`;
 * - add nodes parent-first; a DSL operator adds its processor with
 *   `addProcessor(name, supplier, parentName)`, then its stores with
 *   `addStateStore(storeName, factory, name)`;
 * - store factories receive the final StreamsConfig so that
 *   `defaultStoreType`, caching and logging apply (see `keyValueStore`).
 *
 * @example A windowed aggregate added by a DSL class
 * ```ts
 * const name = ctx.newProcessorName('KSTREAM-AGGREGATE-');
 * const storeName = materialized?.storeName ?? ctx.newStoreName('KSTREAM-AGGREGATE-');
 * const parent = grouped.aggregationParent(storeName);  // repartitions if the key changed
 * ctx.addProcessor(name, supplier, parent);
 * ctx.addStateStore(storeName, (config) => buildWindowStore(config, ...), name);
 * return new KTable(ctx, name, { keySerde, valueSerde, storeName });
 * ```
 */
export class BuilderContext {
  readonly topology = new Topology();
  private index = 0;
  /** parent node → child nodes, for the null-key analysis below. */
  private readonly children = new Map<string, string[]>();
  /** Each repartition's null-key filter, the source after its topic, and what the filter decides. */
  private readonly repartitions: Array<{ filter: string; source: string; keepNullKeys: { value: boolean } }> = [];
  /** Joins that keep null-key records (KIP-962): left/outer stream-stream, left stream-table, left stream-globalTable. */
  private readonly relaxedJoins = new Set<string>();

  /** A unique node name: `prefix` + a 10-digit counter shared with store names. */
  newProcessorName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  /** A unique store name: `prefix` + `STATE-STORE-` + the counter. */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }

  /** The user's name when given (a `Named` or a string), otherwise a generated one. */
  nameOr(named: Named | string | undefined, prefix: string): string {
    if (named === undefined) return this.newProcessorName(prefix);
    return typeof named === 'string' ? named : named.name;
  }

  addSource<K, V>(name: string, options: SourceOptions<K, V>): void {
    this.topology.addSource(name, options);
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parents: string[]): void {
    this.topology.addProcessor(name, supplier, ...parents);
    this.link(name, parents);
  }

  /** Marks a join node that keeps null-key records (see {@link resolveNullKeyFilters}). */
  markRelaxedNullKeyJoin(name: string): void {
    this.relaxedJoins.add(name);
  }

  /**
   * Decides, once the graph is complete, what each repartition does with a
   * null-key record, as Kafka Streams does since 3.7 (KIP-962): it drops it,
   * unless a join that keeps null keys lies anywhere downstream of it (also
   * through later repartitions), which then emits it joined with null.
   * Called by `StreamsBuilder.build()`.
   */
  resolveNullKeyFilters(): void {
    const sourceAfter = new Map(this.repartitions.map((r) => [r.filter, r.source]));
    const reachesRelaxedJoin = (start: string): boolean => {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const node = stack.pop() as string;
        if (seen.has(node)) continue;
        seen.add(node);
        if (this.relaxedJoins.has(node)) return true;
        stack.push(...(this.children.get(node) ?? []));
        const next = sourceAfter.get(node); // through a later repartition's topic
        if (next !== undefined) stack.push(next);
      }
      return false;
    };
    for (const r of this.repartitions) r.keepNullKeys.value = reachesRelaxedJoin(r.source);
  }

  private link(name: string, parents: readonly string[]): void {
    for (const parent of parents) {
      const list = this.children.get(parent);
      if (list) list.push(name);
      else this.children.set(parent, [name]);
    }
  }

  /** Adds a store built per task by `factory(config)` and connects it to `processorNames`. */
  addStateStore(storeName: string, factory: StoreFactory, ...processorNames: string[]): void {
    this.topology[TOPOLOGY_INTERNALS].addStateStoreFactory(storeName, factory, ...processorNames);
  }

  /** Connects more processors to an existing store (e.g. both sides of a join). */
  connectStore(storeName: string, ...processorNames: string[]): void {
    this.topology.connectProcessorAndStateStores(storeName, ...processorNames);
  }

  addSink<K, V>(
    name: string,
    topic: string,
    options: { keySerde?: Serde<K>; valueSerde?: Serde<V>; partitioner?: StreamPartitioner<K, V> },
    ...parents: string[]
  ): void {
    this.topology.addSink(name, topic, options, ...parents);
    this.link(name, parents);
  }

  addGlobalStore<K, V>(
    storeName: string,
    factory: StoreFactory,
    sourceName: string,
    source: GlobalSourceOptions<K, V>,
    processorName: string,
    supplier: ProcessorSupplier<K, V, void, void>,
  ): void {
    this.topology.addGlobalStore({ name: storeName, factory }, sourceName, source, processorName, supplier);
  }

  /**
   * Inserts a repartition topic `<applicationId>-<baseName>-repartition`
   * after `parent`: a filter dropping null keys, a sink writing to the
   * topic and a source reading it back. Returns the source node's name;
   * attach the stateful operator to it. In the test driver the topic loops
   * back in-process; on Kafka the runtime creates it.
   *
   * The three nodes get generated names (`KSTREAM-FILTER-…`,
   * `KSTREAM-SINK-…`, `KSTREAM-SOURCE-…`) unless `named` is set, when they
   * are `<baseName>-repartition-filter/-sink/-source`, as Kafka Streams
   * names them for a user-given `Grouped`/`Repartitioned` name.
   */
  repartition<K, V>(
    parent: string,
    baseName: string,
    options: {
      keySerde?: Serde<K> | undefined;
      valueSerde?: Serde<V> | undefined;
      partitioner?: StreamPartitioner<K, V> | undefined;
      named?: boolean;
      numberOfPartitions?: number | undefined;
    },
  ): string {
    const topic = `${baseName}-repartition`;
    const sink = options.named ? `${topic}-sink` : this.newProcessorName('KSTREAM-SINK-');
    const filter = options.named ? `${topic}-filter` : this.newProcessorName('KSTREAM-FILTER-');
    const source = options.named ? `${topic}-source` : this.newProcessorName('KSTREAM-SOURCE-');
    this.topology[TOPOLOGY_INTERNALS].addInternalTopic(topic, { numberOfPartitions: options.numberOfPartitions });
    const keepNullKeys = { value: false };
    this.repartitions.push({ filter, source, keepNullKeys });
    this.addProcessor(filter, dropNullKeysSupplier<K, V>(keepNullKeys), parent);
    this.addSink(
      sink,
      topic,
      {
        ...(options.keySerde ? { keySerde: options.keySerde } : {}),
        ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
        ...(options.partitioner ? { partitioner: options.partitioner } : {}),
      },
      filter,
    );
    this.addSource(source, {
      topics: [topic],
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
    });
    return source;
  }

  /**
   * The factory of a DSL key-value store: the store named by
   * `materialized` (or `storeName`), of the kind it asks for, else of
   * `config.defaultStoreType`, with caching and logging per `materialized`
   * or the config.
   */
  keyValueStore<K, V>(
    storeName: string,
    materialized: Materialized<K, V> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
  ): StoreFactory {
    return keyValueStoreFactory(storeName, materialized, keySerde, valueSerde);
  }

  /**
   * Adds the key-value store of a DSL table or aggregation: values are kept
   * as `ValueAndTimestamp<V>` (see `timestampedKeyValueStoreFactory`), and
   * the store is marked so the test driver shows plain values.
   */
  addTimestampedKeyValueStore<K, V>(
    storeName: string,
    materialized: Materialized<K, V> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    ...processorNames: string[]
  ): void {
    this.addStateStore(storeName, timestampedKeyValueStoreFactory(storeName, materialized, keySerde, valueSerde), ...processorNames);
    this.topology[TOPOLOGY_INTERNALS].markTimestampedStore(storeName);
  }
}
