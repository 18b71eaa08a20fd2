import { describe, expect, it } from 'vitest';
import { chargebacksFor } from '../../src/feedback/chargebacks.js';
import type { LabelledTransaction } from '../../src/fraud/simulator/events.js';
import { readLabelledTransactions } from '../../src/fraud/simulator/fixture-reader.js';

const DAY = 86_400_000;

async function small(): Promise<LabelledTransaction[]> {
  const out: LabelledTransaction[] = [];
  for await (const t of readLabelledTransactions('test/fixtures/small')) out.push(t);
  return out;
}

describe('chargebacksFor', () => {
  it('labels only fraud, days of event time later, in report order, the same way every time', async () => {
    const txs = await small();
    const byId = new Map(txs.map((t) => [t.transaction.transaction_id, t]));
    const cbs = chargebacksFor(txs, { seed: 42 });
    const fraud = txs.filter((t) => t.label).length;
    expect(fraud).toBe(53);
    // 85 % report rate: seed 42 gives 48 of 53; the bounds say the rate is applied, not the exact draw.
    expect(cbs.length).toBeGreaterThan(36);
    expect(cbs.length).toBeLessThan(fraud);
    for (const c of cbs) {
      const t = byId.get(c.transaction_id)!;
      expect(t.label).toBe(true);
      expect(c.transaction_time_ms).toBe(t.transaction.event_time_ms);
      expect(c.reported_at_ms - c.transaction_time_ms).toBeGreaterThanOrEqual(3 * DAY);
      expect(c.reported_at_ms - c.transaction_time_ms).toBeLessThanOrEqual(45 * DAY);
      expect(c).toMatchObject({ card_id: t.transaction.card_id, amount_minor: t.transaction.amount_minor });
    }
    expect(cbs.map((c) => c.reported_at_ms)).toEqual([...cbs.map((c) => c.reported_at_ms)].sort((a, b) => a - b));
    expect(chargebacksFor(txs, { seed: 42 })).toEqual(cbs);
    expect(chargebacksFor(txs, { seed: 43 }).map((c) => c.transaction_id)).not.toEqual(cbs.map((c) => c.transaction_id));
  });

  it('keeps only what was reported by asOfMs, and honours the report rate and delay range', async () => {
    const txs = await small();
    const last = Math.max(...txs.map((t) => t.transaction.event_time_ms));
    const all = chargebacksFor(txs, { seed: 42, reportRate: 1 });
    expect(all).toHaveLength(53);
    const soon = chargebacksFor(txs, { seed: 42, reportRate: 1, asOfMs: last + 5 * DAY });
    expect(soon.length).toBeLessThan(all.length);
    expect(soon).toEqual(all.filter((c) => c.reported_at_ms <= last + 5 * DAY));
    expect(chargebacksFor(txs, { seed: 42, reportRate: 0 })).toEqual([]);
    const fixed = chargebacksFor(txs, { seed: 42, reportRate: 1, minDelayDays: 10, maxDelayDays: 10 });
    for (const c of fixed) expect(c.reported_at_ms - c.transaction_time_ms).toBe(10 * DAY);
    expect(() => chargebacksFor(txs, { seed: 1, reportRate: 2 })).toThrow(RangeError);
    expect(() => chargebacksFor(txs, { seed: 1, minDelayDays: 5, maxDelayDays: 2 })).toThrow(RangeError);
  });
});
