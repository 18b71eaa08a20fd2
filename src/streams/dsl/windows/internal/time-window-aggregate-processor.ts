import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import { isPending } from '../../../processor/internal/resolved.js';
import { isPromiseLike } from '../../../state/internal/bytes-store.js';
import type { Window, Windowed, WindowStore } from '../../../state/types.js';
import type { Windows } from '../windows.js';
import { recordLateDrop, recordSkipped } from './drop-record.js';
import type { Aggregator, Initializer } from './functions.js';
import { valueAndTimestamp, type ValueAndTimestamp } from './value-and-timestamp.js';
import { windowedKey } from './windowed-key.js';

export interface TimeWindowAggregateOptions<K, V, VA> {
  readonly storeName: string;
  readonly windows: Windows;
  readonly initializer: Initializer<VA>;
  readonly aggregator: Aggregator<K, V, VA>;
}

/**
 * Aggregates a grouped stream into tumbling or hopping windows (Kafka
 * Streams' KStreamWindowAggregate). For each window holding the record it
 * reads the window's aggregate, applies the aggregator and forwards the
 * change keyed by `Windowed<K>`, stamped with the largest record timestamp
 * in the window. A window is closed once `end <= streamTime - grace`;
 * records for closed windows are dropped and counted per window, as Kafka
 * Streams' dropped-records sensor does.
 *
 * Deliberate difference: the first update of a window forwards
 * `oldValue: null` (nothing was replaced), where Kafka Streams sends the
 * initializer's value when old values are requested.
 */
export class TimeWindowAggregateProcessor<K, V, VA>
  implements Processor<K, V, Windowed<K>, Change<VA>>
{
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStore<K, ValueAndTimestamp<VA>>;
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TimeWindowAggregateOptions<K, V, VA>) {}

  static supplier<K, V, VA>(
    options: TimeWindowAggregateOptions<K, V, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    return () => new TimeWindowAggregateProcessor(options);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(this.options.storeName);
  }

  /**
   * Synchronous when the store answers at once (in memory, a cache hit or
   * buffered write, a LevelDB point read) and every processor downstream
   * finishes without waiting; otherwise the remaining windows continue
   * after the first promise, in order.
   */
  process(record: Record<K, V>): void | Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      recordSkipped(this.context, 'null key or value in a windowed aggregation');
      return;
    }
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp, this.context.currentStreamTimeMs());
    return this.aggregateWindows(record, this.options.windows.windowsFor(record.timestamp).entries());
  }

  private aggregateWindows(record: Record<K, V>, windows: Iterator<[number, Window]>): void | Promise<void> {
    const closeTime = this.observedStreamTime - this.options.windows.gracePeriodMs();
    for (let next = windows.next(); next.done !== true; next = windows.next()) {
      const [windowStart, window] = next.value;
      if (window.end <= closeTime) {
        recordLateDrop(this.context);
        continue;
      }
      const old = this.store.fetch(record.key as K, windowStart);
      const done = isPromiseLike(old)
        ? Promise.resolve(old).then((found) => this.update(record, windowStart, window, found))
        : this.update(record, windowStart, window, old);
      if (isPending(done)) return done.then(() => this.aggregateWindows(record, windows));
    }
  }

  private update(record: Record<K, V>, windowStart: number, window: Window, old: ValueAndTimestamp<VA> | undefined): void | Promise<void> {
    const key = record.key as K;
    const oldAgg = old === undefined ? null : old.value;
    const newTimestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    const newAgg = this.options.aggregator(key, record.value as V, oldAgg ?? this.options.initializer());
    const stored = this.store.put(key, valueAndTimestamp(newAgg, newTimestamp), windowStart);
    // No local arrow on the synchronous path: tsx names each one it creates (a defineProperty per call).
    if (isPromiseLike(stored)) return Promise.resolve(stored).then(() => this.forwardChange(record, window, newAgg, oldAgg, newTimestamp));
    return this.forwardChange(record, window, newAgg, oldAgg, newTimestamp);
  }

  private forwardChange(record: Record<K, V>, window: Window, newAgg: VA, oldAgg: VA | null, timestamp: number): Promise<void> {
    return this.context.forward(
      record.withKey(windowedKey(record.key as K, window)).withValue<Change<VA>>({ newValue: newAgg, oldValue: oldAgg }).withTimestamp(timestamp),
    );
  }
}
