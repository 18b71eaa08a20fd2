import type { Change } from '../../../processor/change.js';
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';
import type { Windowed } from '../../../state/types.js';
import { keyIdentity } from './key-identity.js';
import { MinHeap } from './min-heap.js';

export interface SuppressOptions {
  /** The grace period of the windows upstream; a window closes at `end + grace`. */
  readonly graceMs: number;
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
 * The buffer is in memory and is not restored after a restart, so windows
 * pending at a crash lose their final result. Deliberate difference from
 * Kafka Streams (which logs the buffer to a changelog); the runtime issue
 * should back this buffer with a logged KeyValueStore.
 */
export class SuppressProcessor<K, V> implements Processor<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
  private context!: ProcessorContext<Windowed<K>, Change<V>>;
  private readonly buffer = new Map<string, Buffered<K, V>>();
  private readonly byWindowEnd = new MinHeap<string>();
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SuppressOptions) {}

  static supplier<K, V>(options: SuppressOptions): ProcessorSupplier<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
    return () => new SuppressProcessor<K, V>(options);
  }

  init(context: ProcessorContext<Windowed<K>, Change<V>>): void {
    this.context = context;
  }

  /** How many windows are waiting to close (for tests and metrics). */
  get bufferedWindows(): number {
    return this.buffer.size;
  }

  async process(record: Record<Windowed<K>, Change<V>>): Promise<void> {
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp, this.context.currentStreamTimeMs());
    const { key } = record;
    const id = `${key.window.start}:${key.window.end}:${keyIdentity(key.key)}`;
    const pending = this.buffer.get(id);
    if (pending === undefined) {
      this.buffer.set(id, { record, priorValue: record.value.oldValue });
      this.byWindowEnd.push(key.window.end, id);
    } else {
      pending.record = record;
    }
    await this.evictClosedWindows();
  }

  private async evictClosedWindows(): Promise<void> {
    const expiry = this.observedStreamTime - this.options.graceMs;
    for (let end = this.byWindowEnd.peekTime(); end !== undefined && end <= expiry; end = this.byWindowEnd.peekTime()) {
      const id = this.byWindowEnd.pop()!;
      const pending = this.buffer.get(id);
      this.buffer.delete(id);
      if (pending === undefined || pending.record.value.newValue === null) continue;
      await this.context.forward(
        pending.record.withValue<Change<V>>({ newValue: pending.record.value.newValue, oldValue: pending.priorValue }),
      );
    }
  }
}
