import { ContextualProcessor } from '../processor/contextual-processor.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Record } from '../processor/record.js';
import type { TopicNameExtractor } from '../processor/topology.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValue } from '../state/types.js';
import type { Branched } from './branched.js';
import { GlobalKTable } from './global-ktable.js';
import type { Grouped } from './grouped.js';
import type { BuilderContext } from './internal/builder-context.js';
import { streamTableJoinSupplier } from './internal/processors/join.js';
import { statelessSupplier } from './internal/processors/stateless.js';
import { tableSourceSupplier } from './internal/processors/table.js';
import type { Joined } from './joined.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { Produced } from './produced.js';
import type { Repartitioned } from './repartitioned.js';
import { joinStreams } from './windows/index.js';
import type { JoinWindows, StreamJoined } from './windows/index.js';

/** What a KStream knows about its records besides the node producing them. */
export interface KStreamInfo<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  /**
   * True after a key-changing operation (map, selectKey, flatMap...): a
   * later stateful operation or join must repartition first so records
   * with the same key meet in the same task.
   */
  readonly repartitionRequired?: boolean;
}

/**
 * A record stream (Kafka Streams' KStream). Every operation adds nodes to
 * the builder's topology and returns a new KStream/KTable for the result;
 * nothing runs until the topology is handed to a driver or the runtime.
 *
 * Function arguments take `(key, value)` like Kafka Streams, except the
 * value-only ones (`mapValues`, `flatMapValues`) which take
 * `(value, key)` so that one-argument lambdas read naturally.
 */
export class KStream<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly repartitionRequired: boolean;

  /**
   * @param builder the StreamsBuilder's graph context
   * @param nodeName the topology node whose output this stream is
   */
  constructor(
    readonly builder: BuilderContext,
    readonly nodeName: string,
    info: KStreamInfo<K, V> = {},
  ) {
    this.keySerde = info.keySerde;
    this.valueSerde = info.valueSerde;
    this.repartitionRequired = info.repartitionRequired ?? false;
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.stateless('KSTREAM-FILTER-', named, (r) => (predicate(r.key, r.value) ? [r] : []), this.keySerde, this.valueSerde, false);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.stateless('KSTREAM-FILTER-', named, (r) => (predicate(r.key, r.value) ? [] : [r]), this.keySerde, this.valueSerde, false);
  }

  /** Changes key and value; marks the stream for repartitioning. */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, named?: Named): KStream<K2, V2> {
    return this.stateless<K2, V2>(
      'KSTREAM-MAP-',
      named,
      (r) => {
        const kv = mapper(r.key, r.value);
        return [r.withKey(kv.key).withValue(kv.value)];
      },
      undefined,
      undefined,
      true,
    );
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named): KStream<K, V2> {
    return this.stateless<K, V2>('KSTREAM-MAPVALUES-', named, (r) => [r.withValue(mapper(r.value, r.key))], this.keySerde, undefined, false);
  }

  /** Changes the key; marks the stream for repartitioning. */
  selectKey<K2>(selector: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    return this.stateless<K2, V>('KSTREAM-KEY-SELECT-', named, (r) => [r.withKey(selector(r.key, r.value))], undefined, this.valueSerde, true);
  }

  /** Zero or more records per record; marks the stream for repartitioning. */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, named?: Named): KStream<K2, V2> {
    return this.stateless<K2, V2>(
      'KSTREAM-FLATMAP-',
      named,
      (r) => [...mapper(r.key, r.value)].map((kv) => r.withKey(kv.key).withValue(kv.value)),
      undefined,
      undefined,
      true,
    );
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: Named): KStream<K, V2> {
    return this.stateless<K, V2>(
      'KSTREAM-FLATMAPVALUES-',
      named,
      (r) => [...mapper(r.value, r.key)].map((v) => r.withValue(v)),
      this.keySerde,
      undefined,
      false,
    );
  }

  /** Calls `action` for each record and passes the record on unchanged. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.stateless(
      'KSTREAM-PEEK-',
      named,
      (r) => {
        action(r.key, r.value);
        return [r];
      },
      this.keySerde,
      this.valueSerde,
      false,
    );
  }

  /**
   * Routes each record to the first branch whose predicate matches
   * (Kafka Streams' `split()`); see {@link BranchedKStream}.
   */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(this, named?.name);
  }

  /** Interleaves both streams' records (in processing order). */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = this.builder.nameOr(named, 'KSTREAM-MERGE-');
    this.builder.addProcessor(name, statelessSupplier<K, V, K, V>((r) => [r]), this.nodeName, other.nodeName);
    return this.derive(name, this.keySerde ?? other.keySerde, this.valueSerde ?? other.valueSerde, this.repartitionRequired || other.repartitionRequired);
  }

  /**
   * Writes the stream to a topic, or to a topic chosen per record. A
   * `Produced` for `V | null` is accepted too (tombstones from `toStream`).
   */
  to(topic: string | TopicNameExtractor<K, V>, producedArg?: Produced<K, V> | Produced<K, V | null>): void {
    const produced = producedArg as Produced<K, V> | undefined;
    const name = this.builder.nameOr(produced?.name, 'KSTREAM-SINK-');
    const keySerde = produced?.keySerde ?? this.keySerde;
    const valueSerde = produced?.valueSerde ?? this.valueSerde;
    this.builder.topology.addSink(
      name,
      topic,
      {
        ...(keySerde ? { keySerde } : {}),
        ...(valueSerde ? { valueSerde } : {}),
        ...(produced?.partitioner ? { partitioner: produced.partitioner } : {}),
      },
      this.nodeName,
    );
  }

  /** Sends the stream through a repartition topic `<applicationId>-<name>-repartition`. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const keySerde = repartitioned?.keySerde ?? this.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? this.valueSerde;
    const base = repartitioned?.name ?? this.builder.newProcessorName('KSTREAM-REPARTITION-');
    const source = this.builder.repartition(this.nodeName, base, {
      keySerde,
      valueSerde,
      partitioner: repartitioned?.partitioner,
      named: repartitioned?.name !== undefined,
      numberOfPartitions: repartitioned?.numberOfPartitions,
    });
    return this.derive(source, keySerde, valueSerde, false);
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream(this.builder, this.nodeName, {
      keySerde: grouped?.keySerde ?? this.keySerde,
      valueSerde: grouped?.valueSerde ?? this.valueSerde,
      repartitionRequired: this.repartitionRequired,
      name: grouped?.name,
    });
  }

  /** Re-keys by `selector` and groups; always repartitions before aggregating. */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped?: Grouped<K2, V>): KGroupedStream<K2, V> {
    const selected = this.selectKey(selector);
    return new KGroupedStream(this.builder, selected.nodeName, {
      keySerde: grouped?.keySerde,
      valueSerde: grouped?.valueSerde ?? this.valueSerde,
      repartitionRequired: true,
      name: grouped?.name,
    });
  }

  /**
   * Runs a Processor API processor on the stream. Stores it uses must be
   * added with `StreamsBuilder.addStateStore` and named here. The result is
   * marked for repartitioning, since the processor may have changed keys.
   */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut> {
    const name = this.builder.newProcessorName('KSTREAM-PROCESSOR-');
    this.builder.addProcessor(name, supplier, this.nodeName);
    for (const s of storeNames) this.builder.connectStore(s, name);
    // The processor may change keys, so (as in Kafka Streams) a later stateful operation repartitions.
    return new KStream(this.builder, name, { repartitionRequired: true });
  }

  /**
   * Inner join with another stream within `JoinWindows` (records whose
   * timestamps are close enough), with a table (by key) or with a global
   * table (by `keySelector`).
   * Table: each record is joined with the table's value at the time it is
   * processed; records without a match are dropped. Repartitions first if
   * the stream's key changed.
   */
  join<VO, VR>(
    otherStream: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  join(other: KStream<K, unknown> | KTable<K, unknown> | GlobalKTable<unknown, unknown>, fn: AnyFn, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    if (other instanceof KStream) return joinStreams(this, other, fn, third as JoinWindows, fourth as StreamJoined<K, V, unknown> | undefined, 'inner');
    return this.joinTable(other, fn, third, fourth, false);
  }

  /** Like `join`, but records without a match are joined with null. */
  leftJoin<VO, VR>(
    otherStream: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG | null, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  leftJoin(other: KStream<K, unknown> | KTable<K, unknown> | GlobalKTable<unknown, unknown>, fn: AnyFn, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    if (other instanceof KStream) return joinStreams(this, other, fn, third as JoinWindows, fourth as StreamJoined<K, V, unknown> | undefined, 'left');
    return this.joinTable(other, fn, third, fourth, true);
  }

  /**
   * Windowed outer join with another stream: records of either side are
   * emitted joined with null when no partner arrived within the window.
   */
  outerJoin<VO, VR>(
    otherStream: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return joinStreams(this, otherStream, joiner, windows, streamJoined, 'outer');
  }

  /** The stream as a changelog: the latest value per key, null deletes. */
  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    const name = this.builder.nameOr(named, 'KSTREAM-TOTABLE-');
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const valueSerde = materialized?.valueSerde ?? this.valueSerde;
    const storeName = materialized?.storeName ?? this.builder.newStoreName('KSTREAM-TOTABLE-');
    const parent = this.repartitionRequired ? this.builder.repartition(this.nodeName, storeName, { keySerde, valueSerde }) : this.nodeName;
    this.builder.addProcessor(name, tableSourceSupplier<K, V>(storeName), parent);
    this.builder.addTimestampedKeyValueStore(storeName, materialized, keySerde, valueSerde, name);
    return new KTable(this.builder, name, { keySerde, valueSerde, storeName });
  }

  private joinTable(
    other: KTable<K, unknown> | GlobalKTable<unknown, unknown>,
    fn: AnyFn,
    third: unknown,
    fourth: unknown,
    leftJoin: boolean,
  ): KStream<K, unknown> {
    const prefix = leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-';
    if (other instanceof GlobalKTable) {
      const name = this.builder.nameOr(fourth as Named | undefined, prefix);
      this.builder.addProcessor(name, streamTableJoinSupplier(other.storeName, fn as (k: K, v: V) => unknown, third as AnyFn, leftJoin), this.nodeName);
      if (leftJoin) this.builder.markRelaxedNullKeyJoin(name);
      return this.derive(name, this.keySerde, undefined, this.repartitionRequired);
    }
    const joined = third as Joined<K, V, unknown> | undefined;
    const name = this.builder.nameOr(joined?.name, prefix);
    const storeName = other.ensureStore();
    const keySerde = joined?.keySerde ?? this.keySerde ?? other.keySerde;
    const valueSerde = joined?.valueSerde ?? this.valueSerde;
    const parent = this.repartitionRequired
      ? this.builder.repartition(this.nodeName, joined?.name ?? this.nodeName, { keySerde, valueSerde, named: joined?.name !== undefined })
      : this.nodeName;
    this.builder.addProcessor(name, streamTableJoinSupplier(storeName, (k: K) => k, fn, leftJoin), parent);
    if (leftJoin) this.builder.markRelaxedNullKeyJoin(name);
    this.builder.connectStore(storeName, name);
    return this.derive(name, keySerde, undefined, false);
  }

  private stateless<K2, V2>(
    prefix: string,
    named: Named | undefined,
    transform: (r: Record<K, V>) => Iterable<Record<K2, V2>>,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
    keyChanged: boolean,
  ): KStream<K2, V2> {
    const name = this.builder.nameOr(named, prefix);
    this.builder.addProcessor(name, statelessSupplier(transform), this.nodeName);
    return this.derive(name, keySerde, valueSerde, keyChanged || this.repartitionRequired);
  }

  private derive<K2, V2>(name: string, keySerde: Serde<K2> | undefined, valueSerde: Serde<V2> | undefined, repartitionRequired: boolean): KStream<K2, V2> {
    return new KStream<K2, V2>(this.builder, name, { keySerde, valueSerde, repartitionRequired });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- overload implementation signature
type AnyFn = (...args: any[]) => any;

/**
 * The branches of a split stream. Each record goes to the first branch
 * whose predicate matches, else to the default branch (or nowhere).
 * Branch streams are returned by name: `<split name><branch name>`, where
 * unnamed branches are numbered from 1 and the default branch is `0`.
 */
export class BranchedKStream<K, V> {
  private readonly predicates: Array<{ child: string; predicate: (key: K, value: V) => boolean }> = [];
  private readonly branches = new Map<string, KStream<K, V>>();
  private readonly splitName: string;
  private readonly nodeName: string;
  private done = false;

  constructor(
    private readonly parent: KStream<K, V>,
    name: string | undefined,
  ) {
    const builder = parent.builder;
    this.nodeName = name ?? builder.newProcessorName('KSTREAM-BRANCH-');
    this.splitName = name ?? `${this.nodeName}-`;
    const predicates = this.predicates;
    builder.addProcessor(
      this.nodeName,
      () => new BranchProcessor(predicates),
      parent.nodeName,
    );
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched): this {
    this.addBranch(predicate, branched?.name ?? String(this.predicates.length + 1));
    return this;
  }

  /** Adds the catch-all branch and returns every branch by name. */
  defaultBranch(branched?: Branched): Map<string, KStream<K, V>> {
    this.addBranch(() => true, branched?.name ?? '0');
    return this.noDefaultBranch();
  }

  /** Returns every branch by name; records matching no predicate are dropped. */
  noDefaultBranch(): Map<string, KStream<K, V>> {
    this.done = true;
    return new Map(this.branches);
  }

  private addBranch(predicate: (key: K, value: V) => boolean, branchName: string): void {
    if (this.done) throw new Error('split(): no branches can be added after defaultBranch()/noDefaultBranch()');
    const child = `${this.splitName}${branchName}`;
    const builder = this.parent.builder;
    builder.addProcessor(child, statelessSupplier<K, V, K, V>((r) => [r]), this.nodeName);
    this.predicates.push({ child, predicate });
    this.branches.set(
      child,
      new KStream(builder, child, {
        keySerde: this.parent.keySerde,
        valueSerde: this.parent.valueSerde,
        repartitionRequired: this.parent.repartitionRequired,
      }),
    );
  }
}

class BranchProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  constructor(private readonly predicates: ReadonlyArray<{ child: string; predicate: (key: K, value: V) => boolean }>) {
    super();
  }

  async process(record: Record<K, V>): Promise<void> {
    const match = this.predicates.find((p) => p.predicate(record.key, record.value));
    if (match) await this.context.forward(record, match.child);
  }
}
