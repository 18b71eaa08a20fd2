import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { Window, Windowed, WindowStore } from '../../../state/types.js';
import { VigilError } from '../../../errors.js';
import type { SlidingWindows } from '../sliding-windows.js';
import { windowOf } from '../window.js';
import { recordLateDrop, recordSkipped } from './drop-record.js';
import type { Aggregator, Initializer } from './functions.js';
import { collect } from './iterators.js';
import { valueAndTimestamp, type ValueAndTimestamp } from './value-and-timestamp.js';
import { windowedKey } from './windowed-key.js';

export interface SlidingWindowAggregateOptions<K, V, VA> {
  readonly storeName: string;
  readonly windows: SlidingWindows;
  readonly initializer: Initializer<VA>;
  readonly aggregator: Aggregator<K, V, VA>;
}

/** A window to update: its bounds, what it holds, and whether it exists in the store yet. */
interface Candidate<VA> {
  readonly window: Window;
  readonly current: ValueAndTimestamp<VA>;
  readonly isNew: boolean;
}

/**
 * Sliding-window aggregation (Kafka Streams' KStreamSlidingWindowAggregate,
 * KIP-450), ported algorithm for algorithm. Windows are `[start, start +
 * timeDifference]`, inclusive at both ends, and exist only where records
 * make them distinct: each record gets a "left" window ending at it and, if
 * a later record of the key lies within the difference, a "right" window
 * starting 1 ms after it. A record updates every existing window that
 * contains it and creates the windows it makes necessary. Records earlier
 * than `timeDifference` share the window `[0, timeDifference]` (no window
 * starts before the epoch). A window is closed once
 * `end < streamTime - grace`; a record whose own left window is closed is
 * dropped and counted.
 *
 * Deliberate difference: newly created windows forward `oldValue: null`.
 */
export class SlidingWindowAggregateProcessor<K, V, VA>
  implements Processor<K, V, Windowed<K>, Change<VA>>
{
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStore<K, ValueAndTimestamp<VA>>;
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SlidingWindowAggregateOptions<K, V, VA>) {}

  static supplier<K, V, VA>(
    options: SlidingWindowAggregateOptions<K, V, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    return () => new SlidingWindowAggregateProcessor(options);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(this.options.storeName);
  }

  private get difference(): number {
    return this.options.windows.timeDifferenceMs;
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      recordSkipped(this.context, 'null key or value in a sliding-window aggregation');
      return;
    }
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp, this.context.currentStreamTimeMs());
    const closeTime = this.observedStreamTime - this.options.windows.gracePeriodMs();

    if (record.timestamp + this.difference < closeTime) {
      recordLateDrop(this.context);
      return;
    }
    if (record.timestamp < this.difference) {
      await this.processEarly(record, closeTime);
    } else {
      await this.processInOrder(record, closeTime);
    }
  }

  private async processInOrder(record: Record<K, V>, closeTime: number): Promise<void> {
    const t = record.timestamp;
    const existing = await collect(
      // +1 catches the record's right window, if it already exists.
      this.store.fetchRange(record.key, Math.max(0, t - 2 * this.difference), t + 1),
    );
    const windowStartTimes = new Set<number>();
    let leftWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;

    for (const { key: startTime, value } of existing) {
      windowStartTimes.add(startTime);
      const endTime = startTime + this.difference;
      const window = windowOf(startTime, endTime);
      if (endTime < t) {
        leftWinAgg = value;
        previousRecordTimestamp = value.timestamp;
      } else if (endTime === t) {
        leftWinAlreadyCreated = true;
        if (value.timestamp < t) previousRecordTimestamp = value.timestamp;
        await this.updateWindowAndForward(record, { window, current: value, isNew: false }, closeTime);
      } else if (startTime <= t) {
        rightWinAgg = value;
        await this.updateWindowAndForward(record, { window, current: value, isNew: false }, closeTime);
      } else if (startTime === t + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw unexpectedWindow(startTime, t);
      }
    }

    // The previous record's right window, if this record falls into it.
    if (previousRecordTimestamp !== null) {
      const previousRightWinStart = previousRecordTimestamp + 1;
      if (!windowStartTimes.has(previousRightWinStart) && previousRightWinStart + this.difference >= t) {
        await this.createWindow(record, previousRightWinStart, this.options.initializer(), closeTime);
      }
    }
    // This record's left window, seeded with the previous records within reach.
    if (!leftWinAlreadyCreated) {
      const leftWindowNotEmpty = previousRecordTimestamp !== null && t - this.difference <= previousRecordTimestamp;
      const seed = leftWindowNotEmpty && leftWinAgg !== null ? leftWinAgg.value : this.options.initializer();
      await this.createWindow(record, t - this.difference, seed, closeTime);
    }
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > t) {
      await this.createCurrentRecordRightWindow(record, rightWinAgg);
    }
  }

  /** Records in [0, difference): their left windows would start before the epoch. */
  private async processEarly(record: Record<K, V>, closeTime: number): Promise<void> {
    const t = record.timestamp;
    if (t < 0) {
      throw new VigilError(
        'VIGIL_ERR_PROCESSING',
        `A sliding-window aggregation got a record with negative timestamp ${t}; use a timestamp extractor that yields epoch milliseconds.`,
        { taskId: this.context.taskId },
      );
    }
    const existing = await collect(this.store.fetchRange(record.key, 0, t + 1));
    const windowStartTimes = new Set<number>();
    let combined: ValueAndTimestamp<VA> | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;

    for (const { key: startTime, value } of existing) {
      windowStartTimes.add(startTime);
      if (startTime === 0) {
        combined = value;
        if (value.timestamp < t) previousRecordTimestamp = value.timestamp;
      } else if (startTime <= t) {
        rightWinAgg = value;
        const window = windowOf(startTime, startTime + this.difference);
        await this.updateWindowAndForward(record, { window, current: value, isNew: false }, closeTime);
      } else if (startTime === t + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw unexpectedWindow(startTime, t);
      }
    }

    // With no right window found, the combined window can only hold
    // records after this one, so its aggregate seeds the right window.
    if (rightWinAgg === null && combined !== null && combined.timestamp > t) rightWinAgg = combined;
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > t) {
      await this.createCurrentRecordRightWindow(record, rightWinAgg);
    }
    if (previousRecordTimestamp !== null && !windowStartTimes.has(previousRecordTimestamp + 1)) {
      await this.createWindow(record, previousRecordTimestamp + 1, this.options.initializer(), closeTime);
    }
    const combinedWindow = windowOf(0, this.difference);
    if (combined === null) {
      await this.createWindow(record, 0, this.options.initializer(), closeTime);
    } else {
      await this.updateWindowAndForward(record, { window: combinedWindow, current: combined, isNew: false }, closeTime);
    }
  }

  private createWindow(record: Record<K, V>, start: number, seed: VA, closeTime: number): Promise<void> {
    const window = windowOf(start, start + this.difference);
    return this.updateWindowAndForward(
      record,
      { window, current: valueAndTimestamp(seed, record.timestamp), isNew: true },
      closeTime,
    );
  }

  /** Copies the aggregate of the records after this one into its right window; this record is not in it. */
  private async createCurrentRecordRightWindow(record: Record<K, V>, rightWinAgg: ValueAndTimestamp<VA>): Promise<void> {
    const start = record.timestamp + 1;
    const window = windowOf(start, start + this.difference);
    await this.store.put(record.key, rightWinAgg, start);
    await this.context.forward(
      record
        .withKey(windowedKey(record.key, window))
        .withValue<Change<VA>>({ newValue: rightWinAgg.value, oldValue: null })
        .withTimestamp(rightWinAgg.timestamp),
    );
  }

  private async updateWindowAndForward(record: Record<K, V>, candidate: Candidate<VA>, closeTime: number): Promise<void> {
    const { window, current, isNew } = candidate;
    if (window.end < closeTime) {
      recordLateDrop(this.context);
      return;
    }
    const newAgg = this.options.aggregator(record.key, record.value, current.value);
    const newTimestamp = Math.max(record.timestamp, current.timestamp);
    await this.store.put(record.key, valueAndTimestamp(newAgg, newTimestamp), window.start);
    await this.context.forward(
      record
        .withKey(windowedKey(record.key, window))
        .withValue<Change<VA>>({ newValue: newAgg, oldValue: isNew ? null : current.value })
        .withTimestamp(newTimestamp),
    );
  }
}

function unexpectedWindow(startTime: number, timestamp: number): VigilError {
  return new VigilError(
    'VIGIL_ERR_ILLEGAL_STATE',
    `A sliding-window store holds a window starting at ${startTime} that no record at ${timestamp} can touch; the store was written by a different window definition.`,
  );
}
