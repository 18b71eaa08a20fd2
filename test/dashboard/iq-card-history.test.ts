import { describe, expect, it } from 'vitest';
import { interactiveCardHistory, type WindowStoreQueries } from '../../src/dashboard/iq-card-history.js';
import type { RecentTransaction } from '../../src/fraud/features/recent-activity.js';

function fakeStreams(entries: Record<string, RecentTransaction[]>, asked: string[]): WindowStoreQueries {
  return {
    windowStore<K, V>(name: string) {
      asked.push(name);
      return {
        fetchRange: (key: K) =>
          (async function* () {
            for (const t of entries[key as string] ?? []) yield { key: t.eventTimeMs, value: t as V };
          })(),
      } as never;
    },
  };
}

describe('interactiveCardHistory', () => {
  it('reads the card’s entries from the fraud-card-recent store, newest first, at most `limit`', async () => {
    const asked: string[] = [];
    const tx = (eventTimeMs: number, amount: number): RecentTransaction => ({ eventTimeMs, amount, merchantId: `m-${eventTimeMs}`, category: 'grocery', newMerchant: false });
    const provider = interactiveCardHistory(fakeStreams({ 'card-1': [tx(1_000, 12.5), tx(3_000, 99.99), tx(2_000, 7)], 'card-2': [tx(5_000, 1)] }, asked));
    const rows = await provider.recentTransactions('card-1', 2);
    expect(asked).toEqual(['fraud-card-recent']);
    expect(rows).toEqual([
      { event_time_ms: 3_000, amount_minor: 9_999, merchant_id: 'm-3000', category: 'grocery' },
      { event_time_ms: 2_000, amount_minor: 700, merchant_id: 'm-2000', category: 'grocery' },
    ]);
    expect(provider.source).toMatch(/interactive query/);
  });
});
