import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cluster/paths.js';
import { createDriftMetrics, createLabelledOutcomeMetrics, createMetricsRegistry, createShadowMetrics, createStreamsMetrics } from '../../src/metrics/index.js';

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

/** Every series name the application registers, with histogram suffixes. */
async function knownSeries(): Promise<Set<string>> {
  const registry = createMetricsRegistry();
  createStreamsMetrics(registry);
  createShadowMetrics(registry);
  createDriftMetrics(registry, () => ({ version: 'v', features: [{ feature: 'f', psi: 0 }], score: 0 }));
  createLabelledOutcomeMetrics(registry, () => [{ role: 'live', version: 'v', labelled: 1, precision: 1, recall: 1 }]);
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('deploy/grafana/dashboards/vigil.json', () => {
  it('only queries metrics that Vigil exports', async () => {
    const dashboard = JSON.parse(readFileSync(join(projectRoot, 'deploy/grafana/dashboards/vigil.json'), 'utf8')) as Dashboard;
    const known = await knownSeries();
    const referenced = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\bvigil_[a-z0-9_]+/g) ?? []));
    expect(referenced.length).toBeGreaterThan(5);
    const unknown = referenced.filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });
});
