import { describe, expect, it } from 'vitest';
import type { AlertFeedback, Chargeback, VerdictName } from '../../src/feedback/schema.js';
import { featureListHash, labelRows, timeSplit, trainingCsv, type FeatureRow } from '../../src/feedback/training-set.js';

const row = (id: string, t: number): FeatureRow => ({ transactionId: id, cardId: `c-${id}`, eventTimeMs: t, features: [t, 1.5] });
const verdict = (id: string, v: VerdictName) => [id, { transaction_id: id, verdict: v } as AlertFeedback] as const;
const chargeback = (id: string) => [id, { transaction_id: id } as Chargeback] as const;

describe('training set', () => {
  const rows = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => row(id, 1_000 * (i + 1)));
  const verdicts = new Map([verdict('a', 'VERDICT_CONFIRMED_FRAUD'), verdict('b', 'VERDICT_FALSE_POSITIVE'), verdict('c', 'VERDICT_UNSURE'), verdict('d', 'VERDICT_FALSE_POSITIVE')]);
  const chargebacks = new Map([chargeback('d'), chargeback('f')]);

  it('labels by chargeback first, then decisive verdicts; unsure and nothing are unlabelled', () => {
    const { rows: labelled, summary } = labelRows(rows, verdicts, chargebacks, 'legit');
    expect(labelled.map((r) => [r.transactionId, r.label, r.source])).toEqual([
      ['a', 1, 'verdict_fraud'],
      ['b', 0, 'verdict_legit'],
      ['c', 0, 'unlabelled'],
      ['d', 1, 'chargeback'], // the card holder's dispute beats the analyst's "false positive"
      ['e', 0, 'unlabelled'],
      ['f', 1, 'chargeback'],
    ]);
    expect(summary).toEqual({ rows: 6, fraud: 3, bySource: { chargeback: 2, verdict_fraud: 1, verdict_legit: 1, unlabelled: 2 } });
    const dropped = labelRows(rows, verdicts, chargebacks, 'drop');
    expect(dropped.rows.map((r) => r.transactionId)).toEqual(['a', 'b', 'd', 'f']);
    expect(dropped.summary.bySource.unlabelled).toBe(2);
  });

  it('splits by event time, later rows held out, and writes the CSV train.py reads', () => {
    const { rows: labelled } = labelRows(rows, verdicts, chargebacks, 'legit');
    const split = timeSplit(labelled, 1 / 3);
    expect(split.train.map((r) => r.transactionId)).toEqual(['a', 'b', 'c', 'd']);
    expect(split.test.map((r) => r.transactionId)).toEqual(['e', 'f']);
    expect(Math.max(...split.train.map((r) => r.eventTimeMs))).toBeLessThan(Math.min(...split.test.map((r) => r.eventTimeMs)));
    expect(() => timeSplit(labelled, 1)).toThrow(RangeError);
    expect(trainingCsv(split.test, ['x', 'y'])).toBe('transaction_id,card_id,event_time_ms,label,scenario,x,y\ne,c-e,5000,0,normal,5000,1.5\nf,c-f,6000,1,chargeback,6000,1.5\n');
    expect(featureListHash(['x', 'y'])).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(featureListHash(['y', 'x'])).not.toBe(featureListHash(['x', 'y']));
  });
});
