import type { RecentTransaction } from '../fraud/features/recent-activity.js';
import type { ReadOnlyWindowStore } from '../streams/index.js';
import type { CardHistoryProvider, CardTransaction } from './card-history.js';

/** The per-card window store of the fraud topology (see src/fraud/features/feature-stores.ts). */
export const CARD_RECENT_STORE_NAME = 'fraud-card-recent';

/** The slice of `KafkaStreams` this provider needs; structural, so a test can pass a fake. */
export interface WindowStoreQueries {
  windowStore<K, V>(name: string): ReadOnlyWindowStore<K, V>;
}

/**
 * A card's recent transactions through the runtime's interactive queries:
 * the topology's `fraud-card-recent` window store, which keeps each card's
 * last 24 hours of stream time. Only cards of partitions assigned to this
 * instance are visible, so run the dashboard in the engine's process (as
 * `npm start` does). The store keeps what the features need (amount,
 * merchant, category), not currency or region.
 */
export function interactiveCardHistory(streams: WindowStoreQueries, storeName = CARD_RECENT_STORE_NAME): CardHistoryProvider {
  return {
    source: `interactive query of the "${storeName}" store`,
    async recentTransactions(cardId, limit) {
      const rows: CardTransaction[] = [];
      // The whole retained range: simulated replays use event times far from the wall clock.
      for await (const { value } of streams.windowStore<string, RecentTransaction>(storeName).fetchRange(cardId, 0, Number.MAX_SAFE_INTEGER)) {
        rows.push({ event_time_ms: value.eventTimeMs, amount_minor: Math.round(value.amount * 100), merchant_id: value.merchantId, category: value.category });
      }
      return rows.sort((a, b) => b.event_time_ms - a.event_time_ms).slice(0, limit);
    },
  };
}
