/**
 * The changelog layer: passes every write to the inner store, then reports
 * it to `context.onChange` in bytes. It does nothing extra when the runtime
 * gave no listener (for example under a test driver without changelogs).
 * Restoration bypasses it: replaying the changelog must not write to it.
 */
import type { MaybePromise, StoreChangeListener, StoreContext } from '../types.js';
import { type BytesEntry, type BytesRange, type BytesStore, type BytesWrite, andThen, isPromiseLike } from './bytes-store.js';

export class LoggingBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  private listener: StoreChangeListener | undefined;
  private currentTimestamp: (() => number) | undefined;

  constructor(private readonly inner: BytesStore) {
    this.name = inner.name;
    this.persistent = inner.persistent;
  }

  async init(context: StoreContext): Promise<void> {
    await this.inner.init(context);
    this.listener = context.onChange;
    this.currentTimestamp = context.currentTimestamp;
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    return this.inner.get(key);
  }

  // Per record on an uncached store: no closure unless the inner write must be waited for.
  put(key: Buffer, value: Buffer | null, timestamp?: number): MaybePromise<void> {
    const written = this.inner.put(key, value, timestamp);
    if (isPromiseLike(written)) return Promise.resolve(written).then(() => this.log(key, value, timestamp));
    this.log(key, value, timestamp);
    return undefined;
  }

  write(batch: ReadonlyArray<BytesWrite>): MaybePromise<void> {
    return andThen(this.inner.write(batch), () => {
      for (const { key, value, timestamp } of batch) this.log(key, value, timestamp);
    });
  }

  range(range: BytesRange): AsyncIterableIterator<BytesEntry> {
    return this.inner.range(range);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    return this.inner.restore(batch);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  async close(): Promise<void> {
    this.listener = undefined;
    await this.inner.close();
  }

  private log(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    if (this.listener === undefined) return;
    this.listener({
      store: this.name,
      // Shared, not copied: no layer modifies a buffer once written.
      key,
      value,
      timestamp: timestamp ?? this.currentTimestamp?.() ?? 0,
    });
  }
}
