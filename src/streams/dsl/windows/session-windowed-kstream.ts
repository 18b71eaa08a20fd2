import { Serdes } from '../../serde/serdes.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../state/types.js';
import { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Aggregator, Initializer, Merger, Reducer } from './internal/functions.js';
import type { GroupedStreamLike } from './internal/grouped-stream-like.js';
import { reduceAggregator, reduceInitializer, reduceMerger } from './internal/reduce.js';
import { SessionWindowAggregateProcessor } from './internal/session-window-aggregate-processor.js';
import { sessionStoreFactory } from './internal/window-store-factories.js';
import { registerWindowedTable } from './internal/windowed-tables.js';
import type { SessionWindows } from './session-windows.js';
import { retentionOf } from './time-windowed-kstream.js';
import { WindowedSerdes } from './windowed-serdes.js';

/**
 * A grouped stream cut into sessions (Kafka Streams'
 * SessionWindowedKStream), from `groupedStream.windowedBy(SessionWindows)`.
 * Each aggregation returns a KTable keyed by `Windowed<K>` (the session's
 * first and last record times) that forwards every change: when sessions
 * merge, a tombstone (`newValue: null`) for each merged session, then the
 * merged session. The session store keeps sessions for
 * `max(gap + grace + 1, Materialized retention)`; a configured retention
 * below `gap + grace` is rejected, as in Kafka Streams.
 */
export class SessionWindowedKStream<K, V> {
  constructor(
    private readonly grouped: GroupedStreamLike<K, V>,
    readonly windows: SessionWindows,
  ) {}

  /** Counts the records of each session. Counts are serialized as Long. */
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.doAggregate<number>(
      'KSTREAM-AGGREGATE-',
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
      materialized,
      Serdes.Long(),
    );
  }

  /** Combines the values of each session; merging sessions combines their aggregates with the same reducer. */
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    return this.doAggregate<V>(
      'KSTREAM-REDUCE-',
      reduceInitializer<V>(),
      reduceAggregator<K, V>(reducer),
      reduceMerger<K, V>(reducer),
      materialized,
      this.grouped.valueSerde,
    );
  }

  /**
   * Folds the values of each session into an aggregate that starts as
   * `initializer()`; `sessionMerger` combines the aggregates of sessions a
   * record joins together.
   */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    sessionMerger: Merger<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    return this.doAggregate<VA>('KSTREAM-AGGREGATE-', initializer, aggregator, sessionMerger, materialized, undefined);
  }

  private doAggregate<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const { builder } = this.grouped;
    const windows = this.windows;
    const name = builder.newProcessorName(prefix);
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde;
    const valueSerde = materialized?.valueSerde ?? defaultValueSerde;
    // Sessions end inclusively and are still open at exactly
    // end + gap + grace; the stores expire exactly at their retention, so
    // they keep sessions 1 ms longer than the minimum Kafka Streams checks.
    const retentionMs = Math.max(
      retentionOf(storeName, windows.inactivityGap() + windows.gracePeriodMs(), materialized?.retentionMs),
      windows.inactivityGap() + windows.gracePeriodMs() + 1,
    );
    builder.addProcessor(
      name,
      SessionWindowAggregateProcessor.supplier<K, V, VA>({ storeName, windows, initializer, aggregator, merger }),
      this.grouped.aggregationParent(storeName),
    );
    builder.addStateStore(
      storeName,
      sessionStoreFactory<K, VA>({
        storeName,
        supplier: materialized?.storeSupplier,
        keySerde,
        valueSerde,
        storeType: materialized?.storeType,
        cachingEnabled: materialized?.cachingEnabled,
        loggingEnabled: materialized?.loggingEnabled,
        retentionMs,
      }),
      name,
    );
    // A session can still grow by a record `gap` after its end, and its end
    // is inclusive: it is final once end + gap + grace < stream time.
    registerWindowedTable(builder, name, windows.gracePeriodMs() + windows.inactivityGap() + 1);
    return new KTable<Windowed<K>, VA>(builder, name, {
      keySerde: keySerde === undefined ? undefined : WindowedSerdes.sessionWindowedSerdeFrom(keySerde),
      valueSerde,
    });
  }
}
