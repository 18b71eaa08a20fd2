import { describe, expect, it } from 'vitest';
import { haversineKm, simulate, simulateAll } from '../../../src/fraud/simulator/index.js';

const START = Date.UTC(2026, 0, 5);

describe('simulate: realism that the features rely on', () => {
  it('legitimate travel is never faster than a plane; impossible travel always is', () => {
    const { transactions } = simulateAll({ seed: 3, users: 400, days: 10, startMs: START, scenarios: ['impossible_travel'] });
    const last = new Map<string, { lat: number; lon: number; t: number; fraud: boolean }>();
    let fastestLegit = 0;
    let slowestImpossible = Infinity;
    let trips = 0;
    for (const { transaction: t, label } of transactions) {
      const prev = last.get(t.card_id);
      last.set(t.card_id, { lat: t.latitude, lon: t.longitude, t: t.event_time_ms, fraud: label });
      if (!prev) continue;
      const km = haversineKm(prev.lat, prev.lon, t.latitude, t.longitude);
      if (km < 300) continue; // within a city, jitter dominates
      const kmh = km / Math.max((t.event_time_ms - prev.t) / 3_600_000, 1e-6);
      if (!label && !prev.fraud) {
        trips++;
        fastestLegit = Math.max(fastestLegit, kmh);
      } else if (label && !prev.fraud) {
        slowestImpossible = Math.min(slowestImpossible, kmh);
      }
    }
    expect(trips).toBeGreaterThan(20); // there is legitimate travel to compare with
    expect(fastestLegit).toBeLessThan(900);
    expect(slowestImpossible).toBeGreaterThan(2_000);
  });

  it('bust-out victims spend more and more before the max-out', () => {
    const sim = simulate({ seed: 5, users: 300, days: 14, startMs: START, scenarios: ['bust_out'], fraudRate: 0.03 });
    const all = [...sim];
    let early = 0;
    let late = 0;
    for (const incident of sim.incidents) {
      const own = all.filter((t) => t.transaction.user_id === incident.user_id && !t.label).map((t) => t.transaction);
      const from = Math.max(sim.startMs, incident.start_ms - 10 * 86_400_000);
      const span = incident.start_ms - from;
      const mean = (a: number, b: number) => {
        const xs = own.filter((t) => t.event_time_ms >= from + a * span && t.event_time_ms < from + b * span);
        return xs.reduce((s, t) => s + t.amount_minor, 0) / Math.max(xs.length, 1);
      };
      early += mean(0, 0.3);
      late += mean(0.7, 1);
    }
    expect(sim.incidents.length).toBe(9);
    expect(late / early).toBeGreaterThan(1.6);
  });

  it('lists every incident it placed, each with fraud payments for that user from its start', () => {
    const sim = simulate({ seed: 9, users: 200, days: 4, startMs: START });
    const all = [...sim];
    expect(sim.incidents.length).toBe(8); // 4% of 200 users
    for (const incident of sim.incidents) {
      const fraud = all.filter((t) => t.label && t.transaction.user_id === incident.user_id);
      expect(fraud.length, `${incident.scenario} ${incident.user_id}`).toBeGreaterThan(0);
      expect(fraud.every((t) => t.scenario === incident.scenario && t.transaction.event_time_ms >= incident.start_ms)).toBe(true);
    }
  });

  it('estimates the transaction count within 10%', () => {
    const sim = simulate({ seed: 1, users: 1_000, days: 3, startMs: START });
    const n = [...sim].length;
    expect(Math.abs(n - sim.estimatedTransactions) / n).toBeLessThan(0.1);
  });
});
