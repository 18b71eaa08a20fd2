/**
 * The write-back cache layer. Reads are answered from memory when the key
 * is cached (including "known absent"); writes stay in memory, marked
 * dirty, until flush() (the engine calls it at commit) or until the cache
 * outgrows its budget, when the least recently used entries are evicted and
 * the dirty ones among them written down in one batch.
 *
 * Because dirty entries reach the layer below only on flush or eviction, a
 * logging layer under the cache sends one changelog record per key per
 * commit instead of one per update, as in Kafka Streams.
 */
import type { StoreContext } from '../types.js';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from './bytes-store.js';
import { keyId } from './bytes.js';
import { mergeCacheWithInner } from './merge-iterator.js';
import { SortedBytesMap } from './sorted-bytes-map.js';
import { storeClosedError } from './store-errors.js';

/** Rough per-entry bookkeeping cost (node, map slots), counted against the budget. */
const ENTRY_OVERHEAD = 80;

interface CacheEntry {
  readonly value: Buffer | null;
  readonly dirty: boolean;
  readonly timestamp: number;
  readonly size: number;
}

export interface CachingOptions {
  /** Budget for cached keys and values, in bytes. */
  readonly maxBytes: number;
}

export class CachingBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  readonly maxBytes: number;
  private readonly cache = new SortedBytesMap<CacheEntry>();
  /** Cached keys by id, least recently used first (Map keeps insertion order). */
  private readonly lru = new Map<string, Buffer>();
  private bytes = 0;
  private context: StoreContext | undefined;

  constructor(
    private readonly inner: BytesStore,
    options: CachingOptions,
  ) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.maxBytes = options.maxBytes;
  }

  async init(context: StoreContext): Promise<void> {
    await this.inner.init(context);
    this.context = context;
  }

  isOpen(): boolean {
    return this.context !== undefined && this.inner.isOpen();
  }

  /** Bytes currently held, for tests and metrics. */
  get cachedBytes(): number {
    return this.bytes;
  }

  /** Number of dirty entries waiting for a flush. */
  get dirtyCount(): number {
    let count = 0;
    for (const [, entry] of this.cache.entries()) if (entry.dirty) count++;
    return count;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    this.checkOpen();
    const id = keyId(key);
    const cached = this.cache.get(key, id);
    if (cached !== undefined) {
      this.touch(id, key);
      return cached.value ?? undefined;
    }
    const value = await this.inner.get(key);
    // Remember misses too: a hot key that does not exist yet costs one read.
    if (!this.cache.has(key, id)) {
      this.set(key, id, { value: value ?? null, dirty: false, timestamp: 0, size: entrySize(key, value ?? null) });
      await this.evictIfFull();
    }
    return value;
  }

  async put(key: Buffer, value: Buffer | null, timestamp?: number): Promise<void> {
    this.checkOpen();
    this.putDirty(key, value, timestamp);
    await this.evictIfFull();
  }

  async write(batch: ReadonlyArray<BytesWrite>): Promise<void> {
    this.checkOpen();
    for (const { key, value, timestamp } of batch) this.putDirty(key, value, timestamp);
    await this.evictIfFull();
  }

  range(range: BytesRange): AsyncGenerator<BytesEntry> {
    this.checkOpen();
    return mergeCacheWithInner(cachedValues(this.cache, range), this.inner.range(range), range.reverse === true);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  /** Writes every dirty entry down in one batch, in key order, then flushes the inner store. */
  async flush(): Promise<void> {
    this.checkOpen();
    const flushed: Array<[Buffer, CacheEntry]> = [];
    const writes: BytesWrite[] = [];
    for (const [key, entry] of this.cache.entries()) {
      if (!entry.dirty) continue;
      flushed.push([key, entry]);
      writes.push({ key, value: entry.value, timestamp: entry.timestamp });
    }
    if (writes.length > 0) await this.inner.write(writes);
    for (const [key, entry] of flushed) {
      const id = keyId(key);
      // Only mark clean what was not overwritten while the batch was written.
      if (this.cache.get(key, id) === entry) this.cache.set(key, { ...entry, dirty: false }, id);
    }
    await this.inner.flush();
  }

  /** Restored data goes straight to the inner store; cached copies of those keys are dropped. */
  async restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    for (const { key } of batch) this.remove(key, keyId(key));
    await this.inner.restore(batch);
  }

  /** Flushes, then closes the inner store: closing never loses acknowledged writes. */
  async close(): Promise<void> {
    if (this.isOpen()) await this.flush();
    this.context = undefined;
    this.cache.clear();
    this.lru.clear();
    this.bytes = 0;
    await this.inner.close();
  }

  readCheckpoint(): Promise<string | undefined> {
    return this.inner.readCheckpoint();
  }

  writeCheckpoint(offset: string): Promise<void> {
    return this.inner.writeCheckpoint(offset);
  }

  private putDirty(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const time = timestamp ?? this.context?.currentTimestamp?.() ?? 0;
    this.set(key, keyId(key), { value, dirty: true, timestamp: time, size: entrySize(key, value) });
  }

  private set(key: Buffer, id: string, entry: CacheEntry): void {
    const previous = this.cache.get(key, id);
    if (previous !== undefined) this.bytes -= previous.size;
    this.bytes += entry.size;
    this.cache.set(key, entry, id);
    this.touch(id, key);
  }

  private touch(id: string, key: Buffer): void {
    this.lru.delete(id);
    this.lru.set(id, key);
  }

  private remove(key: Buffer, id: string): void {
    const entry = this.cache.get(key, id);
    if (entry === undefined) return;
    this.bytes -= entry.size;
    this.cache.delete(key, id);
    this.lru.delete(id);
  }

  /**
   * Evicts least recently used entries until the cache is back to 90% of
   * its budget (the slack stops every put from evicting one entry at a
   * time), writing the dirty ones down first.
   */
  private async evictIfFull(): Promise<void> {
    if (this.bytes <= this.maxBytes) return;
    const target = this.maxBytes * 0.9;
    const victims: Array<[string, Buffer, CacheEntry]> = [];
    const writes: BytesWrite[] = [];
    let remaining = this.bytes;
    for (const [id, key] of this.lru) {
      if (remaining <= target) break;
      const entry = this.cache.get(key, id) as CacheEntry;
      victims.push([id, key, entry]);
      remaining -= entry.size;
      if (entry.dirty) writes.push({ key, value: entry.value, timestamp: entry.timestamp });
    }
    // Write before dropping, so a read never finds neither copy.
    if (writes.length > 0) {
      writes.sort((a, b) => Buffer.compare(a.key, b.key));
      await this.inner.write(writes);
    }
    for (const [id, key, entry] of victims) {
      if (this.cache.get(key, id) === entry) this.remove(key, id);
    }
  }

  private checkOpen(): void {
    if (this.context === undefined) throw storeClosedError(this.name);
  }
}

function entrySize(key: Buffer, value: Buffer | null): number {
  return key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
}

function* cachedValues(cache: SortedBytesMap<CacheEntry>, range: BytesRange): Generator<[Buffer, Buffer | null]> {
  for (const [key, entry] of cache.entries(range)) yield [key, entry.value];
}
