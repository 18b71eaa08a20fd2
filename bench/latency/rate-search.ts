/**
 * How the latency harness picks its offered rates and judges a step
 * (issue 12). Pure functions and a small state machine, tested alone.
 *
 * - **Keeps up** (throughput only, latency plays no part): the delivered
 *   rate is at least 98 % of the offered rate and the lag (transactions
 *   appended but not yet alerted) does not grow over the step.
 * - **Sustainable rate**: found by doubling from the start rate until a step
 *   fails to keep up, then by geometric bisection between the highest rate
 *   kept up and the lowest that was not, until they are within `resolution`.
 * - **Within budget**: the highest tested rate at which that rate and every
 *   lower tested rate kept up with p99 within the budget (contiguous: a
 *   passing rate above a failing one does not count).
 */

export const KEEP_UP_SHARE = 0.98;

/** One lag reading during a step: seconds since the step started, transactions not yet alerted. */
export interface LagSample {
  t: number;
  lag: number;
}

/** Least-squares slope of lag against time (transactions per second); 0 with fewer than 3 samples. */
export function lagSlope(samples: readonly LagSample[]): number {
  if (samples.length < 3) return 0;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const ml = samples.reduce((a, s) => a + s.lag, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.lag - ml);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface KeepUpInput {
  rate: number;
  seconds: number;
  sent: number;
  /** Offered rate × the share of the step's transactions alerted by the end of the step's settle time. */
  deliveredRate: number;
  lag: readonly LagSample[];
  /** The system's commit interval: alerts appear in bursts of up to one interval's worth (exactly-once). */
  commitIntervalMs?: number;
}

/**
 * Lag growth allowed over a step: 2 % of what was sent (the same slack as the
 * rate rule) plus one commit interval's worth of transactions, since output
 * arrives in commit-sized bursts and the slope of a sawtooth over a few
 * seconds is not zero (smoke runs: within ±0.1 s × rate at rates kept up);
 * at least 20 transactions.
 */
export function lagGrowthAllowed(sent: number, rate: number, commitIntervalMs = 100): number {
  return Math.max(20, sent * (1 - KEEP_UP_SHARE) + (rate * commitIntervalMs) / 1000);
}

export function keepsUp(s: KeepUpInput): { keptUp: boolean; lagGrowth: number } {
  const lagGrowth = Math.round(lagSlope(s.lag) * s.seconds);
  const keptUp = s.deliveredRate >= s.rate * KEEP_UP_SHARE && lagGrowth <= lagGrowthAllowed(s.sent, s.rate, s.commitIntervalMs);
  return { keptUp, lagGrowth };
}

/**
 * The p99 a step is judged by against the budget: append → alert *visible*
 * to a read_committed consumer where it was measured (what the dispatcher
 * and the dashboard see), else append → alert appended (older results).
 * Under exactly-once a system that sends into the open transaction as it
 * goes (Kafka Streams; Vigil since its eager sends) appends an alert long
 * before it commits it, so the append alone would flatter it. The ceiling
 * has no alerts to be late (0).
 */
export function budgetP99(step: { appendToAlert: { p99: number }; appendToVisible?: { p99: number } | null }, ceiling: boolean): number {
  if (ceiling) return 0;
  return step.appendToVisible?.p99 ?? step.appendToAlert.p99;
}

export interface JudgedStep {
  rate: number;
  keptUp: boolean;
  p99: number;
}

/** The highest tested rate such that it and every lower tested rate kept up within the budget; 0 if the lowest did not. */
export function withinBudgetRate(steps: readonly JudgedStep[], budgetMs: number): number {
  const sorted = [...steps].sort((a, b) => a.rate - b.rate);
  let best = 0;
  for (const s of sorted) {
    if (!s.keptUp || !(s.p99 <= budgetMs)) break;
    best = s.rate;
  }
  return best;
}

/** The highest tested rate kept up below the lowest rate that was not (the bisection's lower bound). */
export function sustainableRate(steps: readonly JudgedStep[]): number {
  const failed = steps.filter((s) => !s.keptUp).map((s) => s.rate);
  const ceiling = failed.length ? Math.min(...failed) : Number.POSITIVE_INFINITY;
  const kept = steps.filter((s) => s.keptUp && s.rate < ceiling).map((s) => s.rate);
  return kept.length ? Math.max(...kept) : 0;
}

export interface RateSearchOptions {
  start: number;
  /** Never offer more than this (the harness's own producer has a limit); a system that keeps up here is reported as ≥ max. */
  max: number;
  /** Stop bisecting once the failing rate is within this factor of the passing one (1.1 = 10 %). */
  resolution: number;
  maxSteps: number;
  /** Never offer less than this when searching downwards from a failing start. */
  min?: number;
}

/** Doubling, then bisection, on the keep-up verdict alone. */
export class RateSearch {
  private lo = 0;
  private hi = Number.POSITIVE_INFINITY;
  private readonly tested: number[] = [];

  constructor(private readonly o: RateSearchOptions) {}

  /** The next rate to offer, or undefined when the search is done. */
  next(): number | undefined {
    if (this.tested.length >= this.o.maxSteps) return undefined;
    const min = this.o.min ?? 1;
    let rate: number;
    if (this.hi === Number.POSITIVE_INFINITY) {
      rate = this.lo === 0 ? this.o.start : Math.min(this.o.max, this.lo * 2);
      if (this.lo >= this.o.max) return undefined;
    } else if (this.lo === 0) {
      rate = Math.floor(this.hi / 2);
      if (rate < min) return undefined;
      return rate;
    } else {
      if (this.hi / this.lo <= this.o.resolution) return undefined;
      rate = Math.round(Math.sqrt(this.lo * this.hi));
    }
    if (rate <= this.lo || rate >= this.hi || this.tested.includes(rate)) return undefined;
    return rate;
  }

  record(rate: number, keptUp: boolean): void {
    this.tested.push(rate);
    if (keptUp) this.lo = Math.max(this.lo, rate);
    else this.hi = Math.min(this.hi, rate);
  }

  /** Highest rate kept up below every failure; `capped` when it is the configured maximum (the true rate may be higher). */
  result(): { sustainable: number; capped: boolean } {
    return { sustainable: this.lo, capped: this.lo >= this.o.max };
  }
}
