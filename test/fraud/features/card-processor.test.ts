import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/streams/index.js';
import type { CardRecord } from '../../../src/fraud/features/card-record.js';
import { CARD_STORE } from '../../../src/fraud/features/feature-stores.js';
import { fraudHarness } from '../topology/harness.js';
import { HOUR, MIN, T0, tx } from './builders.js';

describe('CardProcessor', () => {
  it('keeps one fraud-card entry per card with its statistics, its last 24 hours and the ids it processed, written at each commit', async () => {
    const h = fraudHarness({ emitFeatures: true });
    try {
      await h.transactions.pipeInput('c-1', tx({ transaction_id: 'a', event_time_ms: T0 }), T0);
      await h.transactions.pipeInput('c-1', tx({ transaction_id: 'b', event_time_ms: T0 + 10 * MIN, region: 'us-west' }), T0 + 10 * MIN);
      await h.transactions.pipeInput('c-2', tx({ transaction_id: 'c', card_id: 'c-2', event_time_ms: T0 + 11 * MIN }), T0 + 11 * MIN);
      const store = h.driver.getKeyValueStore<string, CardRecord>(CARD_STORE);
      const c1 = await store?.get('c-1');
      expect(c1?.state?.count).toBe(2);
      expect(c1?.recent.map((r) => [r.eventTimeMs - T0, r.region])).toEqual([
        [0, 'us-east'],
        [10 * MIN, 'us-west'],
      ]);
      expect(c1?.seen.map((s) => s.transactionId)).toEqual(['a', 'b']);
      expect((await store?.get('c-2'))?.state?.count).toBe(1);
    } finally {
      await h.driver.close();
    }
  });

  it('drops history older than 24 hours and ids older than the dedupe window, on the newest event time it recorded', async () => {
    const h = fraudHarness({ emitFeatures: true, dedupe: { windowMs: HOUR } });
    const features = h.driver.createOutputTopic('transaction-features', Serdes.String(), Serdes.Json<{ features: { [k: string]: number } }>());
    try {
      await h.transactions.pipeInput('c-1', tx({ transaction_id: 'old', event_time_ms: T0 }), T0);
      await h.transactions.pipeInput('c-1', tx({ transaction_id: 'mid', event_time_ms: T0 + 2 * HOUR }), T0 + 2 * HOUR);
      await h.transactions.pipeInput('c-1', tx({ transaction_id: 'new', event_time_ms: T0 + 25 * HOUR }), T0 + 25 * HOUR);
      const c1 = await h.driver.getKeyValueStore<string, CardRecord>(CARD_STORE)?.get('c-1');
      expect(c1?.recent.map((r) => (r.eventTimeMs - T0) / HOUR)).toEqual([2, 25]);
      expect(c1?.seen.map((s) => s.transactionId)).toEqual(['new']);
      expect(c1?.state?.count).toBe(3); // the running statistics keep everything
      expect(features.readValuesToList().map((f) => f?.features.count_24h)).toEqual([1, 2, 2]);
    } finally {
      await h.driver.close();
    }
  });
});
