import { VigilError } from '../../errors.js';
import type { ProcessorSupplier } from '../../processor/processor.js';
import { Serdes } from '../../serde/serdes.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../state/types.js';
import { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Aggregator, Initializer, Reducer } from './internal/functions.js';
import type { GroupedStreamLike } from './internal/grouped-stream-like.js';
import { reduceAggregator, reduceInitializer } from './internal/reduce.js';
import { SlidingWindowAggregateProcessor } from './internal/sliding-window-aggregate-processor.js';
import { TimeWindowAggregateProcessor } from './internal/time-window-aggregate-processor.js';
import { valueAndTimestampSerde } from './internal/value-and-timestamp.js';
import { windowStoreFactory } from './internal/window-store-factories.js';
import { registerWindowedTable } from './internal/windowed-tables.js';
import { SlidingWindows } from './sliding-windows.js';
import type { TimeWindows } from './time-windows.js';
import { WindowedSerdes } from './windowed-serdes.js';

/**
 * A grouped stream cut into time windows (Kafka Streams'
 * TimeWindowedKStream), from `groupedStream.windowedBy(TimeWindows |
 * SlidingWindows)`. Each aggregation returns a KTable keyed by
 * `Windowed<K>` that forwards every update of a window (use
 * `suppress(untilWindowCloses)` for one final result per window), backed
 * by a window store kept for `max(size + grace, Materialized retention)`
 * (sliding windows: `2 × difference + grace`, as their algorithm reads
 * back that far). A retention shorter than that is rejected, as in Kafka
 * Streams.
 */
export class TimeWindowedKStream<K, V> {
  constructor(
    private readonly grouped: GroupedStreamLike<K, V>,
    readonly windows: TimeWindows | SlidingWindows,
  ) {}

  /** Counts the records of each key in each window. Counts are serialized as Long. */
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.doAggregate<number>('KSTREAM-AGGREGATE-', () => 0, (_k, _v, n) => n + 1, materialized, Serdes.Long());
  }

  /** Combines the values of each key in each window; the first value of a window is its initial aggregate. */
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    return this.doAggregate<V>(
      'KSTREAM-REDUCE-',
      reduceInitializer<V>(),
      reduceAggregator<K, V>(reducer),
      materialized,
      this.grouped.valueSerde,
    );
  }

  /** Folds the values of each key in each window into an aggregate that starts as `initializer()`. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    return this.doAggregate<VA>('KSTREAM-AGGREGATE-', initializer, aggregator, materialized, undefined);
  }

  private doAggregate<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized: Materialized<K, VA> | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const { builder } = this.grouped;
    const windows = this.windows;
    const name = builder.newProcessorName(prefix);
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde;
    const valueSerde = materialized?.valueSerde ?? defaultValueSerde;
    const sliding = windows instanceof SlidingWindows;
    const windowSizeMs = windows.size();
    // Sliding windows read back 2 × difference to find a record's neighbours.
    const minimumRetention = (sliding ? 2 * windowSizeMs : windowSizeMs) + windows.gracePeriodMs();
    const retentionMs = retentionOf(storeName, minimumRetention, materialized?.retentionMs);

    const supplier: ProcessorSupplier<K, V, Windowed<K>, unknown> = sliding
      ? SlidingWindowAggregateProcessor.supplier<K, V, VA>({ storeName, windows, initializer, aggregator })
      : TimeWindowAggregateProcessor.supplier<K, V, VA>({ storeName, windows, initializer, aggregator });
    builder.addProcessor(name, supplier, this.grouped.aggregationParent(storeName));
    builder.addStateStore(
      storeName,
      windowStoreFactory<K, VA>({
        storeName,
        supplier: materialized?.storeSupplier,
        keySerde,
        valueSerde,
        wrapValueSerde: valueAndTimestampSerde,
        storeType: materialized?.storeType,
        cachingEnabled: materialized?.cachingEnabled,
        loggingEnabled: materialized?.loggingEnabled,
        retentionMs,
        windowSizeMs,
        retainDuplicates: false,
      }),
      name,
    );
    // Time windows end exclusively: final once end + grace <= stream time.
    // Sliding windows end inclusively and still take a record at exactly
    // end + grace, so they are final only one millisecond later.
    registerWindowedTable(builder, name, windows.gracePeriodMs() + (sliding ? 1 : 0));
    // No storeName for the KTable: its store is a window store of
    // ValueAndTimestamp, not the key-value store a table join looks up.
    return new KTable<Windowed<K>, VA>(builder, name, {
      keySerde: keySerde === undefined ? undefined : WindowedSerdes.timeWindowedSerdeFrom(keySerde, windowSizeMs),
      valueSerde,
    });
  }
}

/** Kafka Streams' rule: the default retention is the minimum, and a shorter configured one is an error. */
export function retentionOf(storeName: string, minimumMs: number, configuredMs: number | undefined): number {
  if (configuredMs === undefined) return minimumMs;
  if (configuredMs < minimumMs) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `The retention of window store "${storeName}" (${configuredMs} ms) must be at least the window size plus the grace period (${minimumMs} ms); raise Materialized.withRetention or shorten the windows.`,
    );
  }
  return configuredMs;
}
