// The only module that imports prom-client (lint-enforced).
export { createMetricsRegistry, type Registry } from './registry.js';
export { createStreamsMetrics, LATENCY_BUCKETS } from './streams-metrics.js';
export { serveMetrics, type MetricsServer } from './http.js';
export { createLabelledOutcomeMetrics, createShadowMetrics, type LabelledOutcomeSource, type ShadowBatch, type ShadowMetrics } from './shadow-metrics.js';
export { createDriftMetrics, type DriftSource } from './drift-metrics.js';
