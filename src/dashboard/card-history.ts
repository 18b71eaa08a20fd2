import type { AlertFeed } from './alert-feed.js';

/** One of a card's recent transactions, as the page lists it. */
export interface CardTransaction {
  event_time_ms: number;
  amount_minor: number;
  /** Absent when the source does not keep it; the page then shows USD. */
  currency?: string;
  merchant_id: string;
  /** A readable category: the MCC's name or the feature store's category group. */
  category?: string;
  mcc?: number;
  region?: string;
  transaction_id?: string;
  /** The transaction raised an alert (when the provider knows). */
  flagged?: boolean;
}

/**
 * Where the page gets a card's recent transactions. The runtime's
 * interactive queries implement it against the topology's per-card store;
 * without them, {@link alertCardHistory} answers from the alerts the
 * dashboard has seen. `source` tells the page which one it got.
 */
export interface CardHistoryProvider {
  readonly source: string;
  /** Newest first, at most `limit`. */
  recentTransactions(cardId: string, limit: number): Promise<CardTransaction[]>;
}

/** The fallback provider: the card's transactions that raised alerts here. */
export function alertCardHistory(feed: AlertFeed): CardHistoryProvider {
  return {
    source: 'alerts received by this dashboard (interactive queries not connected)',
    async recentTransactions(cardId, limit) {
      const seen = new Set<string>();
      const out: CardTransaction[] = [];
      for (const a of feed.byCard(cardId)) {
        const t = a.alert.transaction;
        if (!t || seen.has(t.transaction_id)) continue;
        seen.add(t.transaction_id);
        out.push({
          transaction_id: t.transaction_id,
          event_time_ms: t.event_time_ms,
          amount_minor: t.amount_minor,
          currency: t.currency,
          merchant_id: t.merchant_id,
          mcc: t.mcc,
          region: t.region,
          flagged: true,
        });
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}
