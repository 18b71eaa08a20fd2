import { ContextualProcessor } from '../../streams/index.js';
import type { KeyValueStore, ProcessorContext, Record, WindowStore } from '../../streams/index.js';
import type { SourceCoordinates, Transaction, UserProfile } from '../schema/types.js';
import type { CardState } from './card-state.js';
import { computeFeatures } from './compute-features.js';
import { toFeatureArray } from './feature-names.js';
import { CARD_RECENT_STORE, CARD_STATE_STORE } from './feature-stores.js';
import { RECENT_RETENTION_MS } from './recent-activity.js';
import type { RecentTransaction } from './recent-activity.js';

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

/**
 * Computes each transaction's features from the card's state stores, then
 * records the transaction in them. Records are keyed by card id, so a card's
 * state lives in exactly one task. Needs {@link CARD_STATE_STORE} and
 * {@link CARD_RECENT_STORE} connected.
 */
export class FeatureProcessor extends ContextualProcessor<string, ProfiledTransaction, string, FeaturedTransaction> {
  private cardState!: KeyValueStore<string, CardState>;
  private recent!: WindowStore<string, RecentTransaction>;

  override init(context: ProcessorContext<string, FeaturedTransaction>): void {
    super.init(context);
    this.cardState = context.getStateStore<KeyValueStore<string, CardState>>(CARD_STATE_STORE);
    this.recent = context.getStateStore<WindowStore<string, RecentTransaction>>(CARD_RECENT_STORE);
  }

  async process(record: Record<string, ProfiledTransaction>): Promise<void> {
    const { transaction, profile } = record.value;
    const card = transaction.card_id;
    const t = transaction.event_time_ms;
    const state = await this.cardState.get(card);
    const recent: RecentTransaction[] = [];
    // (t - 24h, t]: the window bounds are on window start, i.e. event time.
    for await (const entry of this.recent.fetchRange(card, t - RECENT_RETENTION_MS + 1, t)) recent.push(entry.value);
    const computed = computeFeatures(transaction, profile, state, recent);
    await this.cardState.put(card, computed.nextState);
    await this.recent.put(card, computed.recent, t);
    const metadata = this.context.recordMetadata();
    const source = metadata ? { topic: metadata.topic, partition: metadata.partition, offset: Number(metadata.offset) } : null;
    await this.context.forward(record.withValue({ transaction, features: toFeatureArray(computed.values), source }));
  }
}
