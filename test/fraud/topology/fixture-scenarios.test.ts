import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { runFixture } from './fixture-run.js';
import type { FixtureRun } from './fixture-run.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/small', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));

/**
 * Features that must appear among the reasons of each scenario's alerts:
 * what a fraud analyst would name first for that pattern. (mcc_anomaly has
 * two payments here and the committed model alerts on neither; see below.)
 */
const EXPECTED_REASONS: Record<string, string[]> = {
  card_testing: ['channel_online', 'new_merchants_1h'],
  account_takeover: ['geo_velocity_kmh', 'distance_from_home_km'],
  impossible_travel: ['distance_from_home_km', 'geo_velocity_kmh'],
  bust_out: ['sum_24h', 'sum_1h'],
};

let scorer: OnnxScorer;
let run: FixtureRun;
const scenarioOf = (a: Alert) => run.scenarios.get(a.transaction?.transaction_id ?? '') ?? 'unknown';

beforeAll(async () => {
  scorer = await OnnxScorer.load({ modelPath: MODEL });
  run = await runFixture(FIXTURE, scorer);
});
afterAll(async () => {
  await scorer?.close();
});

describe('fraud topology on the small fixture (seed 42, 200 users, 3 days) with the committed model', () => {
  // The model is chosen for traffic it was not trained on (models/eval/REPORT.md), not to catch
  // every payment of this fixture, which comes from its own training simulator: an earlier model
  // that alerted on all 53 here fell to PR-AUC 0.38-0.70 on shifted worlds. What the fixture pins
  // down is the committed model's operating point: no false alarm, three quarters of the fraud.
  it('alerts on at least 70% of the fraudulent payments, in every scenario the model is meant to see here', () => {
    const fraud = [...run.scenarios].filter(([, s]) => s !== 'normal').map(([id]) => id);
    const alerted = new Set(run.alerts.map((a) => a.transaction?.transaction_id));
    expect(fraud).toHaveLength(53);
    expect(fraud.filter((id) => alerted.has(id)).length).toBeGreaterThanOrEqual(Math.ceil(0.7 * 53));
    expect(new Set(run.alerts.map(scenarioOf).filter((s) => s !== 'normal'))).toEqual(new Set(Object.keys(EXPECTED_REASONS)));
  });

  // The impossible-travel rule also fires on the cardholder's own payment right after a fraudster
  // used the card far away (the card is compromised; its label says legitimate): no other false alarm.
  it('raises no false alarm on the 1,648 legitimate payments but the rule’s, on cards just used by a fraudster far away', () => {
    const normal = run.alerts.filter((a) => scenarioOf(a) === 'normal');
    expect([...run.scenarios.values()].filter((s) => s === 'normal')).toHaveLength(1648);
    expect(normal.length).toBeLessThanOrEqual(2);
    for (const a of normal) {
      expect(a.reasons[0]?.description).toMatch(/^impossible travel \(rule\)/);
      const card = a.transaction?.card_id;
      const t = a.transaction?.event_time_ms ?? 0;
      const fraudJustBefore = run.alerts.some((f) => f.transaction?.card_id === card && scenarioOf(f) !== 'normal' && (f.transaction?.event_time_ms ?? 0) < t && (f.transaction?.event_time_ms ?? 0) > t - 3_600_000);
      expect(fraudJustBefore, `${a.transaction?.transaction_id}: a fraudulent payment on the card in the hour before`).toBe(true);
    }
  });

  it.each(Object.entries(EXPECTED_REASONS))('explains %s alerts with its characteristic features', (scenario, features) => {
    const reasons = new Set(run.alerts.filter((a) => scenarioOf(a) === scenario).flatMap((a) => a.reasons.map((r) => r.feature)));
    for (const feature of features) expect(reasons, `${scenario} reasons: ${[...reasons].join(', ')}`).toContain(feature);
  });

  it('gives every alert 1 to 3 positive reasons, the score, the model version and its source coordinates', () => {
    for (const alert of run.alerts) {
      // At or above the model's threshold, or raised by the impossible-travel rule (its reason first).
      if (alert.score < scorer.metadata.threshold) expect(alert.reasons[0]?.description).toMatch(/^impossible travel \(rule\)/);
      expect(alert.model_version).toBe(scorer.metadata.version);
      expect(alert.reasons.length).toBeGreaterThanOrEqual(1);
      expect(alert.reasons.length).toBeLessThanOrEqual(3);
      expect(alert.reasons.every((r) => r.contribution > 0 && r.description.length > 0)).toBe(true);
      expect(alert.source?.topic).toBe('transactions');
      expect(alert.alert_id).toBe(`transactions/0/${alert.source?.offset}`);
    }
  });
});
