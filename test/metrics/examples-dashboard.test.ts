import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORDER_SERVICES } from '../../examples/order-saga/app.js';
import { projectRoot } from '../../src/cluster/paths.js';
import { createMetricsRegistry, createStreamsMetrics } from '../../src/metrics/index.js';

interface Dashboard {
  uid: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

const dashboard = JSON.parse(readFileSync(join(projectRoot, 'deploy/grafana/dashboards/examples.json'), 'utf8')) as Dashboard;
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

describe('deploy/grafana/dashboards/examples.json', () => {
  it('only queries series the engine exports', async () => {
    const registry = createMetricsRegistry();
    createStreamsMetrics(registry);
    const known = new Set<string>();
    for (const m of await registry.getMetricsAsJSON()) {
      known.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(m.name + s);
    }
    const referenced = exprs.flatMap((e) => e.match(/\bvigil_[a-z0-9_]+/g) ?? []);
    expect(referenced.length).toBeGreaterThanOrEqual(4);
    expect(referenced.filter((name) => !known.has(name))).toEqual([]);
  });

  it('shows lag and throughput per service (by the scrape job)', () => {
    const lag = exprs.find((e) => e.includes('vigil_stream_consumer_lag_records'));
    const throughput = exprs.find((e) => e.includes('rate(vigil_stream_records_processed_total'));
    expect(lag).toMatch(/sum by \(job\)/);
    expect(throughput).toMatch(/sum by \(job\)/);
    expect(dashboard.uid).not.toBe('vigil-overview');
  });

  it('matches a scrape job for every saga service and the notifier in the example Prometheus config', () => {
    const config = readFileSync(join(projectRoot, 'examples/order-saga/prometheus.yml'), 'utf8');
    const jobs = [...config.matchAll(/job_name: "([^"]+)"/g)].map((m) => m[1]!);
    expect(jobs.sort()).toEqual([...ORDER_SERVICES.map((s) => `orders-${s}`), 'notifier'].sort());
    const selector = /job=~"([^"]+)"/.exec(exprs[0]!)?.[1];
    for (const job of jobs) expect(new RegExp(`^(?:${selector})$`).test(job), job).toBe(true);
  });
});
