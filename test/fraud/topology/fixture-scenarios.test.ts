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
 * what a fraud analyst would name first for that pattern.
 */
const EXPECTED_REASONS: Record<string, string[]> = {
  card_testing: ['small_amount_count_1h', 'channel_online'],
  account_takeover: ['new_device', 'geo_velocity_kmh', 'distance_from_home_km'],
  impossible_travel: ['distance_from_home_km', 'geo_velocity_kmh'],
  mcc_anomaly: ['typical_spend_known', 'amount_vs_max_typical'],
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
  it('alerts on every fraudulent payment of every scenario', () => {
    const fraud = [...run.scenarios].filter(([, s]) => s !== 'normal').map(([id]) => id);
    const alerted = new Set(run.alerts.map((a) => a.transaction?.transaction_id));
    expect(fraud).toHaveLength(53);
    expect(fraud.filter((id) => !alerted.has(id))).toEqual([]);
    expect(new Set(run.alerts.map(scenarioOf))).toEqual(new Set(Object.keys(EXPECTED_REASONS)));
    expect(run.alerts).toHaveLength(53);
  });

  it('does not alert on any of the 1,648 legitimate payments', () => {
    const normal = run.alerts.filter((a) => scenarioOf(a) === 'normal').map((a) => a.transaction?.transaction_id);
    expect([...run.scenarios.values()].filter((s) => s === 'normal')).toHaveLength(1648);
    expect(normal).toEqual([]);
  });

  it.each(Object.entries(EXPECTED_REASONS))('explains %s alerts with its characteristic features', (scenario, features) => {
    const reasons = new Set(run.alerts.filter((a) => scenarioOf(a) === scenario).flatMap((a) => a.reasons.map((r) => r.feature)));
    for (const feature of features) expect(reasons, `${scenario} reasons: ${[...reasons].join(', ')}`).toContain(feature);
  });

  it('gives every alert 1 to 3 positive reasons, the score, the model version and its source coordinates', () => {
    for (const alert of run.alerts) {
      expect(alert.score).toBeGreaterThanOrEqual(scorer.metadata.threshold);
      expect(alert.model_version).toBe(scorer.metadata.version);
      expect(alert.reasons.length).toBeGreaterThanOrEqual(1);
      expect(alert.reasons.length).toBeLessThanOrEqual(3);
      expect(alert.reasons.every((r) => r.contribution > 0 && r.description.length > 0)).toBe(true);
      expect(alert.source?.topic).toBe('transactions');
      expect(alert.alert_id).toBe(`transactions/0/${alert.source?.offset}`);
    }
  });
});
