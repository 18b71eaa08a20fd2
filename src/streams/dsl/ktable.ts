import type { Change } from '../processor/change.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValue } from '../state/types.js';
import type { Grouped } from './grouped.js';
import type { BuilderContext } from './internal/builder-context.js';
import type { JoinFunction, TableJoinKind } from './internal/processors/join.js';
import { tableTableJoinSupplier } from './internal/processors/join.js';
import { statelessSupplier } from './internal/processors/stateless.js';
import { tableMapSupplier, tableMaterializerSupplier, tableToStreamSupplier } from './internal/processors/table.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import { suppressTable } from './windows/index.js';
import type { Suppressed } from './windows/index.js';

export interface KTableInfo<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  /** The key-value store holding the table's current values, when it has one. */
  readonly storeName?: string | undefined;
}

/**
 * A changelog table (Kafka Streams' KTable). Its node forwards
 * `Record<K, Change<V>>`: the new value and the one it replaced (null for
 * an insert or a delete). A table backed by a store (a source table, an
 * aggregation, anything `Materialized`) can be joined and queried; other
 * tables get a store added the first time a join needs to look them up.
 */
export class KTable<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  private storeName: string | undefined;

  constructor(
    readonly builder: BuilderContext,
    readonly nodeName: string,
    info: KTableInfo<K, V> = {},
  ) {
    this.keySerde = info.keySerde;
    this.valueSerde = info.valueSerde;
    this.storeName = info.storeName;
  }

  /** The store holding this table, if it is materialized. */
  queryableStoreName(): string | undefined {
    return this.storeName;
  }

  /**
   * The name of a key-value store holding this table's current values,
   * adding one (fed by a materializer node) if the table has none yet.
   */
  ensureStore(): string {
    if (this.storeName !== undefined) return this.storeName;
    const name = this.builder.newProcessorName('KTABLE-MATERIALIZE-');
    const storeName = this.builder.newStoreName('KTABLE-MATERIALIZE-');
    this.builder.addProcessor(name, tableMaterializerSupplier<K, V>(storeName), this.nodeName);
    this.builder.addTimestampedKeyValueStore<K, V>(storeName, undefined, this.keySerde, this.valueSerde, name);
    this.storeName = storeName;
    return storeName;
  }

  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.mapTable('KTABLE-FILTER-', (k, v) => (predicate(k, v) ? v : null), true, materialized, this.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.mapTable('KTABLE-FILTER-', (k, v) => (predicate(k, v) ? null : v), true, materialized, this.valueSerde);
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.mapTable<VR>('KTABLE-MAPVALUES-', (k, v) => mapper(v, k), false, materialized, undefined);
  }

  /**
   * The table's updates as a stream of new values. Deletions arrive as
   * records with a null value (tombstones), as in Kafka Streams, although
   * the type says `V` to keep the stream usable with `V`-typed serdes.
   */
  toStream(named?: Named): KStream<K, V> {
    const name = this.builder.nameOr(named, 'KTABLE-TOSTREAM-');
    this.builder.addProcessor(name, tableToStreamSupplier<K, V>(), this.nodeName);
    return new KStream<K, V>(this.builder, name, { keySerde: this.keySerde, valueSerde: this.valueSerde });
  }

  /** Inner table–table join on the key: a row exists while both sides have one. */
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.joinTables(other, joiner as JoinFunction<K, V | null, VO | null, VR>, 'inner', materialized);
  }

  /** Left table–table join: every left row, with null while the right side has no row. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO | null, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.joinTables(other, joiner as JoinFunction<K, V | null, VO | null, VR>, 'left', materialized);
  }

  /** Outer table–table join: a row exists while either side has one; the missing side is null. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.joinTables(other, joiner, 'outer', materialized);
  }

  /**
   * Re-keys the table for an aggregation (Kafka Streams'
   * `KTable.groupBy`). Each change is sent through a repartition topic as
   * a retraction of the old row and an addition of the new one.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, grouped?: Grouped<K2, V2>): KGroupedTable<K2, V2> {
    const name = this.builder.newProcessorName('KTABLE-SELECT-');
    this.builder.addProcessor(
      name,
      statelessSupplier<K, Change<V>, K2, Change<V2>>((r) => {
        const out = [];
        const { newValue, oldValue } = r.value;
        if (oldValue !== null && oldValue !== undefined) {
          const kv = selector(r.key, oldValue);
          out.push(r.withKey(kv.key).withValue<Change<V2>>({ newValue: null, oldValue: kv.value }));
        }
        if (newValue !== null && newValue !== undefined) {
          const kv = selector(r.key, newValue);
          out.push(r.withKey(kv.key).withValue<Change<V2>>({ newValue: kv.value, oldValue: null }));
        }
        return out;
      }),
      this.nodeName,
    );
    return new KGroupedTable<K2, V2>(this.builder, name, { keySerde: grouped?.keySerde, valueSerde: grouped?.valueSerde, name: grouped?.name });
  }

  /**
   * Holds back a windowed aggregation's updates (`Suppressed.untilWindowCloses`):
   * one final result per window, once stream time passes its end plus grace.
   * Must be applied directly to the table of a windowed aggregation.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    return suppressTable(this, suppressed);
  }

  private mapTable<VR>(
    prefix: string,
    transform: (key: K, value: V) => VR | null,
    dropEmpty: boolean,
    materialized: Materialized<K, VR> | undefined,
    defaultValueSerde: Serde<VR> | undefined,
  ): KTable<K, VR> {
    const name = this.builder.newProcessorName(prefix);
    const storeName = materialized ? (materialized.storeName ?? this.builder.newStoreName(prefix)) : undefined;
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const valueSerde = materialized?.valueSerde ?? defaultValueSerde;
    this.builder.addProcessor(name, tableMapSupplier<K, V, VR>(transform, dropEmpty, storeName), this.nodeName);
    if (storeName !== undefined) this.builder.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, name);
    return new KTable<K, VR>(this.builder, name, { keySerde, valueSerde, storeName });
  }

  private joinTables<VO, VR>(
    other: KTable<K, VO>,
    joiner: JoinFunction<K, V | null, VO | null, VR>,
    kind: TableJoinKind,
    materialized: Materialized<K, VR> | undefined,
  ): KTable<K, VR> {
    const prefix = kind === 'left' ? 'KTABLE-LEFTJOIN' : kind === 'outer' ? 'KTABLE-OUTERJOIN' : 'KTABLE-JOIN';
    const thisStore = this.ensureStore();
    const otherStore = other.ensureStore();
    const thisSide = this.builder.newProcessorName(`${prefix}THIS-`);
    const otherSide = this.builder.newProcessorName(`${prefix}OTHER-`);
    this.builder.addProcessor(thisSide, tableTableJoinSupplier<K, V, VO, VR>(otherStore, joiner, true, kind), this.nodeName);
    this.builder.addProcessor(otherSide, tableTableJoinSupplier<K, V, VO, VR>(thisStore, joiner, false, kind), other.nodeName);
    this.builder.connectStore(otherStore, thisSide);
    this.builder.connectStore(thisStore, otherSide);
    const merged = this.mergeName();
    const storeName = materialized ? (materialized.storeName ?? this.builder.newStoreName('KTABLE-MERGE-')) : undefined;
    const keySerde = materialized?.keySerde ?? this.keySerde ?? other.keySerde;
    const valueSerde = materialized?.valueSerde;
    this.builder.addProcessor(merged, tableMapSupplier<K, VR, VR>((_k, v) => v, false, storeName), thisSide, otherSide);
    if (storeName !== undefined) this.builder.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, merged);
    return new KTable<K, VR>(this.builder, merged, { keySerde, valueSerde, storeName });
  }

  private mergeName(): string {
    return this.builder.newProcessorName('KTABLE-MERGE-');
  }
}
