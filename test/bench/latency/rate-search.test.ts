import { describe, expect, it } from 'vitest';
import { RateSearch, budgetP99, keepsUp, lagGrowthAllowed, lagSlope, sustainableRate, withinBudgetRate } from '../../../bench/latency/rate-search.js';

/** Runs a search against a system that keeps up with any rate up to `capacity`. */
function search(capacity: number, start = 100, max = 12_800, resolution = 1.1): { rates: number[]; result: ReturnType<RateSearch['result']> } {
  const s = new RateSearch({ start, max, resolution, maxSteps: 20 });
  const rates: number[] = [];
  for (let r = s.next(); r !== undefined; r = s.next()) {
    rates.push(r);
    s.record(r, r <= capacity);
  }
  return { rates, result: s.result() };
}

describe('RateSearch', () => {
  it('doubles until a step fails, then bisects to within the resolution', () => {
    const { rates, result } = search(866);
    expect(rates.slice(0, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(result.sustainable).toBeLessThanOrEqual(866);
    expect(result.sustainable).toBeGreaterThan(866 / 1.1);
    expect(result.capped).toBe(false);
  });

  it('searches downwards when the start rate already fails', () => {
    const { rates, result } = search(30, 100);
    expect(rates.slice(0, 3)).toEqual([100, 50, 25]);
    expect(result.sustainable).toBeGreaterThan(30 / 1.1);
    expect(result.sustainable).toBeLessThanOrEqual(30);
  });

  it('stops at the maximum and says the rate is capped', () => {
    const { rates, result } = search(1e9, 100, 800);
    expect(rates).toEqual([100, 200, 400, 800]);
    expect(result).toEqual({ sustainable: 800, capped: true });
  });

  it('never exceeds its step budget', () => {
    const s = new RateSearch({ start: 100, max: 1e6, resolution: 1.01, maxSteps: 4 });
    let n = 0;
    for (let r = s.next(); r !== undefined; r = s.next()) {
      s.record(r, true);
      n++;
    }
    expect(n).toBe(4);
  });
});

describe('keepsUp', () => {
  const flat = [0, 1, 2, 3, 4].map((t) => ({ t, lag: 50 }));
  it('passes a step delivered at the offered rate with a flat lag', () => {
    expect(keepsUp({ rate: 500, seconds: 5, sent: 2500, deliveredRate: 495, lag: flat })).toEqual({ keptUp: true, lagGrowth: 0 });
  });

  it('fails a step delivered below 98 % of the offered rate, whatever the lag', () => {
    expect(keepsUp({ rate: 500, seconds: 5, sent: 2500, deliveredRate: 485, lag: flat }).keptUp).toBe(false);
  });

  it('fails a step whose lag grows, even when the delivered rate looks right', () => {
    const growing = [0, 1, 2, 3, 4].map((t) => ({ t, lag: 50 + t * 30 }));
    const v = keepsUp({ rate: 500, seconds: 5, sent: 2500, deliveredRate: 500, lag: growing });
    expect(v.keptUp).toBe(false);
    expect(v.lagGrowth).toBe(150);
    // 2 % of 2,500 plus one 100 ms commit interval at 500/s.
    expect(lagGrowthAllowed(2500, 500)).toBeCloseTo(100);
    expect(lagGrowthAllowed(10, 5)).toBe(20);
  });

  it('does not depend on latency: a constant high lag still keeps up', () => {
    const high = [0, 1, 2, 3, 4].map((t) => ({ t, lag: 5_000 }));
    expect(keepsUp({ rate: 500, seconds: 5, sent: 2500, deliveredRate: 499, lag: high }).keptUp).toBe(true);
  });

  it('computes the least-squares slope', () => {
    expect(lagSlope([{ t: 0, lag: 0 }, { t: 1, lag: 10 }, { t: 2, lag: 20 }])).toBeCloseTo(10);
    expect(lagSlope([{ t: 0, lag: 5 }])).toBe(0);
  });
});

describe('budgetP99', () => {
  it('is the visible p99 where measured, else the appended one; 0 for the ceiling', () => {
    expect(budgetP99({ appendToAlert: { p99: 30 }, appendToVisible: { p99: 150 } }, false)).toBe(150);
    expect(budgetP99({ appendToAlert: { p99: 30 }, appendToVisible: null }, false)).toBe(30);
    expect(budgetP99({ appendToAlert: { p99: 30 } }, false)).toBe(30);
    expect(budgetP99({ appendToAlert: { p99: 30 }, appendToVisible: { p99: 150 } }, true)).toBe(0);
  });
});

describe('withinBudgetRate and sustainableRate', () => {
  const steps = [
    { rate: 100, keptUp: true, p99: 40 },
    { rate: 200, keptUp: true, p99: 120 },
    { rate: 400, keptUp: true, p99: 80 },
    { rate: 800, keptUp: false, p99: 3000 },
    { rate: 566, keptUp: true, p99: 95 },
  ];

  it('is contiguous: a passing rate above a failing one does not count', () => {
    expect(withinBudgetRate(steps, 100)).toBe(100);
    expect(withinBudgetRate(steps, 150)).toBe(566);
  });

  it('is 0 when the lowest rate fails', () => {
    expect(withinBudgetRate([{ rate: 50, keptUp: true, p99: 200 }], 100)).toBe(0);
  });

  it('takes the highest rate kept up below the lowest failure', () => {
    expect(sustainableRate(steps)).toBe(566);
    expect(sustainableRate([...steps, { rate: 300, keptUp: false, p99: 90 }])).toBe(200);
  });
});
