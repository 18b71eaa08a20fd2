import { describe, expect, it } from 'vitest';
import { alertIdOf, buildAlert } from '../../../src/fraud/decision/alert.js';
import { explainScore, logOdds } from '../../../src/fraud/decision/explain.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import { tx } from '../features/builders.js';
import { fakeMetadata } from '../topology/harness.js';

const col = (name: string) => FEATURE_NAMES.indexOf(name as never);

/** A logistic model over two features: log-odds = -6 + 2·count_1h + 4·new_device. */
function linearScorer(): Scorer & { calls: number } {
  const metadata = fakeMetadata({ baseline: FEATURE_NAMES.map(() => 0) });
  const scorer = {
    metadata,
    calls: 0,
    async score(rows: ReadonlyArray<readonly number[]>) {
      scorer.calls++;
      return rows.map((r) => 1 / (1 + Math.exp(-(-6 + 2 * (r[col('count_1h')] as number) + 4 * (r[col('new_device')] as number)))));
    },
    async close() {},
  };
  return scorer;
}

function vector(values: Record<string, number>): number[] {
  return FEATURE_NAMES.map((n) => values[n] ?? 0);
}

describe('explainScore (occlusion attribution)', () => {
  it('ranks features by the log-odds the score loses when each is set to its baseline, in one model call', async () => {
    const scorer = linearScorer();
    const features = vector({ count_1h: 3, new_device: 1, amount: 12 });
    const [score] = await scorer.score([features]);
    const reasons = await explainScore(scorer, scorer.metadata, features, score as number);
    expect(reasons.map((r) => r.feature)).toEqual(['count_1h', 'new_device']);
    expect(reasons[0]?.contribution).toBeCloseTo(6, 5);
    expect(reasons[1]?.contribution).toBeCloseTo(4, 5);
    expect(reasons[0]?.value).toBe(3);
    expect(reasons[0]?.description).toBe('transactions on the card in the last hour, this one included: 3');
    // `amount` differs from its baseline but moves nothing: not a reason.
    expect(scorer.calls).toBe(2);
  });

  it('keeps at most maxReasons and drops contributions below minContribution', async () => {
    const scorer = linearScorer();
    const features = vector({ count_1h: 3, new_device: 1 });
    const [score] = await scorer.score([features]);
    const reasons = await explainScore(scorer, scorer.metadata, features, score as number, { maxReasons: 1, minContribution: 0.25 });
    expect(reasons.map((r) => r.feature)).toEqual(['count_1h']);
  });

  it('still names the strongest feature when none reaches minContribution', async () => {
    const scorer = linearScorer();
    const features = vector({ count_1h: 0.01 });
    const [score] = await scorer.score([features]);
    const reasons = await explainScore(scorer, scorer.metadata, features, score as number);
    expect(reasons.map((r) => r.feature)).toEqual(['count_1h']);
    expect(reasons[0]?.contribution).toBeCloseTo(0.02, 5);
  });

  it('computes finite log-odds at probabilities 0 and 1', () => {
    expect(Number.isFinite(logOdds(0))).toBe(true);
    expect(Number.isFinite(logOdds(1))).toBe(true);
    expect(logOdds(0.5)).toBe(0);
  });
});

describe('alerts', () => {
  it('derive their id from the source coordinates, so reprocessing yields the same id', () => {
    const t = tx();
    expect(alertIdOf({ topic: 'transactions', partition: 3, offset: 42 }, t)).toBe('transactions/3/42');
    expect(alertIdOf(null, t)).toBe(`tx/${t.transaction_id}`);
    const alert = buildAlert(t, 0.9, 'm-1', [], { topic: 'transactions', partition: 0, offset: 7 });
    expect(alert).toEqual({ alert_id: 'transactions/0/7', transaction: t, score: 0.9, model_version: 'm-1', reasons: [], source: { topic: 'transactions', partition: 0, offset: 7 } });
  });
});
