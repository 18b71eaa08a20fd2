import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { simulate } from '../../../src/fraud/simulator/index.js';
import { backfillFeatures } from '../../../src/fraud/topology/backfill.js';
import type { LabelledFeatureRow } from '../../../src/fraud/topology/backfill.js';

describe('backfillFeatures', () => {
  it('yields one labelled vector per simulated transaction, in order, identical across runs', async () => {
    const sim = simulate({ seed: 7, users: 15, days: 2, startMs: Date.UTC(2026, 0, 5), fraudRate: 0.3 });
    const truth = [...sim];
    const run = async () => {
      const rows: LabelledFeatureRow[] = [];
      for await (const row of backfillFeatures({ profiles: sim.profiles, transactions: truth })) rows.push(row);
      return rows;
    };
    const rows = await run();
    expect(rows.map((r) => r.transactionId)).toEqual(truth.map((t) => t.transaction.transaction_id));
    expect(rows.map((r) => r.scenario)).toEqual(truth.map((t) => t.scenario));
    expect(rows.some((r) => r.label)).toBe(true);
    expect(rows.every((r) => r.features.length === FEATURE_NAMES.length && r.features.every(Number.isFinite))).toBe(true);
    expect(await run()).toEqual(rows);
  });
});
