/**
 * The per-card step of the fraud topology: drops a second copy of a
 * transaction, computes the features of the others from the card's
 * {@link CardRecord}, and records the transaction in it.
 *
 * **One read, no promise on a hit.** The processor keeps the decoded
 * records of the cards it saw recently in its own map, so a card's next
 * transaction costs no store call, no decode and no promise. A card it does
 * not hold is read from the `fraud-card` store once (synchronous when the
 * store's cache has it). Changed records are written to the store when the
 * task commits (ProcessorContext.onCommit), once per card per commit
 * however many of its transactions arrived, so the changelog gets one
 * record per changed card rather than several per transaction. The map is
 * trimmed to `maxCachedCards` at the same moment, when every entry is clean.
 *
 * **Dedupe.** A transaction is its `transaction_id`; copies (a regional
 * failover, a second delivery by MirrorMaker 2) share it and the event
 * time, and, keyed by card id on co-partitioned topics, the card. The card
 * remembers the ids it processed for `windowMs` (default 1 h) of event
 * time past the newest transaction the task recorded; a copy that arrives
 * later than that is processed again: size the window above the worst
 * mirror lag. A transaction without an id cannot be matched and always
 * passes. A copy whose amount differs is still dropped, and reported as
 * `conflicting` (a producer bug rather than a second delivery).
 *
 * Retention: the 24 h history and the dedupe window run on the newest
 * event time this task recorded, as the window stores they replace did, so
 * the features are bit for bit what they were (test/fraud/features/golden-features.test.ts).
 */
import { ContextualProcessor } from '../../streams/index.js';
import type { KeyValueStore, ProcessorContext, Record } from '../../streams/index.js';
import type { SourceCoordinates, Transaction, UserProfile } from '../schema/types.js';
import { appendUnexpired, EMPTY_CARD, recentBefore } from './card-record.js';
import type { CardRecord, SeenAt, SeenTransaction } from './card-record.js';
import { computeFeatures } from './compute-features.js';
import { toFeatureArray } from './feature-names.js';
import { CARD_STORE } from './feature-stores.js';
import { RECENT_RETENTION_MS } from './recent-activity.js';

/** A transaction joined with its owner's profile (null when the profile is unknown). */
export interface ProfiledTransaction {
  readonly transaction: Transaction;
  readonly profile: UserProfile | null;
}

/** A transaction with its feature vector (model input order) and where it was read from. */
export interface FeaturedTransaction {
  readonly transaction: Transaction;
  readonly features: readonly number[];
  /** Null only when the record did not come from a topic (e.g. a punctuator). */
  readonly source: SourceCoordinates | null;
}

/** How long after a transaction (in the task's event time) a second copy of it is still recognised. */
export const DEFAULT_DEDUPE_WINDOW_MS = 3_600_000;

/** Decoded card records a task keeps beyond the store's cache (trimmed at each commit). */
export const DEFAULT_MAX_CACHED_CARDS = 20_000;

/** What the topology reports for every dropped copy. */
export interface DuplicateTransaction {
  readonly transactionId: string;
  readonly cardId: string;
  readonly region: string;
  /** The copy being dropped. */
  readonly source: SeenAt | null;
  /** The copy that was processed. */
  readonly firstSeen: SeenAt | null;
  /** True when the copies share id, card and event time but not the amount: a producer bug rather than a second delivery. Still dropped. */
  readonly conflicting: boolean;
}

export interface DedupeOptions {
  /** Default {@link DEFAULT_DEDUPE_WINDOW_MS}. */
  readonly windowMs?: number;
  /** Called synchronously for each dropped copy (count it, log it); must not throw. */
  readonly onDuplicate?: (duplicate: DuplicateTransaction) => void;
}

export interface CardProcessorOptions {
  /** False: every copy is processed. */
  readonly dedupe: DedupeOptions | false;
  readonly maxCachedCards?: number;
}

export class CardProcessor extends ContextualProcessor<string, ProfiledTransaction, string, FeaturedTransaction> {
  private store!: KeyValueStore<string, CardRecord>;
  /** card id → decoded record, least recently used first (a Map keeps insertion order). */
  private readonly cards = new Map<string, CardRecord>();
  /** Cards changed since the last commit. */
  private readonly dirty = new Set<string>();
  /** The newest event time recorded: the clock of the 24 h history's and the dedupe window's retention. */
  private observedMs = -1;
  private readonly dedupeWindowMs: number;
  private readonly onDuplicate: (duplicate: DuplicateTransaction) => void;
  private readonly maxCachedCards: number;

  constructor(private readonly options: CardProcessorOptions) {
    super();
    this.dedupeWindowMs = options.dedupe === false ? 0 : (options.dedupe.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS);
    this.onDuplicate = (options.dedupe !== false && options.dedupe.onDuplicate) || (() => {});
    this.maxCachedCards = options.maxCachedCards ?? DEFAULT_MAX_CACHED_CARDS;
  }

  override init(context: ProcessorContext<string, FeaturedTransaction>): void {
    super.init(context);
    this.store = context.getStateStore<KeyValueStore<string, CardRecord>>(CARD_STORE);
    context.onCommit(() => this.writeChanged());
  }

  process(record: Record<string, ProfiledTransaction>): void | Promise<void> {
    const card = record.value.transaction.card_id;
    const held = this.cards.get(card);
    if (held !== undefined) return this.processWith(record, held);
    const loaded = this.store.get(card);
    if (isPromise(loaded)) return loaded.then((r) => this.processWith(record, this.adopt(r)));
    return this.processWith(record, this.adopt(loaded));
  }

  /** A record read from the store: its newest entry moves the retention clock, as the window stores' restored data did. */
  private adopt(stored: CardRecord | null | undefined): CardRecord {
    if (stored === null || stored === undefined) return EMPTY_CARD;
    for (const r of stored.recent) if (r.eventTimeMs > this.observedMs) this.observedMs = r.eventTimeMs;
    return stored;
  }

  private processWith(record: Record<string, ProfiledTransaction>, current: CardRecord): void | Promise<void> {
    const { transaction: tx, profile } = record.value;
    const card = tx.card_id;
    const t = tx.event_time_ms;
    const metadata = this.context.recordMetadata();
    const at: SeenAt | null = metadata ? { topic: metadata.topic, partition: metadata.partition, offset: Number(metadata.offset) } : null;
    const id = tx.transaction_id;
    // A transaction without an id cannot be matched: it always passes and is not remembered.
    const tracked = this.options.dedupe !== false && id !== '';
    if (tracked) {
      const first = this.seenBefore(current, id, t);
      if (first !== undefined) {
        this.hold(card, current);
        this.onDuplicate({ transactionId: id, cardId: card, region: tx.region, source: at, firstSeen: first.at, conflicting: first.amountMinor !== tx.amount_minor });
        return;
      }
    }
    const computed = computeFeatures(tx, profile, current.state, recentBefore(current, t, this.observedMs - RECENT_RETENTION_MS));
    if (t > this.observedMs) this.observedMs = t;
    const seen: SeenTransaction | undefined = tracked ? { transactionId: id, eventTimeMs: t, amountMinor: tx.amount_minor, at } : undefined;
    this.hold(card, {
      state: computed.nextState,
      recent: appendUnexpired(current.recent, computed.recent, this.observedMs - RECENT_RETENTION_MS),
      seen: this.options.dedupe === false ? current.seen : appendUnexpired(current.seen, seen, this.observedMs - this.dedupeWindowMs),
    });
    this.dirty.add(card);
    return this.context.forward(record.withValue({ transaction: tx, features: toFeatureArray(computed.values), source: at }));
  }

  /** The processed copy of transaction `id` at event time `t`, unless it has left the dedupe window. */
  private seenBefore(current: CardRecord, id: string, t: number): SeenTransaction | undefined {
    if (t <= this.observedMs - this.dedupeWindowMs) return undefined;
    for (const e of current.seen) if (e.transactionId === id && e.eventTimeMs === t) return e;
    return undefined;
  }

  /** Keeps `record` as the card's latest, most recently used. */
  private hold(card: string, record: CardRecord): void {
    this.cards.delete(card);
    this.cards.set(card, record);
  }

  /** At commit: every changed card to the store, then the map trimmed to its bound (all entries are clean now). */
  private writeChanged(): void | Promise<void> {
    const pending: Promise<void>[] = [];
    for (const card of this.dirty) {
      const done = this.store.put(card, this.cards.get(card) as CardRecord);
      if (isPromise(done)) pending.push(done);
    }
    this.dirty.clear();
    for (const card of this.cards.keys()) {
      if (this.cards.size <= this.maxCachedCards) break;
      this.cards.delete(card);
    }
    if (pending.length > 0) return Promise.all(pending).then(() => undefined);
  }
}

/** Store calls answer synchronously on a cache hit (MaybePromise); only a real promise is awaited. */
function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
