import { describe, expect, it } from 'vitest';
import { createDriftMetrics, createMetricsRegistry } from '../../src/metrics/index.js';

describe('drift metrics', () => {
  it('exposes the live model\'s PSI per feature at scrape time, and nothing without a reference', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    let now: ReturnType<Parameters<typeof createDriftMetrics>[1]> = undefined;
    createDriftMetrics(registry, () => now);
    expect(await registry.metrics()).not.toMatch(/vigil_feature_psi\{/);
    now = { version: 'v1', features: [{ feature: 'amount_zscore', psi: 0.31 }, { feature: 'count_1h', psi: 0.02 }] };
    const text = await registry.metrics();
    expect(text).toMatch(/vigil_feature_psi\{[^}]*feature="amount_zscore",version="v1"[^}]*\} 0.31/);
    expect(text).toMatch(/vigil_feature_psi\{[^}]*feature="count_1h",version="v1"[^}]*\} 0.02/);
    now = { version: 'v2', features: [{ feature: 'amount_zscore', psi: 0 }] };
    expect(await registry.metrics()).not.toContain('version="v1"'); // a promotion replaces the old series
  });

  it('exposes the live model\'s score PSI when its metadata had a score reference', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    let now: ReturnType<Parameters<typeof createDriftMetrics>[1]> = { version: 'v1', features: [] };
    createDriftMetrics(registry, () => now);
    expect(await registry.metrics()).not.toMatch(/vigil_score_psi\{/);
    now = { version: 'v1', features: [], score: 0.42 };
    expect(await registry.metrics()).toMatch(/vigil_score_psi\{[^}]*version="v1"[^}]*\} 0.42/);
  });
});
