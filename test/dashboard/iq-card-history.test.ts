import { describe, expect, it } from 'vitest';
import { interactiveCardHistory, type KeyValueStoreQueries } from '../../src/dashboard/iq-card-history.js';
import type { CardRecord } from '../../src/fraud/features/card-record.js';
import type { RecentTransaction } from '../../src/fraud/features/recent-activity.js';

function fakeStreams(cards: Record<string, CardRecord>, asked: string[]): KeyValueStoreQueries {
  return {
    keyValueStore<K, V>(name: string) {
      asked.push(name);
      return { get: async (key: K) => cards[key as string] as V | undefined } as never;
    },
  };
}

describe('interactiveCardHistory', () => {
  it('reads the card’s recent transactions from its fraud-card entry, newest first, at most `limit`, with the region', async () => {
    const asked: string[] = [];
    const tx = (eventTimeMs: number, amount: number, region = 'us-east'): RecentTransaction => ({ eventTimeMs, amount, merchantId: `m-${eventTimeMs}`, category: 'grocery', region, newMerchant: false });
    const card = (recent: RecentTransaction[]): CardRecord => ({ state: undefined, recent, seen: [] });
    const provider = interactiveCardHistory(fakeStreams({ 'card-1': card([tx(1_000, 12.5), tx(3_000, 99.99, 'us-west'), tx(2_000, 7)]), 'card-2': card([tx(5_000, 1)]) }, asked));
    const rows = await provider.recentTransactions('card-1', 2);
    expect(asked).toEqual(['fraud-card']);
    expect(rows).toEqual([
      { event_time_ms: 3_000, amount_minor: 9_999, merchant_id: 'm-3000', category: 'grocery', region: 'us-west' },
      { event_time_ms: 2_000, amount_minor: 700, merchant_id: 'm-2000', category: 'grocery', region: 'us-east' },
    ]);
    expect(await provider.recentTransactions('card-unknown', 5)).toEqual([]);
    expect(provider.source).toMatch(/interactive query/);
  });
});
