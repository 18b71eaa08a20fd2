import type { Change } from '../../../processor/change.js';
import { ContextualProcessor } from '../../../processor/contextual-processor.js';
import type { ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { KeyValueStore } from '../../../state/types.js';
import type { ValueAndTimestamp } from '../store-factories.js';

/**
 * Folds a grouped stream into a timestamped key-value store (Kafka
 * Streams' KStreamAggregate and KStreamReduce): reads the key's aggregate,
 * applies `step`, writes it, and forwards the change stamped with the
 * largest timestamp that went into the aggregate. Records with a null key
 * or value are skipped and counted, as in Kafka Streams.
 */
export function streamAggregateSupplier<K, V, VA>(
  storeName: string,
  step: (key: K, value: V, current: VA | undefined) => VA,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => new StreamAggregate(storeName, step);
}

class StreamAggregate<K, V, VA> extends ContextualProcessor<K, V, K, Change<VA>> {
  private store!: KeyValueStore<K, ValueAndTimestamp<VA>>;

  constructor(
    private readonly storeName: string,
    private readonly step: (key: K, value: V, current: VA | undefined) => VA,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, Change<VA>>): void {
    super.init(context);
    this.store = context.getStateStore(this.storeName);
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-or-value-in-aggregation');
      return;
    }
    const old = await this.store.get(record.key);
    const next = this.step(record.key, record.value, old?.value);
    const timestamp = old ? Math.max(old.timestamp, record.timestamp) : record.timestamp;
    await this.store.put(record.key, { value: next, timestamp });
    await this.context.forward(record.withValue<Change<VA>>({ newValue: next, oldValue: old?.value ?? null }).withTimestamp(timestamp));
  }
}

/**
 * Folds a re-keyed table into a timestamped key-value store (Kafka
 * Streams' KTableAggregate and KTableReduce): the old value is subtracted,
 * the new one added. The functions see `undefined` for a key with no
 * aggregate yet (they apply the initializer, or for reduce take the value
 * as it is). Results carry the largest timestamp seen for the key.
 */
export function tableAggregateSupplier<K, V, VA>(
  storeName: string,
  adder: (key: K, value: V, aggregate: VA | undefined) => VA,
  subtractor: (key: K, value: V, aggregate: VA | undefined) => VA | undefined,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return () => new TableAggregate(storeName, adder, subtractor);
}

class TableAggregate<K, V, VA> extends ContextualProcessor<K, Change<V>, K, Change<VA>> {
  private store!: KeyValueStore<K, ValueAndTimestamp<VA>>;

  constructor(
    private readonly storeName: string,
    private readonly adder: (key: K, value: V, aggregate: VA | undefined) => VA,
    private readonly subtractor: (key: K, value: V, aggregate: VA | undefined) => VA | undefined,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, Change<VA>>): void {
    super.init(context);
    this.store = context.getStateStore(this.storeName);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-in-table-aggregation');
      return;
    }
    const old = await this.store.get(record.key);
    let agg: VA | undefined = old?.value;
    const { newValue, oldValue } = record.value;
    if (oldValue !== null && oldValue !== undefined) agg = this.subtractor(record.key, oldValue, agg);
    if (newValue !== null && newValue !== undefined) agg = this.adder(record.key, newValue, agg);
    const timestamp = old ? Math.max(old.timestamp, record.timestamp) : record.timestamp;
    await this.store.put(record.key, agg === undefined ? null : { value: agg, timestamp });
    await this.context.forward(record.withValue<Change<VA>>({ newValue: agg ?? null, oldValue: old?.value ?? null }).withTimestamp(timestamp));
  }
}
