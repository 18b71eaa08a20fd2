/**
 * Prefetch for the consumer facade. kafkajs' fetcher waits until every
 * batch of a fetch has been handled before it sends the next fetch, so a
 * processing loop waits a round trip (and the response's decoding) per
 * fetch. With a PrefetchBuffer between them, kafkajs' batch handler only
 * queues the batch and returns: the next fetch goes out while the queued
 * batches are processed, one at a time and in order.
 *
 * Bounded: a push waits while `limitRecords` or more records are queued,
 * which holds kafkajs' fetcher (it then fetches nothing more). A queued
 * batch of a partition that is paused, sought, or of a group generation
 * that has ended is dropped (`drop`); its records are fetched again from
 * the position the caller sets. Pure logic: the facade wires it to
 * kafkajs, and tests drive it with plain batches.
 */
export interface PrefetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: { length: number };
}

export interface PrefetchBufferOptions<B extends PrefetchedBatch> {
  /** A push waits while this many records (or more) are queued. At least 1. */
  readonly limitRecords: number;
  /**
   * Processes one batch; batches are delivered one at a time, in push order.
   * A throw drops the queue, and the next push (or the one waiting) rethrows
   * it to kafkajs, as if its own handler had thrown (a rebalance, say).
   */
  deliver(batch: B): Promise<void>;
}

export class PrefetchBuffer<B extends PrefetchedBatch> {
  private readonly o: PrefetchBufferOptions<B>;
  /** Delivered entries are cleared so their records can be collected; `head` is the next to deliver. */
  private queue: Array<B | undefined> = [];
  private head = 0;
  private queuedRecords = 0;
  private draining: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** Wakes pushes waiting for room (or for a failure to report). */
  private waiters: Array<() => void> = [];

  constructor(o: PrefetchBufferOptions<B>) {
    if (!(o.limitRecords >= 1)) throw new RangeError(`limitRecords must be at least 1, got ${o.limitRecords}`);
    this.o = o;
  }

  /** Records queued and not yet delivered (the batch being delivered excluded). */
  get size(): number {
    return this.queuedRecords;
  }

  /** Queues a batch; resolves once there is room for more, rejects with a delivery's failure. */
  async push(batch: B): Promise<void> {
    this.rethrow();
    this.queue.push(batch);
    this.queuedRecords += batch.records.length;
    this.draining ??= this.drain();
    while (this.queuedRecords >= this.o.limitRecords && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.rethrow();
  }

  /**
   * Drops queued batches: all of them, or those of the given partitions,
   * and returns them. The batch being delivered goes on (the facade tells
   * its processing whether to stop).
   */
  drop(partitions?: ReadonlyArray<{ topic: string; partition: number }>): B[] {
    const covers = (b: B): boolean => partitions === undefined || partitions.some((p) => p.topic === b.topic && p.partition === b.partition);
    const kept: B[] = [];
    const dropped: B[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const b = this.queue[i]!;
      (covers(b) ? dropped : kept).push(b);
    }
    this.queue = kept;
    this.head = 0;
    this.queuedRecords = kept.reduce((n, b) => n + b.records.length, 0);
    this.wake();
    return dropped;
  }

  /** Resolves when nothing is queued or being delivered. */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length) {
        const batch = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        this.queuedRecords -= batch.records.length;
        this.wake();
        try {
          await this.o.deliver(batch);
        } catch (error) {
          this.failure = { error };
          this.drop();
        }
      }
      this.queue = [];
      this.head = 0;
    } finally {
      this.draining = undefined;
    }
  }

  private wake(): void {
    if (this.queuedRecords >= this.o.limitRecords && this.failure === undefined) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private rethrow(): void {
    const f = this.failure;
    if (f === undefined) return;
    this.failure = undefined;
    throw f.error;
  }
}
