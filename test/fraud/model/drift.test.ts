import { describe, expect, it } from 'vitest';
import { DriftTracker, driftReference, driftReferenceOf, psi } from '../../../src/fraud/model/drift.js';
import { seededRandom } from '../../../src/webhook/scheduler.js';

const sample = (n: number, shift: number, seed: number) => {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => [r() * 100 + shift, r() < 0.9 ? 0 : 1]);
};

describe('drift', () => {
  it('PSI is near zero for the training distribution and large for a shifted one', () => {
    const ref = driftReference(['amount', 'flag'], sample(5_000, 0, 1));
    expect(ref.features[0]!.edges).toHaveLength(9);
    expect(ref.features[1]!.edges.length).toBeLessThan(3); // a mostly-zero feature gets few bins
    for (const f of ref.features) expect(f.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);

    const same = new DriftTracker(ref);
    same.observe(sample(5_000, 0, 2));
    const shifted = new DriftTracker(ref);
    shifted.observe(sample(5_000, 40, 3));
    const [amountSame] = same.psi();
    const [amountShifted, flagShifted] = shifted.psi();
    expect(amountSame!.psi).toBeLessThan(0.02);
    expect(amountShifted!.psi).toBeGreaterThan(0.25);
    expect(flagShifted!.psi).toBeLessThan(0.02); // only the amount moved
    expect(shifted.rows).toBe(5_000);
  });

  it('handles empty input and empty bins, and reads the reference only when it fits the features', () => {
    expect(psi([0.5, 0.5], [0, 0])).toBe(0);
    expect(Number.isFinite(psi([1, 0], [0, 10]))).toBe(true);
    const ref = driftReference(['a'], [[1], [2], [3]]);
    expect(driftReferenceOf({ feature_names: ['a'], drift_reference: ref })).toBe(ref);
    expect(driftReferenceOf({ feature_names: ['b'], drift_reference: ref })).toBeUndefined();
    expect(driftReferenceOf({ feature_names: ['a'] })).toBeUndefined();
  });

  it('measures score drift against the model’s scores on its training rows, and drops only a malformed score reference', () => {
    const rows = sample(4_000, 0, 4);
    const trainingScores = rows.map((r) => (r[0] as number) / 100);
    const ref = driftReference(['amount', 'flag'], rows, undefined, trainingScores);
    expect(ref.score?.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const same = new DriftTracker(ref);
    same.observe(rows.slice(0, 2_000), trainingScores.slice(0, 2_000));
    const higher = new DriftTracker(ref);
    higher.observe(rows.slice(0, 2_000), trainingScores.slice(0, 2_000).map((s) => Math.min(1, s + 0.4)));
    expect(same.scorePsi()).toBeLessThan(0.02);
    expect(higher.scorePsi()).toBeGreaterThan(0.25);
    expect(new DriftTracker(driftReference(['a'], [[1], [2]])).scorePsi()).toBeUndefined();
    const broken = { ...ref, score: { edges: [0.5], proportions: [1] } };
    expect(driftReferenceOf({ feature_names: ['amount', 'flag'], drift_reference: broken })).toEqual({ features: ref.features });
  });
});
