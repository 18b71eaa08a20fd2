import { describe, expect, it } from 'vitest';
import { FRAUD_SCENARIOS, haversineKm, simulate, simulateAll, type LabelledTransaction } from '../../../src/fraud/simulator/index.js';

const START = Date.UTC(2026, 0, 5);
const small = { seed: 7, users: 150, days: 3, startMs: START };
const { profiles, transactions } = simulateAll(small);

function byScenario(scenario: string): LabelledTransaction[] {
  return transactions.filter((t) => t.scenario === scenario);
}

describe('simulate: determinism', () => {
  it('gives identical output for the same seed', () => {
    const again = simulateAll(small);
    expect(again.profiles).toEqual(profiles);
    expect(again.transactions).toEqual(transactions);
  });

  it('gives different output for a different seed', () => {
    const other = simulateAll({ ...small, seed: 8 });
    expect(other.transactions.length).not.toBe(0);
    expect(other.transactions.map((t) => t.transaction.amount_minor)).not.toEqual(transactions.map((t) => t.transaction.amount_minor));
    expect(other.profiles.map((p) => p.home_latitude)).not.toEqual(profiles.map((p) => p.home_latitude));
  });

  it('regenerates the same sequence when the simulation is iterated twice', () => {
    const sim = simulate(small);
    const first = [...sim].map((t) => JSON.stringify(t));
    const second = [...sim].map((t) => JSON.stringify(t));
    expect(second).toEqual(first);
  });

  it('hands out unique transaction ids that carry the seed', () => {
    const ids = transactions.map((t) => t.transaction.transaction_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('tx-7-0');
    expect(ids.at(-1)).toBe(`tx-7-${ids.length - 1}`);
  });
});

describe('simulate: shape of the history', () => {
  it('orders transactions by event time, inside [startMs, endMs)', () => {
    const sim = simulate(small);
    let previous = -Infinity;
    for (const { transaction } of transactions) {
      expect(transaction.event_time_ms).toBeGreaterThanOrEqual(previous);
      previous = transaction.event_time_ms;
    }
    expect(transactions[0]?.transaction.event_time_ms).toBeGreaterThanOrEqual(sim.startMs);
    expect(previous).toBeLessThan(sim.endMs);
  });

  it('makes one profile per user with home, account age and typical spend', () => {
    expect(profiles).toHaveLength(150);
    expect(new Set(profiles.map((p) => p.user_id)).size).toBe(150);
    for (const p of profiles) {
      expect(['us-east', 'us-west']).toContain(p.home_region);
      expect(p.account_created_ms).toBeLessThan(START);
      expect(p.card_ids.length).toBeGreaterThanOrEqual(1);
      expect(Object.keys(p.typical_spend_by_category)).toContain('grocery');
    }
  });

  it('only uses cards of the transaction user, from the profiles', () => {
    const cards = new Map(profiles.flatMap((p) => p.card_ids.map((c) => [c, p.user_id] as const)));
    for (const { transaction } of transactions) expect(cards.get(transaction.card_id)).toBe(transaction.user_id);
  });

  it('spreads traffic over both regions, all channels and several categories', () => {
    const regions = new Set(transactions.map((t) => t.transaction.region));
    expect([...regions].sort()).toEqual(['us-east', 'us-west']);
    expect(new Set(transactions.map((t) => t.transaction.channel)).size).toBe(4);
    expect(new Set(transactions.map((t) => t.transaction.mcc)).size).toBeGreaterThan(8);
  });

  it('makes most everyday payments near home', () => {
    const home = new Map(profiles.map((p) => [p.user_id, p]));
    const normal = byScenario('normal');
    const near = normal.filter(({ transaction: t }) => {
      const p = home.get(t.user_id)!;
      return haversineKm(p.home_latitude, p.home_longitude, t.latitude, t.longitude) < 60;
    });
    expect(near.length / normal.length).toBeGreaterThan(0.85);
    expect(near.length).toBeLessThan(normal.length); // and some travel
  });

  it('follows a daily rhythm: more payments at local noon than at 4 am', () => {
    const hours = new Array<number>(24).fill(0);
    for (const { transaction: t } of transactions) {
      const offset = t.region === 'us-east' ? -5 : -8;
      hours[(((new Date(t.event_time_ms).getUTCHours() + offset) % 24) + 24) % 24]! += 1;
    }
    expect(hours[12]!).toBeGreaterThan(hours[4]! * 4);
  });
});

describe('simulate: labelled fraud', () => {
  it('labels exactly the fraud scenarios', () => {
    for (const t of transactions) expect(t.label).toBe(t.scenario !== 'normal');
  });

  it('contains every scenario at least once', () => {
    for (const s of FRAUD_SCENARIOS) expect(byScenario(s).length, s).toBeGreaterThan(0);
  });

  it('card testing: a burst of tiny amounts within minutes at merchants new to the card', () => {
    const tx = byScenario('card_testing').map((t) => t.transaction);
    const tiny = tx.filter((t) => t.amount_minor < 300);
    expect(tiny.length).toBeGreaterThanOrEqual(6);
    const seen = new Set(byScenario('normal').filter((t) => t.transaction.event_time_ms < tiny[0]!.event_time_ms).map((t) => `${t.transaction.card_id}/${t.transaction.merchant_id}`));
    expect(tiny.filter((t) => seen.has(`${t.card_id}/${t.merchant_id}`))).toEqual([]);
    const byCard = new Map<string, typeof tiny>();
    for (const t of tiny) byCard.set(t.card_id, [...(byCard.get(t.card_id) ?? []), t]);
    for (const burst of byCard.values()) expect(burst.at(-1)!.event_time_ms - burst[0]!.event_time_ms).toBeLessThan(30 * 60_000);
  });

  it('account takeover: starts on a device the user never used, jumps region, then spends big', () => {
    const tx = byScenario('account_takeover').map((t) => t.transaction);
    const first = tx[0]!;
    const ownDevices = new Set(byScenario('normal').filter((t) => t.transaction.user_id === first.user_id).map((t) => t.transaction.device_id));
    expect(ownDevices.has(first.device_id)).toBe(false);
    const incident = tx.filter((t) => t.user_id === first.user_id);
    expect(new Set(incident.map((t) => t.region)).size).toBe(2);
    expect(Math.max(...incident.map((t) => t.amount_minor))).toBeGreaterThanOrEqual(70_000);
  });

  it('impossible travel: card-present payments in two regions minutes apart', () => {
    const fraud = byScenario('impossible_travel')[0]!.transaction;
    const before = transactions
      .filter((t) => t.transaction.card_id === fraud.card_id && t.transaction.event_time_ms < fraud.event_time_ms)
      .at(-1)!.transaction;
    expect(before.region).not.toBe(fraud.region);
    expect(fraud.event_time_ms - before.event_time_ms).toBeLessThanOrEqual(25 * 60_000);
    const km = haversineKm(before.latitude, before.longitude, fraud.latitude, fraud.longitude);
    const kmh = km / ((fraud.event_time_ms - before.event_time_ms) / 3_600_000);
    expect(kmh).toBeGreaterThan(2_000);
  });

  it('merchant-category anomaly: a large amount in a category absent from the profile', () => {
    const fraud = byScenario('mcc_anomaly');
    expect(fraud.length).toBeGreaterThan(0);
    const mccOf: Record<string, number> = { electronics: 5732, jewelry: 5944, money_transfer: 4829, gambling: 7995, airlines: 4511 };
    for (const { transaction: t } of fraud) {
      const profile = profiles.find((p) => p.user_id === t.user_id)!;
      const used = Object.keys(profile.typical_spend_by_category).map((c) => mccOf[c]);
      expect(used).not.toContain(t.mcc);
      expect(t.amount_minor).toBeGreaterThanOrEqual(45_000);
    }
  });

  it('bust-out: spending climbs before a max-out of many large payments', () => {
    const maxOut = byScenario('bust_out').map((t) => t.transaction);
    expect(maxOut.length).toBeGreaterThanOrEqual(5);
    const user = maxOut[0]!.user_id;
    const own = byScenario('normal').filter((t) => t.transaction.user_id === user).map((t) => t.transaction);
    expect(Math.min(...maxOut.map((t) => t.amount_minor))).toBeGreaterThanOrEqual(80_000);
    expect(own.filter((t) => t.event_time_ms > maxOut.at(-1)!.event_time_ms)).toEqual([]); // card blocked afterwards
  });

  it('places no fraud when fraudRate is 0', () => {
    const clean = simulateAll({ ...small, fraudRate: 0 });
    expect(clean.transactions.every((t) => !t.label)).toBe(true);
  });

  it('injects only the scenarios asked for', () => {
    const only = simulateAll({ ...small, scenarios: ['card_testing'] });
    expect(new Set(only.transactions.map((t) => t.scenario))).toEqual(new Set(['normal', 'card_testing']));
  });
});

describe('simulate: options', () => {
  it.each([
    [{ users: 0 }, /users must be an integer/],
    [{ days: 1.5 }, /days must be an integer/],
    [{ seed: Number.NaN }, /seed must be an integer/],
    [{ fraudRate: 2 }, /fraudRate must be between 0 and 1/],
    [{ startMs: -1 }, /startMs/],
    [{ scenarios: ['phishing'] as never }, /unknown scenario "phishing"/],
  ])('rejects %o with a readable VIGIL_ERR_SIMULATOR_OPTIONS', (bad, message) => {
    expect(() => simulate({ ...small, ...bad })).toThrow(message);
    expect(() => simulate({ ...small, ...bad })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SIMULATOR_OPTIONS' }));
  });
});
