/**
 * The outermost window layer: serdes plus the window semantics (composite
 * keys, retention, duplicates) over a byte store stack whose innermost
 * layer is a TimeIndexedBytesStore.
 *
 * Retention is enforced here as well as in the time index: the cache above
 * the index may still hold windows that expired since they were written,
 * and a read must not return them.
 */
import type { Serde } from '../../serde/serde.js';
import type { KeyValue, KeyValueIterator, MaybePromise, StoreContext, WindowStore, Windowed } from '../types.js';
import type { BytesRange, BytesStore } from './bytes-store.js';
import { MAX_TIMESTAMP, clampTimestamp } from './bytes.js';
import { storeClosedError } from './store-errors.js';
import { StoreSerdes, changelogTopic } from './typed-serdes.js';
import { WindowKeySchema } from './window-key-schema.js';

export interface WindowStoreOptions {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every value put for the same key and window (stream–stream joins need it). */
  readonly retainDuplicates: boolean;
}

export class TypedWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  private readonly schema: WindowKeySchema;
  private readonly serdes: StoreSerdes<K, V>;
  private observedStreamTime = -1;
  private sequence = 0;
  private open = false;

  constructor(
    readonly inner: BytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: WindowStoreOptions,
  ) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.retentionMs = options.retentionMs;
    this.windowSizeMs = options.windowSizeMs;
    this.schema = new WindowKeySchema(options.retainDuplicates);
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
   * Synchronous when the layers below are: a cached store buffering the
   * write, or an in-memory store. Errors always come back as a rejected
   * promise, as they did when this method was async.
   */
  put(key: K, value: V | null, windowStart: number): MaybePromise<void> {
    try {
      this.checkOpen();
      const keyBytes = this.serdes.keyBytes(key);
      if (value !== null && windowStart > this.observedStreamTime) this.observedStreamTime = windowStart;
      // A write into an expired window is dropped, as Kafka Streams does.
      if (this.expired(windowStart)) return undefined;
      if (this.schema.retainDuplicates) {
        // With duplicates every put is a new entry, so there is nothing to delete.
        if (value === null) return undefined;
        this.sequence = (this.sequence + 1) >>> 0;
        return this.inner.put(this.schema.toComposite(keyBytes, windowStart, this.sequence), this.serdes.valueBytes(value));
      }
      return this.inner.put(this.schema.toComposite(keyBytes, windowStart), this.serdes.valueBytes(value));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Synchronous on a cache hit, an in-memory store or a LevelDB point read (not with duplicates, which scan). */
  fetch(key: K, windowStart: number): MaybePromise<V | undefined> {
    try {
      this.checkOpen();
      if (this.expired(windowStart)) return undefined;
      if (this.schema.retainDuplicates) return this.firstInRange(key, windowStart);
      return this.serdes.valueOf(this.inner.get(this.schema.toComposite(this.serdes.keyBytes(key), windowStart)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private async firstInRange(key: K, windowStart: number): Promise<V | undefined> {
    for await (const { value } of this.fetchRange(key, windowStart, windowStart)) return value;
    return undefined;
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V> {
    this.checkOpen();
    return this.scanKey(this.serdes.keyBytes(key), timeFrom, timeTo);
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.checkOpen();
    return this.scanAll(timeFrom, timeTo);
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    this.checkOpen();
    return this.scanAll(0, MAX_TIMESTAMP);
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

  private expired(windowStart: number): boolean {
    return windowStart <= this.observedStreamTime - this.retentionMs;
  }

  private async *scanKey(keyBytes: Buffer, timeFrom: number, timeTo: number): AsyncGenerator<KeyValue<number, V>> {
    const from = clampTimestamp(Math.max(timeFrom, this.observedStreamTime - this.retentionMs + 1));
    const to = clampTimestamp(timeTo);
    if (from > to) return;
    const range: BytesRange = { gte: this.schema.lowerBound(keyBytes, from), lte: this.schema.upperBound(keyBytes, to) };
    for await (const { key, value } of this.inner.range(range)) {
      if (!this.schema.belongsTo(key, keyBytes)) continue;
      yield { key: this.schema.startOf(key), value: this.serdes.value(value) as V };
    }
  }

  /**
   * Every key's windows in composite-key order (by key, then start). This
   * scans the whole store and filters by time: fetchAll serves interactive
   * queries, not the per-record path.
   */
  private async *scanAll(timeFrom: number, timeTo: number): AsyncGenerator<KeyValue<Windowed<K>, V>> {
    const from = Math.max(timeFrom, this.observedStreamTime - this.retentionMs + 1);
    for await (const { key, value } of this.inner.range({})) {
      const start = this.schema.startOf(key);
      if (start < from || start > timeTo) continue;
      yield {
        key: { key: this.serdes.key(this.schema.keyOf(key)), window: { start, end: start + this.windowSizeMs } },
        value: this.serdes.value(value) as V,
      };
    }
  }

  private checkOpen(): void {
    if (!this.open) throw storeClosedError(this.name);
  }
}
