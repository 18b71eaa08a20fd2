/**
 * The outermost key-value layer: applies the serdes and turns a byte store
 * stack into the typed KeyValueStore processors use. It sits where Kafka
 * Streams' metered layer does (Vigil's StreamsMetrics has no per-store
 * hooks yet, so it measures nothing).
 */
import type { Serde } from '../../serde/serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore, MaybePromise, StoreContext } from '../types.js';
import type { BytesRange, BytesStore } from './bytes-store.js';
import { prefixUpperBound } from './bytes.js';
import { storeClosedError } from './store-errors.js';
import { StoreSerdes, changelogTopic } from './typed-serdes.js';

export class TypedKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  private readonly serdes: StoreSerdes<K, V>;
  private open = false;

  constructor(
    /** The byte stack below; exposed so tests and the runtime can reach the layers. */
    readonly inner: BytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.serdes = new StoreSerdes(inner.name, keySerde, valueSerde);
  }

  async init(context: StoreContext): Promise<void> {
    this.serdes.topic = changelogTopic(context, this.name);
    await this.inner.init(context);
    this.open = true;
  }

  isOpen(): boolean {
    return this.open;
  }

  /**
   * Synchronous when the layer below answers synchronously (a cache hit).
   * Errors (closed store, serde failures) always come back as a rejected
   * promise, as they did when this method was async.
   */
  get(key: K): MaybePromise<V | undefined> {
    try {
      this.checkOpen();
      return this.serdes.valueOf(this.inner.get(this.serdes.keyBytes(key)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Synchronous when the layer below buffers the write (the cache, under budget). */
  put(key: K, value: V | null): MaybePromise<void> {
    try {
      this.checkOpen();
      return this.inner.put(this.serdes.keyBytes(key), this.serdes.valueBytes(value));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async putIfAbsent(key: K, value: V): Promise<V | undefined> {
    const existing = await this.get(key);
    if (existing === undefined) await this.put(key, value);
    return existing;
  }

  async putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): Promise<void> {
    this.checkOpen();
    await this.inner.write(entries.map(({ key, value }) => ({ key: this.serdes.keyBytes(key), value: this.serdes.valueBytes(value) })));
  }

  async delete(key: K): Promise<V | undefined> {
    const existing = await this.get(key);
    await this.put(key, null);
    return existing;
  }

  range(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.scan(this.bounds(from, to, false));
  }

  reverseRange(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.scan(this.bounds(from, to, true));
  }

  prefixScan<P>(prefix: P, prefixSerializer: (p: P) => Buffer): KeyValueIterator<K, V> {
    this.checkOpen();
    const gte = prefixSerializer(prefix);
    const lt = prefixUpperBound(gte);
    return this.scan(lt === undefined ? { gte } : { gte, lt });
  }

  all(): KeyValueIterator<K, V> {
    return this.scan({});
  }

  approximateNumEntries(): Promise<number> {
    this.checkOpen();
    return this.inner.approximateNumEntries();
  }

  flush(): Promise<void> {
    this.checkOpen();
    return this.inner.flush();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.inner.close();
  }

  restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    return this.inner.restore(batch);
  }

  private bounds(from: K | undefined, to: K | undefined, reverse: boolean): BytesRange {
    this.checkOpen();
    return {
      ...(from === undefined ? {} : { gte: this.serdes.keyBytes(from) }),
      ...(to === undefined ? {} : { lte: this.serdes.keyBytes(to) }),
      ...(reverse ? { reverse: true } : {}),
    };
  }

  private async *scan(range: BytesRange): AsyncGenerator<KeyValue<K, V>> {
    for await (const { key, value } of this.inner.range(range)) {
      yield { key: this.serdes.key(key), value: this.serdes.value(value) as V };
    }
  }

  private checkOpen(): void {
    if (!this.open) throw storeClosedError(this.name);
  }
}
