import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { connectAdmin, connectConsumer, type KafkaConnectionOptions, type KafkaProducer } from '../streams/kafka/index.js';
import { MemoryDeliveryState, type StateEntry } from './delivery-state.js';
import { WebhookError } from './errors.js';

const LOAD_TIMEOUT_MS = 60_000;

/**
 * Delivery state in a compacted Kafka topic (key → latest entry, tombstone
 * when done), mirrored in memory.
 *
 * Why Kafka and not a LevelDB store: the dispatcher then keeps nothing on
 * local disk, so it restarts on any host after a crash; the state has the
 * same durability (acks=all, replication) as the alerts it is about; and
 * only failed deliveries write, so the topic stays tiny and compaction
 * keeps it so. The price is reading the topic at start (milliseconds for
 * thousands of entries).
 */
export class KafkaDeliveryState extends MemoryDeliveryState {
  /** Writes waiting for the next send: one produce request carries all of them. */
  #queued: Array<{ key: string; entry: StateEntry | null; done: (err?: unknown) => void }> = [];
  #flushing = false;

  private constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: string,
  ) {
    super();
  }

  /** Reads the topic to its end, then serves reads from memory and writes through `producer`. */
  static async load(connection: KafkaConnectionOptions, topic: string, producer: KafkaProducer, log: Logger): Promise<KafkaDeliveryState> {
    const state = new KafkaDeliveryState(producer, topic);
    const admin = await connectAdmin(connection);
    let ends: Array<{ partition: number; offset: string }>;
    try {
      ends = (await admin.endOffsets(topic)).filter((e) => BigInt(e.offset) > 0n);
    } finally {
      await admin.close();
    }
    if (ends.length === 0) return state;
    const remaining = new Map(ends.map((e) => [e.partition, BigInt(e.offset)]));
    // A throwaway group that never commits: the state is always read whole.
    const consumer = await connectConsumer(connection, { groupId: `vigil-webhook-state-loader-${randomUUID()}`, maxWaitTimeMs: 50 });
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new WebhookError('VIGIL_ERR_WEBHOOK_STATE', `could not read ${topic} to its end within ${LOAD_TIMEOUT_MS / 1000} s; check the broker`)),
          LOAD_TIMEOUT_MS,
        );
        const progress = (partition: number, lastOffset: string) => {
          const end = remaining.get(partition);
          if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        void consumer.run({
          autoCommit: false,
          eachBatch: async (batch) => {
            for (const r of batch.records) {
              if (!r.key) continue;
              state.apply(r.key.toString(), r.value ? (JSON.parse(r.value.toString()) as StateEntry) : null);
            }
          },
          onBatchEnd: (p) => progress(p.partition, p.lastOffset),
        });
      });
    } finally {
      await consumer.close();
    }
    log.info({ topic, pending: state.pendingCount() }, 'delivery state loaded');
    return state;
  }

  /**
   * Queues the write and sends everything queued in one request. A dead
   * endpoint fails many deliveries at once (every timeout of a full lane);
   * the idempotent producer sends one request at a time, so one request
   * per failure would queue up behind each other.
   */
  protected override write(key: string, entry: StateEntry | null): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({
        key,
        entry,
        done: (err) => {
          if (err) reject(new WebhookError('VIGIL_ERR_WEBHOOK_STATE', `could not write delivery state to ${this.topic}`, { cause: err }));
          else {
            this.apply(key, entry);
            resolve();
          }
        },
      });
      if (!this.#flushing) {
        this.#flushing = true;
        void this.#flush();
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      this.#queued = [];
      try {
        await this.producer.send(batch.map((w) => ({ topic: this.topic, key: w.key, value: w.entry === null ? null : JSON.stringify(w.entry) })));
        for (const w of batch) w.done();
      } catch (err) {
        for (const w of batch) w.done(err);
      }
    }
    this.#flushing = false;
  }
}
