import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import { EMPTY_HEADERS, Record } from '../../../processor/record.js';
import type { KeyValueStore, Windowed } from '../../../state/types.js';
import { keyIdentity } from './key-identity.js';
import { MinHeap } from './min-heap.js';
import type { SuppressedUpdate } from './suppression-buffer-serde.js';

export interface SuppressOptions {
  /** How long after a window's end its result is final (see windowed-tables.ts). */
  readonly graceMs: number;
  /**
   * A key-value store that mirrors the buffer, so pending windows survive
   * a restart (it is restored from its changelog like any store). Without
   * one the buffer lives only in memory.
   */
  readonly storeName?: string | undefined;
}

interface Buffered<K, V> {
  /** The latest update of the window, as it will be emitted. */
  record: Record<Windowed<K>, Change<V>>;
  /** What the window held before the first buffered update. */
  readonly priorValue: V | null;
}

/**
 * `suppress(untilWindowCloses(unbounded()))` (Kafka Streams'
 * KTableSuppressProcessor with final-results semantics). Every update of a
 * window replaces the buffered one; once stream time reaches
 * `window end + grace` the window's last update is forwarded exactly once,
 * with its own timestamp and headers, and with `oldValue` set to what the
 * window held before the buffered updates. Tombstones (sessions merged
 * away) are dropped at eviction, as Kafka Streams does for final results.
 * Windows are emitted in window-end order.
 *
 * The buffer is an in-memory index (a map plus a heap ordered by window
 * end) over a key-value store that holds the same entries: every change is
 * written through, and `init` rebuilds the index from the store, so after a
 * restart (the store restored from its changelog, or reopened from disk)
 * the pending windows still get their final result. Headers are not
 * stored: a window restored after a restart is emitted without headers.
 */
export class SuppressProcessor<K, V> implements Processor<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
  private context!: ProcessorContext<Windowed<K>, Change<V>>;
  private store: KeyValueStore<Windowed<K>, SuppressedUpdate<V>> | undefined;
  private readonly buffer = new Map<string, Buffered<K, V>>();
  private readonly byWindowEnd = new MinHeap<string>();
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SuppressOptions) {}

  static supplier<K, V>(options: SuppressOptions): ProcessorSupplier<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
    return () => new SuppressProcessor<K, V>(options);
  }

  async init(context: ProcessorContext<Windowed<K>, Change<V>>): Promise<void> {
    this.context = context;
    if (this.options.storeName === undefined) return;
    this.store = context.getStateStore<KeyValueStore<Windowed<K>, SuppressedUpdate<V>>>(this.options.storeName);
    for await (const { key, value } of this.store.all()) {
      const record = new Record<Windowed<K>, Change<V>>(
        key,
        { newValue: value.newValue, oldValue: value.priorValue },
        value.timestamp,
        EMPTY_HEADERS,
      );
      this.remember(record, value.priorValue);
    }
  }

  /** How many windows are waiting to close (for tests and metrics). */
  get bufferedWindows(): number {
    return this.buffer.size;
  }

  async process(record: Record<Windowed<K>, Change<V>>): Promise<void> {
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp, this.context.currentStreamTimeMs());
    const pending = this.buffer.get(idOf(record.key));
    const priorValue = pending === undefined ? record.value.oldValue : pending.priorValue;
    if (pending === undefined) this.remember(record, priorValue);
    else pending.record = record;
    await this.store?.put(record.key, { newValue: record.value.newValue, priorValue, timestamp: record.timestamp });
    await this.evictClosedWindows();
  }

  private remember(record: Record<Windowed<K>, Change<V>>, priorValue: V | null): void {
    const id = idOf(record.key);
    this.buffer.set(id, { record, priorValue });
    this.byWindowEnd.push(record.key.window.end, id);
  }

  private async evictClosedWindows(): Promise<void> {
    const expiry = this.observedStreamTime - this.options.graceMs;
    for (let end = this.byWindowEnd.peekTime(); end !== undefined && end <= expiry; end = this.byWindowEnd.peekTime()) {
      const id = this.byWindowEnd.pop()!;
      const pending = this.buffer.get(id);
      if (pending === undefined) continue;
      this.buffer.delete(id);
      await this.store?.delete(pending.record.key);
      if (pending.record.value.newValue === null) continue;
      await this.context.forward(
        pending.record.withValue<Change<V>>({ newValue: pending.record.value.newValue, oldValue: pending.priorValue }),
      );
    }
  }
}

function idOf(key: Windowed<unknown>): string {
  return `${key.window.start}:${key.window.end}:${keyIdentity(key.key)}`;
}
