import type { Change } from '../../../processor/change.js';
import { ContextualProcessor } from '../../../processor/contextual-processor.js';
import type { ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { KeyValueStore, ReadOnlyKeyValueStore } from '../../../state/types.js';

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
  private table!: ReadOnlyKeyValueStore<KT, VT>;

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
    this.table = context.getStateStore<KeyValueStore<KT, VT>>(this.storeName);
  }

  async process(record: Record<K, V>): Promise<void> {
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
    const other = missingKey ? undefined : await this.table.get(key);
    if (other === undefined && !this.leftJoin) return;
    await this.context.forward(record.withValue(this.joiner(record.value, other ?? null, record.key)));
  }
}

/**
 * One side of a table–table join (Kafka Streams' KTableKTableJoin
 * processors). On a change of this side it looks up the other side's
 * current value and forwards the joined change. `thisIsLeft` keeps the
 * joiner's arguments in (left, right) order. For an inner join nothing is
 * emitted while the other side is missing; for a left join the left side
 * emits with a null right, and the right side emits only while the left
 * row exists.
 */
export function tableTableJoinSupplier<K, V1, V2, VR>(
  otherStoreName: string,
  joiner: JoinFunction<K, V1, V2 | null, VR>,
  thisIsLeft: boolean,
  leftJoin: boolean,
): ProcessorSupplier<K, Change<unknown>, K, Change<VR>> {
  return () => new TableTableJoin(otherStoreName, joiner, thisIsLeft, leftJoin);
}

class TableTableJoin<K, V1, V2, VR> extends ContextualProcessor<K, Change<unknown>, K, Change<VR>> {
  private other!: ReadOnlyKeyValueStore<K, unknown>;

  constructor(
    private readonly otherStoreName: string,
    private readonly joiner: JoinFunction<K, V1, V2 | null, VR>,
    private readonly thisIsLeft: boolean,
    private readonly leftJoin: boolean,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, Change<VR>>): void {
    super.init(context);
    this.other = context.getStateStore<KeyValueStore<K, unknown>>(this.otherStoreName);
  }

  async process(record: Record<K, Change<unknown>>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-in-join');
      return;
    }
    const other = (await this.other.get(record.key)) ?? null;
    // The side whose absence suppresses output: the right for an inner join,
    // the left (seen from the right processor) for both kinds.
    if (other === null && !(this.thisIsLeft && this.leftJoin)) return;
    const join = (mine: unknown): VR | null => {
      if (mine === null || mine === undefined) {
        if (!this.thisIsLeft && this.leftJoin && other !== null) return this.joiner(other as V1, null, record.key);
        return null;
      }
      return this.thisIsLeft ? this.joiner(mine as V1, other as V2 | null, record.key) : this.joiner(other as V1, mine as V2, record.key);
    };
    const newValue = join(record.value.newValue);
    const oldValue = join(record.value.oldValue);
    await this.context.forward(record.withValue<Change<VR>>({ newValue, oldValue }));
  }
}
