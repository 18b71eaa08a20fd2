/**
 * The in-memory inner store. Not persistent: it starts empty at every
 * init() and the runtime restores it from its changelog, like Kafka
 * Streams' in-memory stores.
 */
import type { StoreContext } from '../types.js';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from './bytes-store.js';
import { SortedBytesMap } from './sorted-bytes-map.js';
import { storeAlreadyOpenError, storeClosedError } from './store-errors.js';

export class MemoryBytesStore implements BytesStore {
  readonly persistent = false;
  private readonly map = new SortedBytesMap<Buffer>();
  private open = false;

  constructor(readonly name: string) {}

  async init(_context: StoreContext): Promise<void> {
    if (this.open) throw storeAlreadyOpenError(this.name);
    this.map.clear();
    this.open = true;
  }

  isOpen(): boolean {
    return this.open;
  }

  // Reads and writes are synchronous (the typed layers turn a throw into a rejection).
  get(key: Buffer): Buffer | undefined {
    this.checkOpen();
    return this.map.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.checkOpen();
    this.apply(key, value);
  }

  write(batch: ReadonlyArray<BytesWrite>): void {
    this.checkOpen();
    for (const { key, value } of batch) this.apply(key, value);
  }

  async *range(range: BytesRange): AsyncGenerator<BytesEntry> {
    this.checkOpen();
    for (const [key, value] of this.map.entries(range)) {
      yield { key, value };
    }
  }

  async approximateNumEntries(): Promise<number> {
    this.checkOpen();
    return this.map.size;
  }

  /**
   * Restored records are copied: they may be views into a large fetch
   * buffer that the store should not keep alive.
   */
  async restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    this.checkOpen();
    for (const { key, value } of batch) this.apply(Buffer.from(key), value === null ? null : Buffer.from(value));
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.open = false;
    this.map.clear();
  }


  private apply(key: Buffer, value: Buffer | null): void {
    // Buffers are kept, not copied: the layers above always pass fresh ones
    // (see BytesStore), and a copy per write showed up in GC time.
    if (value === null) this.map.delete(key);
    else this.map.set(key, value);
  }

  private checkOpen(): void {
    if (!this.open) throw storeClosedError(this.name);
  }
}
