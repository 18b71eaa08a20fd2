import { describe, expect, it } from 'vitest';
import {
  labelArrivalMs,
  resolveShift,
  SHIFT_PRESETS,
  simulate,
  simulateAll,
  STEALTH_SCENARIOS,
  ALL_SCENARIOS,
  type LabelledTransaction,
} from '../../../src/fraud/simulator/index.js';

const base = { seed: 7, users: 150, days: 6, startMs: Date.UTC(2026, 0, 5) };
const online = (xs: LabelledTransaction[]) => xs.filter((x) => x.transaction.channel === 'CHANNEL_ONLINE');

describe('simulator shift knobs', () => {
  it('changes nothing when every knob is at its default', () => {
    expect(simulateAll({ ...base, shift: {} })).toEqual(simulateAll(base));
    expect(simulateAll({ ...base, shift: { amountScale: 1, rateScale: 1, travelRate: 1, payerLocationShare: 1 } }).transactions).toEqual(simulateAll(base).transactions);
  });

  it('sends online payments the processor way: latitude/longitude at the merchant, the payer position only sometimes', () => {
    const { transactions } = simulateAll({ ...base, shift: { onlineLegacyPosition: 'merchant', payerLocationShare: 0.3 } });
    const web = online(transactions);
    expect(web.length).toBeGreaterThan(100);
    for (const { transaction: t } of web) {
      expect(t.merchant_location).toBeDefined();
      expect([t.latitude, t.longitude]).toEqual([t.merchant_location!.latitude, t.merchant_location!.longitude]);
    }
    const known = web.filter((x) => x.transaction.payer_location).length / web.length;
    expect(known).toBeGreaterThan(0.2);
    expect(known).toBeLessThan(0.4);
  });

  it('puts the merchant in latitude/longitude when the payer position is unknown, even in payer mode', () => {
    const web = online(simulateAll({ ...base, shift: { payerLocationShare: 0 } }).transactions);
    expect(web.every((x) => x.transaction.payer_location === undefined && x.transaction.latitude === x.transaction.merchant_location!.latitude)).toBe(true);
  });

  it('scales legitimate amounts and leaves fraud alone', () => {
    const plain = simulateAll(base).transactions;
    const scaled = simulateAll({ ...base, shift: { amountScale: 2 } }).transactions;
    const n = plain.findIndex((x) => !x.label);
    expect(scaled[n]!.transaction.amount_minor).toBe(Math.round(plain[n]!.transaction.amount_minor * 2));
    const f = plain.findIndex((x) => x.label);
    expect(scaled[f]!.transaction.amount_minor).toBe(plain[f]!.transaction.amount_minor);
  });

  it('gives churning users new phones that no profile or history knows', () => {
    const { transactions } = simulateAll({ ...base, shift: { deviceChurn: 0.2 } });
    const fresh = transactions.filter((x) => !x.label && /-n\d+$/.test(x.transaction.device_id));
    expect(fresh.length).toBeGreaterThan(20);
  });

  it('adds legitimate oddities: first purchases in categories the profile lacks, and big one-offs, all labelled normal', () => {
    const sim = simulate({ ...base, shift: { oddities: { new_category: 0.2, big_one_off: 0.1 } } });
    const typical = new Map(sim.profiles.map((p) => [p.user_id, p.typical_spend_by_category]));
    const plainCount = simulateAll(base).transactions.length;
    const all = [...sim];
    expect(all.length).toBeGreaterThan(plainCount);
    const mccOf: Record<number, string> = { 5732: 'electronics', 5944: 'jewelry', 4511: 'airlines', 5311: 'retail', 5651: 'clothing', 5999: 'online_retail' };
    const bigOneOffs = all.filter((x) => !x.label && mccOf[x.transaction.mcc] && x.transaction.amount_minor > 4 * 100 * Math.max(...Object.values(typical.get(x.transaction.user_id)!)));
    expect(bigOneOffs.length).toBeGreaterThan(10);
  });

  it('travels more with a higher travel rate and not at all at 0', () => {
    const hotels = (xs: LabelledTransaction[]) => xs.filter((x) => x.transaction.mcc === 7011 && x.transaction.channel === 'CHANNEL_CARD_PRESENT').length;
    const more = hotels(simulateAll({ ...base, shift: { travelRate: 5 } }).transactions);
    expect(more).toBeGreaterThan(hotels(simulateAll(base).transactions));
    expect(hotels(simulateAll({ ...base, fraudRate: 0, shift: { travelRate: 0, categoryMix: { hotels: 0 } } }).transactions)).toBe(0);
  });

  it('apportions incidents exactly by the fraud mix', () => {
    const sim = simulate({ ...base, users: 400, fraudRate: 0.05, scenarios: ['card_testing', 'cash_out'], shift: { fraudMix: { card_testing: 1, cash_out: 3 } } });
    const count = (s: string) => sim.incidents.filter((i) => i.scenario === s).length;
    expect(count('card_testing')).toBe(5);
    expect(count('cash_out')).toBe(15);
  });

  it('makes stealth fraud look like the holder: labelled, in the holder’s own categories or at ATMs, never thousands', () => {
    const { transactions } = simulateAll({ ...base, users: 400, fraudRate: 0.05, scenarios: STEALTH_SCENARIOS });
    const fraud = transactions.filter((x) => x.label);
    expect(new Set(fraud.map((x) => x.scenario))).toEqual(new Set(STEALTH_SCENARIOS));
    expect(Math.max(...fraud.map((x) => x.transaction.amount_minor))).toBeLessThan(200_000);
  });

  it('delays labels and loses some, deterministically', () => {
    const shift = resolveShift({ labelDelayMeanHours: 48, labelMissingShare: 0.25 }, ALL_SCENARIOS);
    const arrivals = Array.from({ length: 2000 }, (_, n) => labelArrivalMs(shift, 3, `tx-3-${n}`, 1_000));
    const missing = arrivals.filter((a) => a === null).length / arrivals.length;
    expect(missing).toBeGreaterThan(0.2);
    expect(missing).toBeLessThan(0.3);
    const delays = arrivals.filter((a): a is number => a !== null).map((a) => (a - 1_000) / 3_600_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(delays.reduce((s, d) => s + d, 0) / delays.length).toBeGreaterThan(40);
    expect(labelArrivalMs(shift, 3, 'tx-3-17', 1_000)).toBe(arrivals[17]);
  });

  it('rejects a knob out of range, naming it', () => {
    expect(() => simulate({ ...base, shift: { payerLocationShare: 1.5 } })).toThrow(/shift\.payerLocationShare must be between 0 and 1/);
    expect(() => simulate({ ...base, shift: { categoryMix: { yachts: 2 } } })).toThrow(/unknown category "yachts"/);
    expect(() => simulate({ ...base, shift: { fraudMix: { piracy: 1 } } })).toThrow(/unknown scenario "piracy"/);
  });

  it('has presets that all resolve, each with its own seed', () => {
    const seeds = Object.values(SHIFT_PRESETS).map((p) => p.seed);
    expect(new Set(seeds).size).toBe(seeds.length);
    for (const p of Object.values(SHIFT_PRESETS)) expect(() => simulate({ ...base, seed: p.seed, scenarios: p.scenarios, shift: p.shift })).not.toThrow();
  });
});
