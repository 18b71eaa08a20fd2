import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import { Record } from '../../../processor/record.js';
import type { Serde } from '../../../serde/serde.js';
import type { WindowStore } from '../../../state/types.js';
import type { JoinWindows } from '../join-windows.js';
import { recordSkipped } from './drop-record.js';
import { collect } from './iterators.js';
import type { JoinSide, OuterJoinBuffer, OuterJoinBuffers, OuterJoinStore, UnjoinedRecord } from './outer-join-buffer.js';

export interface StreamStreamJoinOptions<K, VThis, VOther, VOut> {
  readonly side: JoinSide;
  /** The window store of this side's records (retainDuplicates). */
  readonly thisStoreName: string;
  /** The window store of the other side's records. */
  readonly otherStoreName: string;
  readonly windows: JoinWindows;
  /** Joins from this side's point of view; `other` is null for an unmatched record. */
  readonly joiner: (key: K, thisValue: VThis, otherValue: VOther | null) => VOut;
  /** Whether unmatched records of this side produce a null-joined result (left side of a left join, both sides of an outer join). */
  readonly outer: boolean;
  /** Whether unmatched records are held until their window closes (any left/outer join). */
  readonly holdsUnmatched: boolean;
  /** Shared with the other side's processor. */
  readonly shared: OuterJoinBuffers;
  /** The key-value store mirroring the held records (left/outer joins), connected to both sides. */
  readonly outerStoreName?: string | undefined;
  /**
   * Turns a buffered record of either side into the null-joined result;
   * needed because the other side's held records are emitted from here too.
   */
  readonly unjoined: (record: UnjoinedRecord) => VOut;
  /** The join's key serde when the DSL knows it: held results sharing a timestamp come out in its byte order, as in Kafka Streams. */
  readonly keySerde?: Serde<K> | undefined;
}

/**
 * One side of a windowed KStream–KStream join (Kafka Streams'
 * KStreamJoinWindow + KStreamKStreamJoin in one node). A record at `t`:
 * 0. without a key, is emitted null-joined at once on an outer side and
 *    skipped otherwise (a null value is always skipped);
 * 1. when older than the join stores' retention, still joins what the
 *    other side holds (an outer side emits it null-joined at once), but
 *    is not stored, as in Kafka Streams;
 * 2. joins every record of the other side with the same key whose time is
 *    in `[t - before, t + after]` (bounds swapped on the right side),
 *    each result stamped `max(t, other)`;
 * 3. when unmatched on an outer side, is either emitted null-joined at once
 *    (its window is already past stream time) or held until its window
 *    and grace have passed, then emitted once unless a partner came;
 * 4. is put into this side's store, after the lookup, so it never joins
 *    itself.
 *
 * Held records live in a buffer shared with the other side's processor,
 * mirrored in the outer-join store when one is given (restorable).
 *
 * Deliberate differences from Kafka Streams: step 1 (Kafka Streams skips
 * only the store write and still joins a record past retention); held
 * records are checked on every in-order record, without Kafka Streams'
 * one-second wall-clock throttle, so results do not depend on wall time.
 */
export class StreamStreamJoinProcessor<K, VThis, VOther, VOut> implements Processor<K, VThis, K, VOut> {
  private context!: ProcessorContext<K, VOut>;
  private thisStore!: WindowStore<K, VThis>;
  private otherStore!: WindowStore<K, VOther>;
  private buffer!: OuterJoinBuffer;
  private anchor!: object;
  private readonly joinBeforeMs: number;
  private readonly joinAfterMs: number;

  constructor(private readonly options: StreamStreamJoinOptions<K, VThis, VOther, VOut>) {
    const { windows, side } = options;
    this.joinBeforeMs = side === 'left' ? windows.beforeMs : windows.afterMs;
    this.joinAfterMs = side === 'left' ? windows.afterMs : windows.beforeMs;
  }

  static supplier<K, VThis, VOther, VOut>(
    options: StreamStreamJoinOptions<K, VThis, VOther, VOut>,
  ): ProcessorSupplier<K, VThis, K, VOut> {
    return () => new StreamStreamJoinProcessor(options);
  }

  async init(context: ProcessorContext<K, VOut>): Promise<void> {
    this.context = context;
    this.thisStore = context.getStateStore<WindowStore<K, VThis>>(this.options.thisStoreName);
    this.otherStore = context.getStateStore<WindowStore<K, VOther>>(this.options.otherStoreName);
    const { outerStoreName } = this.options;
    const outerStore = outerStoreName === undefined ? undefined : context.getStateStore<OuterJoinStore>(outerStoreName);
    // The same object for both sides' processors of one task: the key of their shared buffer.
    this.anchor = outerStore ?? (this.options.side === 'left' ? this.thisStore : this.otherStore);
    const { keySerde } = this.options;
    this.buffer = this.options.shared.forTask(this.anchor, outerStore, keySerde ? (key) => keySerde.serialize('', key as K) : undefined);
    await this.buffer.load();
  }

  close(): void {
    this.options.shared.release(this.anchor);
  }

  async process(record: Record<K, VThis>): Promise<void> {
    const { joiner, outer, holdsUnmatched } = this.options;
    const t = record.timestamp;
    const buffer = this.buffer;
    buffer.streamTime = Math.max(buffer.streamTime, t, this.context.currentStreamTimeMs());

    const nullKey = record.key === null || record.key === undefined;
    const nullValue = record.value === null || record.value === undefined;
    if (outer && nullKey && !nullValue) {
      // A record without a key can never find a partner; an outer side
      // emits it at once (KIP-962, Kafka Streams 3.7+).
      await this.context.forward(record.withValue(joiner(record.key, record.value, null)));
      return;
    }
    if (nullKey || nullValue) {
      recordSkipped(this.context, 'null key or value in a stream-stream join');
      return;
    }
    // A record older than the stores' retention is not dropped (Kafka Streams' KStreamKStreamJoin
    // has no late drop): it joins whatever the other side still holds, an outer side emits it
    // null-joined at once (below), and this side's store does not keep it.
    if (holdsUnmatched && t >= buffer.streamTime) await this.emitClosedUnmatched();

    const timeFrom = Math.max(0, t - this.joinBeforeMs);
    const timeTo = Math.max(0, t + this.joinAfterMs);
    const partners = await collect(this.otherStore.fetchRange(record.key, timeFrom, timeTo));
    const otherSide: JoinSide = this.options.side === 'left' ? 'right' : 'left';
    for (const partner of partners) {
      if (holdsUnmatched) await buffer.removeMatched(otherSide, record.key, partner.key);
      await this.context.forward(
        record.withValue(joiner(record.key, record.value, partner.value)).withTimestamp(Math.max(t, partner.key)),
      );
    }
    if (partners.length === 0 && outer) {
      // An out-of-order record whose window already ended before stream
      // time is emitted null-joined at once rather than held, as Kafka
      // Streams does; a partner arriving within grace still joins it too.
      if (!holdsUnmatched || timeTo < buffer.streamTime) {
        await this.context.forward(record.withValue(joiner(record.key, record.value, null)));
      } else {
        await buffer.add({ side: this.options.side, key: record.key, value: record.value, timestamp: t, headers: record.headers });
      }
    }
    await this.thisStore.put(record.key, record.value, t);
  }

  private async emitClosedUnmatched(): Promise<void> {
    const { windows } = this.options;
    const buffer = this.buffer;
    const soonest = Math.min(windows.afterMs, windows.beforeMs);
    if (buffer.size === 0 || buffer.minTime + soonest + windows.gracePeriodMs() >= buffer.streamTime) return;
    // A left record looks `after` into the future, a right record `before`.
    const closed = await buffer.takeClosed(
      (held) =>
        held.timestamp + (held.side === 'left' ? windows.afterMs : windows.beforeMs) + windows.gracePeriodMs() <
        buffer.streamTime,
    );
    for (const held of closed) {
      await this.context.forward(new Record(held.key as K, this.options.unjoined(held), held.timestamp, held.headers));
    }
  }
}
