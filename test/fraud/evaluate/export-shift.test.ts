import { describe, expect, it } from 'vitest';
import { exportShiftRows, type ShiftRow } from '../../../src/fraud/evaluate/export-shift.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { SHIFT_PRESETS, type ShiftPreset } from '../../../src/fraud/simulator/index.js';

const startMs = Date.UTC(2026, 2, 2);

async function rows(preset: ShiftPreset, observedLabels: boolean): Promise<ShiftRow[]> {
  const out: ShiftRow[] = [];
  for await (const r of exportShiftRows(preset, { users: 120, days: 6, startMs, warmupDays: 2, observedLabels })) out.push(r);
  return out;
}

describe('exportShiftRows (npm run eval)', () => {
  const late: ShiftPreset = { ...SHIFT_PRESETS.train!, shift: { ...SHIFT_PRESETS.train!.shift, labelDelayMeanHours: 48, labelMissingShare: 0.3 } };

  it('yields the topology features of every payment after the warm-up, in model order', async () => {
    const all = await rows(SHIFT_PRESETS.processor!, false);
    expect(all.length).toBeGreaterThan(500);
    expect(Math.min(...all.map((r) => r.eventTimeMs))).toBeGreaterThanOrEqual(startMs + 2 * 86_400_000);
    expect(all.every((r) => r.features.length === FEATURE_NAMES.length && r.features.every(Number.isFinite))).toBe(true);
    expect(all.every((r) => r.label === r.trueLabel && r.label === (r.scenario !== 'normal'))).toBe(true);
  });

  it('hides the labels that have not arrived by the end of the history, keeping the truth beside them', async () => {
    const all = await rows(late, true);
    const fraud = all.filter((r) => r.trueLabel);
    const hidden = fraud.filter((r) => !r.label);
    expect(fraud.length).toBeGreaterThan(10);
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.length).toBeLessThan(fraud.length);
    expect(all.filter((r) => !r.trueLabel).every((r) => !r.label)).toBe(true);
    expect(hidden.every((r) => r.scenario !== 'normal')).toBe(true);
  });

  it('computes the same features whether or not labels are observed', async () => {
    const [a, b] = await Promise.all([rows(late, true), rows(late, false)]);
    expect(a.map((r) => r.features)).toEqual(b.map((r) => r.features));
  });
});
