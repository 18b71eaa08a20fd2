import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { SessionStore, Window, Windowed } from '../../../state/types.js';
import type { SessionWindows } from '../session-windows.js';
import { windowOf } from '../window.js';
import { recordLateDrop, recordSkipped } from './drop-record.js';
import type { Aggregator, Initializer, Merger } from './functions.js';
import { collect } from './iterators.js';
import { windowedKey } from './windowed-key.js';

export interface SessionWindowAggregateOptions<K, V, VA> {
  readonly storeName: string;
  readonly windows: SessionWindows;
  readonly initializer: Initializer<VA>;
  readonly aggregator: Aggregator<K, V, VA>;
  readonly merger: Merger<K, VA>;
}

/**
 * Aggregates a grouped stream into sessions (Kafka Streams'
 * KStreamSessionWindowAggregate). A record starts the session
 * `[t, t]`, absorbs every session of its key that ends at or after
 * `t - gap` and starts at or before `t + gap` (merging their aggregates
 * with the merger), removes those sessions from the store and forwards a
 * tombstone change for each, then forwards the merged session. Results are
 * stamped with the session's end. A record whose merged session ended
 * before `streamTime - grace - gap` is late: dropped and counted.
 */
export class SessionWindowAggregateProcessor<K, V, VA>
  implements Processor<K, V, Windowed<K>, Change<VA>>
{
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: SessionStore<K, VA>;
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SessionWindowAggregateOptions<K, V, VA>) {}

  static supplier<K, V, VA>(
    options: SessionWindowAggregateOptions<K, V, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    return () => new SessionWindowAggregateProcessor(options);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<SessionStore<K, VA>>(this.options.storeName);
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      recordSkipped(this.context, 'null key or value in a session aggregation');
      return;
    }
    const { windows, initializer, aggregator, merger } = this.options;
    const key = record.key;
    const timestamp = record.timestamp;
    this.observedStreamTime = Math.max(this.observedStreamTime, timestamp, this.context.currentStreamTimeMs());
    // A session can still grow by a record `gap` after its end, so it
    // closes gap + grace after its end (KAFKA-12718).
    const closeTime = this.observedStreamTime - windows.gracePeriodMs() - windows.inactivityGap();

    const overlapping = await collect(
      this.store.findSessions(key, timestamp - windows.inactivityGap(), timestamp + windows.inactivityGap()),
    );
    let merged: Window = windowOf(timestamp, timestamp);
    let aggregate = initializer();
    for (const session of overlapping) {
      aggregate = merger(key, aggregate, session.value);
      merged = windowOf(Math.min(merged.start, session.key.window.start), Math.max(merged.end, session.key.window.end));
    }

    if (merged.end < closeTime) {
      recordLateDrop(this.context);
      return;
    }

    const grewOrMerged = merged.start !== timestamp || merged.end !== timestamp;
    if (grewOrMerged) {
      for (const session of overlapping) {
        await this.store.remove(session.key);
        await this.forward(record, session.key, { newValue: null, oldValue: session.value });
      }
    }
    aggregate = aggregator(key, record.value, aggregate);
    const sessionKey = windowedKey(key, merged);
    await this.store.put(sessionKey, aggregate);
    await this.forward(record, sessionKey, { newValue: aggregate, oldValue: null });
  }

  private forward(record: Record<K, V>, session: Windowed<K>, change: Change<VA>): Promise<void> {
    return this.context.forward(record.withKey(session).withValue(change).withTimestamp(session.window.end));
  }
}
