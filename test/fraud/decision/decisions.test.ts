import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/fraud/decision/decision-processor.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import { SwitchableScorer } from '../../../src/fraud/model/switchable-scorer.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { MIN, T0, tx } from '../features/builders.js';
import { fakeMetadata, fraudHarness } from '../topology/harness.js';

/** A model whose score is count_1h / 10, with its own version and threshold. */
const countModel = (version: string, threshold: number): Scorer => ({
  metadata: fakeMetadata({ version, threshold }),
  score: async (rows) => rows.map((r) => (r[FEATURE_NAMES.indexOf('count_1h')] as number) / 10),
  close: async () => {},
});

describe('decisions reported by the decision step', () => {
  it('reports every scored transaction with the live model’s decision and, while a shadow runs, the shadow’s at its own threshold', async () => {
    const scorer = new SwitchableScorer(countModel('live-1', 0.5), { onShadow: () => {} });
    await scorer.setShadow(countModel('shadow-1', 0.3));
    const decisions: Decision[] = [];
    const h = fraudHarness({ scoring: { scorer, onDecision: (d) => decisions.push(d) } });
    try {
      for (let i = 0; i < 5; i++) await h.transactions.pipeInput('c-1', tx({ transaction_id: `t-${i}`, event_time_ms: T0 + i * MIN, merchant_id: `m-${i}` }), T0 + i * MIN);
      expect(decisions.map((d) => d.transactionId)).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4']);
      // count_1h 1..5: live alerts from 5 (0.5), the shadow from 3 (0.3).
      expect(decisions.map((d) => d.live.alerted)).toEqual([false, false, false, false, true]);
      expect(decisions.map((d) => d.shadow?.alerted)).toEqual([false, false, true, true, true]);
      expect(new Set(decisions.map((d) => `${d.live.version}/${d.shadow?.version}`))).toEqual(new Set(['live-1/shadow-1']));
      expect(h.alerts.readValuesToList()).toHaveLength(1); // the shadow never alerts
    } finally {
      await h.driver.close();
      await scorer.close();
    }
  });
});
