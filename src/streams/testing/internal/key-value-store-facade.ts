import type { KeyValue, KeyValueIterator, KeyValueStore, MaybePromise, StoreContext } from '../../state/types.js';
import type { ValueAndTimestamp } from '../../dsl/internal/store-factories.js';

/** Kafka Streams' NO_TIMESTAMP: what a value written through the facade is stamped with. */
const NO_TIMESTAMP = -1;

/**
 * Shows a timestamped DSL store (values kept as `ValueAndTimestamp`) as a
 * plain key-value store, as Kafka Streams' test driver does with its
 * KeyValueStoreFacade. Writes through it carry no timestamp (-1).
 */
export class KeyValueStoreFacade<K, V> implements KeyValueStore<K, V> {
  constructor(private readonly inner: KeyValueStore<K, ValueAndTimestamp<V>>) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StoreContext): Promise<void> {
    return this.inner.init(context);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    return this.inner.restore(batch);
  }

  async get(key: K): Promise<V | undefined> {
    return (await this.inner.get(key))?.value;
  }

  put(key: K, value: V | null): MaybePromise<void> {
    return this.inner.put(key, stamp(value));
  }

  async putIfAbsent(key: K, value: V): Promise<V | undefined> {
    return (await this.inner.putIfAbsent(key, { value, timestamp: NO_TIMESTAMP }))?.value;
  }

  putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): Promise<void> {
    return this.inner.putAll(entries.map((e) => ({ key: e.key, value: stamp(e.value) })));
  }

  async delete(key: K): Promise<V | undefined> {
    return (await this.inner.delete(key))?.value;
  }

  range(from?: K, to?: K): KeyValueIterator<K, V> {
    return unwrap(this.inner.range(from, to));
  }

  reverseRange(from?: K, to?: K): KeyValueIterator<K, V> {
    if (!this.inner.reverseRange) throw new Error(`store "${this.name}" does not support reverseRange`);
    return unwrap(this.inner.reverseRange(from, to));
  }

  prefixScan<P>(prefix: P, prefixSerializer: (p: P) => Buffer): KeyValueIterator<K, V> {
    return unwrap(this.inner.prefixScan(prefix, prefixSerializer));
  }

  all(): KeyValueIterator<K, V> {
    return unwrap(this.inner.all());
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }
}

function stamp<V>(value: V | null): ValueAndTimestamp<V> | null {
  return value === null ? null : { value, timestamp: NO_TIMESTAMP };
}

async function* unwrap<K, V>(it: KeyValueIterator<K, ValueAndTimestamp<V>>): KeyValueIterator<K, V> {
  for await (const { key, value } of it) yield { key, value: value.value };
}
