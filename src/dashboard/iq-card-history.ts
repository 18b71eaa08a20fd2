import type { CardRecord } from '../fraud/features/card-record.js';
import type { ReadOnlyKeyValueStore } from '../streams/index.js';
import type { CardHistoryProvider, CardTransaction } from './card-history.js';

/** The per-card store of the fraud topology (see src/fraud/features/feature-stores.ts). */
export const CARD_STORE_NAME = 'fraud-card';

/** The slice of `KafkaStreams` this provider needs; structural, so a test can pass a fake. */
export interface KeyValueStoreQueries {
  keyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V>;
}

/**
 * A card's recent transactions through the runtime's interactive queries:
 * the topology's `fraud-card` store, whose entry keeps each card's last 24
 * hours of event time. Only cards of partitions assigned to this instance
 * are visible, so run the dashboard in the engine's process (as `npm start`
 * does). The entry keeps what the features need (amount, merchant,
 * category) and the region, not currency or MCC. What the engine's
 * processor changed since its last commit is not visible yet (at most one
 * commit interval).
 */
export function interactiveCardHistory(streams: KeyValueStoreQueries, storeName = CARD_STORE_NAME): CardHistoryProvider {
  return {
    source: `interactive query of the "${storeName}" store`,
    async recentTransactions(cardId, limit) {
      const record = await streams.keyValueStore<string, CardRecord>(storeName).get(cardId);
      const rows: CardTransaction[] = (record?.recent ?? []).map((r) => ({
        event_time_ms: r.eventTimeMs,
        amount_minor: Math.round(r.amount * 100),
        merchant_id: r.merchantId,
        category: r.category,
        region: r.region,
      }));
      return rows.sort((a, b) => b.event_time_ms - a.event_time_ms).slice(0, limit);
    },
  };
}
