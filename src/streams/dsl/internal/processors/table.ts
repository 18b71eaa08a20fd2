import type { Change } from '../../../processor/change.js';
import { ContextualProcessor } from '../../../processor/contextual-processor.js';
import type { ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { KeyValueStore } from '../../../state/types.js';
import type { ValueAndTimestamp } from '../store-factories.js';

/**
 * Turns a changelog stream into table changes (Kafka Streams' KTableSource
 * and `KStream.toTable`): the store holds the latest value per key with its
 * record's timestamp, a null
 * value deletes (a tombstone), and each update forwards {new, old}.
 * Null-key records are skipped and counted.
 */
export function tableSourceSupplier<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return () => new TableSource<K, V>(storeName);
}

class TableSource<K, V> extends ContextualProcessor<K, V, K, Change<V>> {
  private store!: KeyValueStore<K, ValueAndTimestamp<V>>;

  constructor(private readonly storeName: string) {
    super();
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    this.store = context.getStateStore(this.storeName);
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-in-table');
      return;
    }
    const old = await this.store.get(record.key);
    const value = record.value ?? null;
    await this.store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
    await this.context.forward(record.withValue<Change<V>>({ newValue: value, oldValue: old?.value ?? null }));
  }
}

/**
 * A stateless table operator applied to both sides of each change (filter,
 * mapValues). `transform` maps a present value to the output value or null
 * (filtered out). Changes whose both sides end up null are not forwarded
 * when `dropEmpty` is set (filter: nothing changed downstream). When
 * `storeName` is set, the result is also written to that store
 * (materialized).
 */
export function tableMapSupplier<K, V, VR>(
  transform: (key: K, value: V) => VR | null,
  dropEmpty: boolean,
  storeName: string | undefined,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => new TableMap(transform, dropEmpty, storeName);
}

class TableMap<K, V, VR> extends ContextualProcessor<K, Change<V>, K, Change<VR>> {
  private store: KeyValueStore<K, ValueAndTimestamp<VR>> | undefined;

  constructor(
    private readonly transform: (key: K, value: V) => VR | null,
    private readonly dropEmpty: boolean,
    private readonly storeName: string | undefined,
  ) {
    super();
  }

  override init(context: ProcessorContext<K, Change<VR>>): void {
    super.init(context);
    if (this.storeName !== undefined) this.store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<VR>>>(this.storeName);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    const apply = (v: V | null): VR | null => (v === null || v === undefined ? null : this.transform(record.key, v));
    const newValue = apply(record.value.newValue);
    const oldValue = apply(record.value.oldValue);
    if (this.dropEmpty && newValue === null && oldValue === null) return;
    if (this.store) await this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    await this.context.forward(record.withValue<Change<VR>>({ newValue, oldValue }));
  }
}

/** Writes a table's changes into a store and forwards nothing; added when a join needs to look the table up. */
export function tableMaterializerSupplier<K, V>(storeName: string): ProcessorSupplier<K, Change<V>, never, never> {
  return () => new TableMaterializer<K, V>(storeName);
}

class TableMaterializer<K, V> extends ContextualProcessor<K, Change<V>, never, never> {
  private store!: KeyValueStore<K, ValueAndTimestamp<V>>;

  constructor(private readonly storeName: string) {
    super();
  }

  override init(context: ProcessorContext<never, never>): void {
    super.init(context);
    this.store = context.getStateStore(this.storeName);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    if (record.key === null || record.key === undefined) return;
    const value = record.value.newValue;
    await this.store.put(record.key, value === null || value === undefined ? null : { value, timestamp: record.timestamp });
  }
}

/** Emits a table's new values as a stream; deletions become null values. */
export function tableToStreamSupplier<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => new TableToStream<K, V>();
}

class TableToStream<K, V> extends ContextualProcessor<K, Change<V>, K, V | null> {
  async process(record: Record<K, Change<V>>): Promise<void> {
    await this.context.forward(record.withValue(record.value.newValue));
  }
}
