import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../../../src/fraud/features/compute-features.js';
import type { CardState } from '../../../src/fraud/features/card-state.js';
import type { RecentTransaction } from '../../../src/fraud/features/recent-activity.js';
import type { Transaction, UserProfile } from '../../../src/fraud/schema/types.js';
import { HOUR, LA, MIN, NYC, T0, profile, tx } from './builders.js';

/** Runs a card's history through computeFeatures, carrying state and the recent list as the processor does. */
function history(txs: Transaction[], owner: UserProfile | null = profile()) {
  let state: CardState | undefined;
  let recent: RecentTransaction[] = [];
  return txs.map((t) => {
    const window = recent.filter((r) => r.eventTimeMs > t.event_time_ms - 24 * HOUR);
    const out = computeFeatures(t, owner, state, window);
    state = out.nextState;
    recent = [...window, out.recent];
    return out.values;
  });
}

describe('computeFeatures', () => {
  it('describes a first transaction with neutral history features', () => {
    const [f] = history([tx()]);
    expect(f).toMatchObject({
      amount: 42,
      count_1m: 1,
      count_1h: 1,
      count_24h: 1,
      sum_24h: 42,
      seconds_since_prev: 30 * 24 * 3600,
      geo_velocity_kmh: 0,
      history_count: 0,
      new_merchant: 1,
      new_device: 0,
      new_category: 1,
      amount_zscore: 0,
      amount_vs_typical: 42 / 40,
      typical_spend_known: 1,
      amount_vs_max_typical: 42 / 40,
      high_risk_category: 0,
      profile_missing: 0,
    });
    expect(f?.distance_from_home_km).toBeCloseTo(0, 6);
    expect(f?.account_age_days).toBeCloseTo(400, 6);
  });

  it('counts velocity in 1 minute, 1 hour and 24 hours windows ending at the event time', () => {
    const times = [0, 2 * HOUR, 23 * HOUR + 30 * MIN, 23 * HOUR + 59 * MIN + 30_000, 24 * HOUR + 10 * MIN];
    const out = history(times.map((d) => tx({ event_time_ms: T0 + d })));
    const last = out[4];
    // (0h10m, 24h10m] holds 2h, 23h30m, 23h59m30s and itself; (23h10m, 24h10m] the last three.
    expect(last).toMatchObject({ count_1m: 1, count_1h: 3, count_24h: 4, sum_24h: 4 * 42, sum_1h: 3 * 42 });
    expect(out[3]).toMatchObject({ count_1m: 1, count_1h: 2, count_24h: 4 });
  });

  it('sums spend per category in the oldest open 5-minute hopping window', () => {
    const base = T0 + 10 * MIN; // 00:10:00
    const out = history([
      tx({ event_time_ms: base - 2 * MIN, mcc: 5411 }), // 00:08: before the window [00:11, 00:16) of 00:15:30
      tx({ event_time_ms: base + MIN + 1, mcc: 5411 }), // 00:11:00.001, inside
      tx({ event_time_ms: base + 3 * MIN, mcc: 5812 }), // other category
      tx({ event_time_ms: base + 5 * MIN + 30_000, mcc: 5411 }), // 00:15:30, this one
    ]);
    expect(out[3]?.category_spend_5m).toBeCloseTo(84, 9);
  });

  it('counts distinct and first-seen merchants and small probes in the last hour', () => {
    const probes = ['m-a', 'm-b', 'm-c', 'm-a'].map((m, i) =>
      tx({ merchant_id: m, amount_minor: 150, event_time_ms: T0 + i * MIN, channel: 'CHANNEL_ONLINE', device_id: 'd-x' }),
    );
    const out = history(probes);
    expect(out[3]).toMatchObject({ distinct_merchants_1h: 3, new_merchants_1h: 3, small_amount_count_1h: 4, new_merchant: 0, channel_online: 1 });
    expect(out.map((f) => f.new_device)).toEqual([1, 0, 0, 0]);
  });

  it('measures geo-velocity from the previous transaction and flags a region change', () => {
    const out = history([tx({ event_time_ms: T0 }), tx({ event_time_ms: T0 + 30 * MIN, ...LA, region: 'us-west' })]);
    expect(out[1]?.distance_from_prev_km).toBeGreaterThan(3900);
    expect(out[1]?.distance_from_prev_km).toBeLessThan(3990);
    expect(out[1]?.geo_velocity_kmh).toBeCloseTo((out[1]?.distance_from_prev_km ?? 0) * 2, 6);
    expect(out[1]?.region_changed).toBe(1);
    expect(out[1]?.seconds_since_prev).toBe(1800);
  });

  it('scores the amount against the card history with a running mean and variance', () => {
    const amounts = [4000, 4400, 3600, 4000, 50000];
    const out = history(amounts.map((a, i) => tx({ amount_minor: a, event_time_ms: T0 + i * HOUR })));
    // Before the last: mean 40, sample std sqrt(((0)+(16)+(16)+0)/3) = 3.266.
    expect(out[4]?.amount_zscore).toBeCloseTo((500 - 40) / Math.sqrt(32 / 3), 6);
    expect(out[4]?.amount_vs_mean).toBeCloseTo(500 / 40, 9);
    expect(out[2]?.amount_zscore).toBe(0); // fewer than 3 earlier transactions
  });

  it('flags an unknown profile and uses neutral defaults', () => {
    const [f] = history([tx()], null);
    expect(f).toMatchObject({
      profile_missing: 1,
      distance_from_home_km: 0,
      account_age_days: 0,
      amount_vs_typical: 1,
      typical_spend_known: 0,
      amount_vs_max_typical: 1,
    });
  });

  it('marks a category the profile has no typical spend for, and judges the amount against the user’s overall typical spend', () => {
    const [f] = history([tx({ mcc: 5944, amount_minor: 250_000 })]);
    // Overall typical: the mean of grocery 40 and restaurants 30.
    expect(f).toMatchObject({ typical_spend_known: 0, amount_vs_typical: 2500 / 35, new_category: 1, amount_vs_max_typical: 2500 / 40, high_risk_category: 1 });
  });

  it('reads the payer’s position online, never the merchant’s address: no position, no distance or speed', () => {
    const farMerchant = { latitude: 47.6, longitude: -122.3 }; // Seattle, while the cardholder is at home in NYC
    const out = history([
      tx({ event_time_ms: T0 }),
      tx({ event_time_ms: T0 + 10 * MIN, channel: 'CHANNEL_ONLINE', ...farMerchant, merchant_location: { ...farMerchant, accuracy_m: 0 } }),
      tx({ event_time_ms: T0 + 20 * MIN, channel: 'CHANNEL_ONLINE', ...farMerchant, payer_location: { ...NYC, accuracy_m: 20_000 } }),
    ]);
    expect(out[1]).toMatchObject({ distance_from_prev_km: 0, geo_velocity_kmh: 0, distance_from_home_km: 0 });
    expect(out[2]?.distance_from_prev_km).toBeCloseTo(0, 6);
    expect(out[2]?.distance_from_home_km).toBeCloseTo(0, 6);
  });

  it('measures speed from the last known position over the time since it was seen', () => {
    const out = history([
      tx({ event_time_ms: T0 }), // NYC in person
      tx({ event_time_ms: T0 + 3 * HOUR, channel: 'CHANNEL_ONLINE' }), // online, position unknown
      tx({ event_time_ms: T0 + 6 * HOUR, ...LA, terminal_location: { ...LA, accuracy_m: 0 } }),
    ]);
    expect(out[2]?.seconds_since_prev).toBe(3 * 3600);
    // ~3,940 km over the 6 hours since NYC, not the 3 hours since the online payment.
    expect(out[2]?.geo_velocity_kmh).toBeCloseTo((out[2]?.distance_from_prev_km ?? 0) / 6, 6);
    expect(out[2]?.distance_from_prev_km).toBeGreaterThan(3_900);
  });

  it('keeps measuring geo-velocity forward when an older transaction arrives late', () => {
    const out = history([tx({ event_time_ms: T0 + HOUR }), tx({ event_time_ms: T0, ...LA }), tx({ event_time_ms: T0 + 2 * HOUR })]);
    expect(out[1]?.seconds_since_prev).toBe(0);
    // The third is measured from the first (NYC, latest by event time), not the late LA one.
    expect(out[2]?.distance_from_prev_km).toBeCloseTo(0, 6);
    expect(out[2]?.seconds_since_prev).toBe(3600);
  });

  it('is a pure function of its inputs', () => {
    const txs = [tx({ event_time_ms: T0 }), tx({ event_time_ms: T0 + MIN, ...NYC, merchant_id: 'm-2' })];
    expect(history(txs)).toEqual(history(txs));
  });
});
