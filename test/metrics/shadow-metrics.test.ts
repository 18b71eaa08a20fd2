import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../src/metrics/index.js';
import { createShadowMetrics } from '../../src/metrics/shadow-metrics.js';

describe('shadow metrics', () => {
  it('counts rows, agreement, would-be alerts per role by each model\'s threshold, and score distributions', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    const m = createShadowMetrics(registry);
    m.observe({ liveVersion: 'v1', shadowVersion: 'v2', liveThreshold: 0.5, shadowThreshold: 0.8, liveScores: [0.9, 0.6, 0.1, 0.95], shadowScores: [0.85, 0.7, 0.9, 0.1] });
    m.shadowFailed('v2');
    const text = await registry.metrics();
    expect(text).toMatch(/vigil_shadow_rows_total\{[^}]*live="v1",shadow="v2"[^}]*\} 4/);
    // Same decision on row 0 (both alert) only: row 1 live-only, row 2 shadow-only, row 3 live-only.
    expect(text).toMatch(/vigil_shadow_agreement_total\{[^}]*live="v1",shadow="v2"[^}]*\} 1/);
    expect(text).toMatch(/vigil_shadow_alerts_total\{[^}]*role="live",version="v1"[^}]*\} 3/);
    expect(text).toMatch(/vigil_shadow_alerts_total\{[^}]*role="shadow",version="v2"[^}]*\} 2/);
    expect(text).toMatch(/vigil_shadow_score_bucket\{le="0.1",[^}]*role="live",version="v1"[^}]*\} 1/);
    expect(text).toMatch(/vigil_shadow_score_count\{[^}]*role="shadow",version="v2"[^}]*\} 4/);
    expect(text).toMatch(/vigil_shadow_failures_total\{[^}]*shadow="v2"[^}]*\} 1/);
  });
});
