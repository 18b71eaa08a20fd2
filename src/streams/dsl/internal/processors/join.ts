import type { Change } from '../../../processor/change.js';
import { ContextualProcessor } from '../../../processor/contextual-processor.js';
import type { ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { KeyValueStore, ReadOnlyKeyValueStore } from '../../../state/types.js';
import type { ValueAndTimestamp } from '../store-factories.js';
import { isPromiseLike } from '../../../state/internal/bytes-store.js';

/** Combines the two sides of a join; the missing side of an outer join is null. */
export type JoinFunction<K, V1, V2, VR> = (value1: V1, value2: V2, key: K) => VR;

/**
 * Stream–table and stream–global-table join (Kafka Streams'
 * KStreamKTableJoin): each stream record looks up the table's current value
 * for `lookupKey(record)`. An inner join drops a record without a match;
 * a left join calls the joiner with null. The result keeps the stream
 * record's key and timestamp. Records with a null value are skipped (and a
 * null key for inner joins), and counted.
 */
export function streamTableJoinSupplier<K, V, KT, VT, VR>(
  storeName: string,
  lookupKey: (key: K, value: V) => KT,
  joiner: JoinFunction<K, V, VT | null, VR>,
  leftJoin: boolean,
): ProcessorSupplier<K, V, K, VR> {
  return () => new StreamTableJoin(storeName, lookupKey, joiner, leftJoin);
}

class StreamTableJoin<K, V, KT, VT, VR> extends ContextualProcessor<K, V, K, VR> {
  private table!: ReadOnlyKeyValueStore<KT, ValueAndTimestamp<VT>>;

  constructor(
    private readonly storeName: string,
    private readonly lookupKey: (key: K, value: V) => KT,
    private readonly joiner: JoinFunction<K, V, VT | null, VR>,
    private readonly leftJoin: boolean,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, VR>): void {
    super.init(context);
    this.table = context.getStateStore<KeyValueStore<KT, ValueAndTimestamp<VT>>>(this.storeName);
  }

  // Synchronous when the table answers at once (an in-memory or cached store that holds the key).
  process(record: Record<K, V>): void | Promise<void> {
    if (record.value === null || record.value === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-value-in-join');
      return;
    }
    const key = this.lookupKey(record.key, record.value);
    const missingKey = key === null || key === undefined;
    if (missingKey && !this.leftJoin) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-in-join');
      return;
    }
    if (missingKey) return this.emit(record, undefined);
    const other = this.table.get(key);
    if (isPromiseLike(other)) return Promise.resolve(other).then((found) => this.emit(record, found));
    return this.emit(record, other);
  }

  private emit(record: Record<K, V>, other: ValueAndTimestamp<VT> | undefined): void | Promise<void> {
    if (other === undefined && !this.leftJoin) return;
    return this.context.forward(record.withValue(this.joiner(record.value, other?.value ?? null, record.key)));
  }
}

export type TableJoinKind = 'inner' | 'left' | 'outer';

/**
 * One side of a table–table join (Kafka Streams' KTableKTable*Join
 * processors). On a change of this side it looks up the other side's
 * current value and forwards the joined change, stamped with the newer of
 * the two sides' timestamps. `thisIsLeft` keeps the
 * joiner's arguments in (left, right) order. A side "keeps" its rows when
 * they produce output without a partner: the left side in left and outer
 * joins, the right side in outer joins; the missing partner is null.
 */
export function tableTableJoinSupplier<K, V1, V2, VR>(
  otherStoreName: string,
  joiner: JoinFunction<K, V1 | null, V2 | null, VR>,
  thisIsLeft: boolean,
  kind: TableJoinKind,
): ProcessorSupplier<K, Change<unknown>, K, Change<VR>> {
  const leftKept = kind !== 'inner';
  const rightKept = kind === 'outer';
  return () =>
    new TableTableJoin(otherStoreName, joiner, thisIsLeft, thisIsLeft ? leftKept : rightKept, thisIsLeft ? rightKept : leftKept);
}

class TableTableJoin<K, V1, V2, VR> extends ContextualProcessor<K, Change<unknown>, K, Change<VR>> {
  private other!: ReadOnlyKeyValueStore<K, ValueAndTimestamp<unknown>>;

  constructor(
    private readonly otherStoreName: string,
    private readonly joiner: JoinFunction<K, V1 | null, V2 | null, VR>,
    private readonly thisIsLeft: boolean,
    private readonly keepsMine: boolean,
    private readonly keepsOther: boolean,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, Change<VR>>): void {
    super.init(context);
    this.other = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<unknown>>>(this.otherStoreName);
  }

  async process(record: Record<K, Change<unknown>>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-in-join');
      return;
    }
    const found = await this.other.get(record.key);
    const other = found?.value ?? null;
    if (other === null && !this.keepsMine) return;
    // As in Kafka Streams, a joined row is as recent as the newer of its two sides.
    const timestamp = found ? Math.max(found.timestamp, record.timestamp) : record.timestamp;
    const pair = (mine: unknown, theirs: unknown): VR =>
      this.thisIsLeft
        ? this.joiner(mine as V1 | null, theirs as V2 | null, record.key)
        : this.joiner(theirs as V1 | null, mine as V2 | null, record.key);
    const join = (mine: unknown): VR | null => {
      if (mine !== null && mine !== undefined) return pair(mine, other);
      return other !== null && this.keepsOther ? pair(null, other) : null;
    };
    await this.context.forward(
      record.withValue<Change<VR>>({ newValue: join(record.value.newValue), oldValue: join(record.value.oldValue) }).withTimestamp(timestamp),
    );
  }
}
