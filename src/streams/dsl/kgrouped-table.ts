import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import type { BuilderContext } from './internal/builder-context.js';
import { changeSerde } from './internal/change-serde.js';
import { tableAggregateSupplier } from './internal/processors/aggregate.js';
import { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';

/**
 * A re-keyed table, ready to aggregate (Kafka Streams' KGroupedTable).
 * Every change arrives as a retraction of the old row and an addition of
 * the new one, so aggregations take an adder and a subtractor.
 */
export class KGroupedTable<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly groupName: string | undefined;

  constructor(
    readonly builder: BuilderContext,
    /** The re-keying node forwarding `Change<V>`; aggregations repartition after it. */
    readonly nodeName: string,
    info: { keySerde?: Serde<K> | undefined; valueSerde?: Serde<V> | undefined; name?: string | undefined },
  ) {
    this.keySerde = info.keySerde;
    this.valueSerde = info.valueSerde;
    this.groupName = info.name;
  }

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.doAggregate<number>((_k, _v, n) => (n ?? 0) + 1, (_k, _v, n) => (n ?? 0) - 1, materialized, Serdes.Long());
  }

  /** `adder(aggregate, value)` and `subtractor(aggregate, value)`; the first value of a key is its aggregate. */
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.doAggregate<V>(
      (_k, v, agg) => (agg === undefined ? v : adder(agg, v)),
      (_k, v, agg) => (agg === undefined ? undefined : subtractor(agg, v)),
      materialized,
      this.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    return this.doAggregate<VA>(
      (k, v, agg) => adder(k, v, agg === undefined ? initializer() : agg),
      (k, v, agg) => subtractor(k, v, agg === undefined ? initializer() : agg),
      materialized,
      undefined,
    );
  }

  private doAggregate<VA>(
    adder: (key: K, value: V, aggregate: VA | undefined) => VA,
    subtractor: (key: K, value: V, aggregate: VA | undefined) => VA | undefined,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const name = this.builder.newProcessorName('KTABLE-AGGREGATE-');
    const storeName = materialized?.storeName ?? this.builder.newStoreName('KTABLE-AGGREGATE-');
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const valueSerde = materialized?.valueSerde ?? defaultValueSerde;
    // Always repartitioned: the selector changed the key. The topic carries both sides of each change.
    const source = this.builder.repartition(this.nodeName, this.groupName ?? storeName, {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde ? changeSerde(this.valueSerde) : undefined,
      named: this.groupName !== undefined,
    });
    this.builder.addProcessor(name, tableAggregateSupplier<K, V, VA>(storeName, adder, subtractor), source);
    this.builder.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, name);
    return new KTable<K, VA>(this.builder, name, { keySerde, valueSerde, storeName });
  }
}

