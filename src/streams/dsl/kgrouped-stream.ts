import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import type { BuilderContext } from './internal/builder-context.js';
import { streamAggregateSupplier } from './internal/processors/aggregate.js';
import { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import { windowedBy } from './windows/index.js';
import type { SessionWindowedKStream, SessionWindows, SlidingWindows, TimeWindowedKStream, TimeWindows } from './windows/index.js';

export interface KGroupedStreamInfo<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  /** Whether the key changed upstream, so aggregations must repartition first. */
  readonly repartitionRequired: boolean;
  /** The `Grouped` name: names the repartition topic `<name>-repartition`. */
  readonly name?: string | undefined;
}

/**
 * A stream grouped by key, ready to aggregate (Kafka Streams'
 * KGroupedStream). Aggregations return a KTable backed by a key-value
 * store; `windowedBy` hands over to the windowed classes in `dsl/windows`.
 *
 * For DSL extensions (the windowed classes): `builder`, the serdes,
 * `nodeName` and {@link aggregationParent} are what an aggregation needs.
 */
export class KGroupedStream<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly repartitionRequired: boolean;
  readonly groupName: string | undefined;
  private repartitionSource: string | undefined;

  constructor(
    readonly builder: BuilderContext,
    /** The node whose output is grouped (before any repartition). */
    readonly nodeName: string,
    info: KGroupedStreamInfo<K, V>,
  ) {
    this.keySerde = info.keySerde;
    this.valueSerde = info.valueSerde;
    this.repartitionRequired = info.repartitionRequired;
    this.groupName = info.name;
  }

  /**
   * The node an aggregation processor should use as its parent. When the
   * key changed upstream this inserts (once per grouped stream) a
   * repartition topic named after the `Grouped` name, else after
   * `storeName`, as Kafka Streams does.
   */
  aggregationParent(storeName: string): string {
    if (!this.repartitionRequired) return this.nodeName;
    this.repartitionSource ??= this.builder.repartition(this.nodeName, this.groupName ?? storeName, {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      named: this.groupName !== undefined,
    });
    return this.repartitionSource;
  }

  /** Counts records per key (null keys and values are skipped). Values are serialized as Long. */
  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.doAggregate<number>('KSTREAM-AGGREGATE-', materialized, Serdes.Long(), (_k, _v, n) => (n ?? 0) + 1);
  }

  /** Combines values per key; the first value of a key is its initial aggregate. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.doAggregate<V>('KSTREAM-REDUCE-', materialized, this.valueSerde, (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)));
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    return this.doAggregate<VA>('KSTREAM-AGGREGATE-', materialized, undefined, (k, v, agg) => aggregator(k, v, agg === undefined ? initializer() : agg));
  }

  /**
   * Windowed aggregation: tumbling/hopping `TimeWindows` or `SlidingWindows`
   * give a TimeWindowedKStream, `SessionWindows` a SessionWindowedKStream.
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windowedBy(this, windows);
  }

  private doAggregate<VA>(
    prefix: string,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    step: (key: K, value: V, current: VA | undefined) => VA,
  ): KTable<K, VA> {
    // Store name first, then the node: the numbering Kafka Streams' describe() shows.
    const storeName = materialized?.storeName ?? this.builder.newStoreName(prefix);
    const name = this.builder.newProcessorName(prefix);
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const valueSerde = materialized?.valueSerde ?? defaultValueSerde;
    const parent = this.aggregationParent(storeName);
    this.builder.addProcessor(name, streamAggregateSupplier<K, V, VA>(storeName, step), parent);
    this.builder.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, name);
    return new KTable<K, VA>(this.builder, name, { keySerde, valueSerde, storeName });
  }
}
