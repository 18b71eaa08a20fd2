import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { Windowed, WindowStore } from '../../../state/types.js';
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

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      recordSkipped(this.context, 'null key or value in a windowed aggregation');
      return;
    }
    const { windows, initializer, aggregator } = this.options;
    const timestamp = record.timestamp;
    this.observedStreamTime = Math.max(this.observedStreamTime, timestamp, this.context.currentStreamTimeMs());
    const closeTime = this.observedStreamTime - windows.gracePeriodMs();

    for (const [windowStart, window] of windows.windowsFor(timestamp)) {
      if (window.end <= closeTime) {
        recordLateDrop(this.context);
        continue;
      }
      const old = await this.store.fetch(record.key, windowStart);
      const oldAgg = old === undefined ? null : old.value;
      const newTimestamp = old === undefined ? timestamp : Math.max(timestamp, old.timestamp);
      const newAgg = aggregator(record.key, record.value, oldAgg ?? initializer());
      await this.store.put(record.key, valueAndTimestamp(newAgg, newTimestamp), windowStart);
      await this.context.forward(
        record
          .withKey(windowedKey(record.key, window))
          .withValue<Change<VA>>({ newValue: newAgg, oldValue: oldAgg })
          .withTimestamp(newTimestamp),
      );
    }
  }
}
