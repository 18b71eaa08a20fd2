import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry };

/**
 * A fresh registry with Node's default process metrics (CPU, memory, event
 * loop lag, GC), prefixed like every Vigil metric.
 */
export function createMetricsRegistry(labels: { [name: string]: string } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  return registry;
}
