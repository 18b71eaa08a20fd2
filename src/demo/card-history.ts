import type { CardHistoryProvider, CardTransaction } from '../dashboard/card-history.js';
import { CARD_RECENT_STORE } from '../fraud/features/feature-stores.js';
import type { RecentTransaction } from '../fraud/features/recent-activity.js';
import type { KafkaStreams } from '../streams/runtime/index.js';

/**
 * The dashboard's card history answered by the engine's interactive
 * queries: the per-card window store of the last 24 h that the feature
 * processor keeps. Only what that store holds is filled in.
 */
export function interactiveCardHistory(streams: KafkaStreams): CardHistoryProvider {
  return {
    source: `interactive query of the engine's ${CARD_RECENT_STORE} store`,
    async recentTransactions(cardId, limit) {
      const rows: CardTransaction[] = [];
      const store = streams.windowStore<string, RecentTransaction>(CARD_RECENT_STORE);
      for await (const { value } of store.fetchRange(cardId, 0, Number.MAX_SAFE_INTEGER)) {
        rows.push({
          transaction_id: '',
          card_id: cardId,
          user_id: '',
          amount_minor: Math.round(value.amount * 100),
          currency: 'USD',
          merchant_id: value.merchantId,
          mcc: 0,
          latitude: 0,
          longitude: 0,
          device_id: '',
          channel: 'CHANNEL_UNSPECIFIED',
          region: '',
          event_time_ms: value.eventTimeMs,
        } as CardTransaction);
      }
      return rows.sort((a, b) => Number(b.event_time_ms) - Number(a.event_time_ms)).slice(0, limit);
    },
  };
}
