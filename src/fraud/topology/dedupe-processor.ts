import { ContextualProcessor, Serdes, Stores } from '../../streams/index.js';
import type { ProcessorContext, Record, WindowStore, WindowStoreBuilder } from '../../streams/index.js';
import type { Transaction } from '../schema/types.js';

/** Transaction ids seen recently, per task: one entry per transaction at its event time. */
export const DEDUPE_STORE = 'fraud-dedupe';

/** How long after a transaction (in the task's stream time) a second copy of it is still recognised. */
export const DEFAULT_DEDUPE_WINDOW_MS = 3_600_000;

/** Where a copy of a transaction was read from. */
export interface SeenAt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** What the topology reports for every dropped copy. */
export interface DuplicateTransaction {
  readonly transactionId: string;
  readonly cardId: string;
  readonly region: string;
  /** The copy being dropped. */
  readonly source: SeenAt | null;
  /** The copy that was processed. */
  readonly firstSeen: SeenAt | null;
  /**
   * True when the two copies share the id and event time but not the payment
   * (card or amount): a producer bug rather than a second delivery. The copy is
   * still dropped, and the caller should make it loud.
   */
  readonly conflicting: boolean;
}

export interface DedupeOptions {
  /** Default {@link DEFAULT_DEDUPE_WINDOW_MS}. */
  readonly windowMs?: number;
  /** Called synchronously for each dropped copy (count it, log it); must not throw. */
  readonly onDuplicate?: (duplicate: DuplicateTransaction) => void;
}

interface SeenEntry {
  readonly card: string;
  readonly amount: number;
  readonly at: SeenAt | null;
}

/**
 * The store behind {@link DedupeProcessor}: a window store keyed by
 * transaction id, 1 ms windows at the event time, retained for `windowMs`.
 * Change-logged like the feature stores, so a moved task still knows what it
 * processed.
 */
export function dedupeStoreBuilder(persistent: boolean, windowMs = DEFAULT_DEDUPE_WINDOW_MS): WindowStoreBuilder<string, SeenEntry> {
  const supplier = persistent ? Stores.persistentWindowStore(DEDUPE_STORE, windowMs, 1, false) : Stores.inMemoryWindowStore(DEDUPE_STORE, windowMs, 1, false);
  return Stores.windowStoreBuilder(supplier, Serdes.String(), Serdes.Json<SeenEntry>());
}

/**
 * Processes each transaction once, whichever path it came by.
 *
 * **Identity.** A transaction is its `transaction_id`, assigned once by the
 * card processor when the payment is authorised; a payment retried into the
 * other region (a regional failover) or delivered twice by MirrorMaker 2
 * (at-least-once, after a restart) keeps it. Copies therefore share the id
 * and the event time, and, keyed by card id on co-partitioned topics, the
 * task. A transaction without an id cannot be matched and always passes.
 *
 * **Window.** The first copy is remembered at its event time in
 * {@link DEDUPE_STORE} for `windowMs` of stream time. A copy that arrives
 * after the task's stream time has moved more than that past the
 * transaction's event time is processed again: size the window above the
 * worst mirror lag between regions.
 */
export class DedupeProcessor extends ContextualProcessor<string, Transaction, string, Transaction> {
  private seen!: WindowStore<string, SeenEntry>;

  constructor(private readonly onDuplicate: (duplicate: DuplicateTransaction) => void = () => {}) {
    super();
  }

  override init(context: ProcessorContext<string, Transaction>): void {
    super.init(context);
    this.seen = context.getStateStore<WindowStore<string, SeenEntry>>(DEDUPE_STORE);
  }

  async process(record: Record<string, Transaction>): Promise<void> {
    const tx = record.value;
    const id = tx.transaction_id;
    const metadata = this.context.recordMetadata();
    const at: SeenAt | null = metadata ? { topic: metadata.topic, partition: metadata.partition, offset: Number(metadata.offset) } : null;
    if (id === '') {
      await this.context.forward(record);
      return;
    }
    const t = tx.event_time_ms;
    const first = await this.seen.fetch(id, t);
    if (first !== undefined) {
      this.onDuplicate({
        transactionId: id,
        cardId: tx.card_id,
        region: tx.region,
        source: at,
        firstSeen: first.at,
        conflicting: first.card !== tx.card_id || first.amount !== tx.amount_minor,
      });
      return;
    }
    await this.seen.put(id, { card: tx.card_id, amount: tx.amount_minor, at }, t);
    await this.context.forward(record);
  }
}
