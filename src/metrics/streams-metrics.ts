import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StreamsMetrics } from '../streams/index.js';

/** Latency buckets in seconds, dense below the 100 ms alert budget. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];

/**
 * The engine's metric hooks as Prometheus series. Labels are bounded: task
 * ids (sub-topology × partition), store and node names, topics and
 * partitions; never keys or card ids.
 */
export function createStreamsMetrics(registry: Registry): Required<StreamsMetrics> {
  const processed = new Counter({
    name: 'vigil_stream_records_processed_total',
    help: 'Records that went through a task',
    labelNames: ['task'],
    registers: [registry],
  });
  const processLatency = new Histogram({
    name: 'vigil_stream_record_process_seconds',
    help: 'Time one record took through its task',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'vigil_stream_records_skipped_total',
    help: 'Records skipped (and dead-lettered) by reason',
    labelNames: ['task', 'reason'],
    registers: [registry],
  });
  const late = new Counter({
    name: 'vigil_stream_late_records_dropped_total',
    help: 'Records that arrived after their window closed',
    labelNames: ['task', 'node'],
    registers: [registry],
  });
  const commitLatency = new Histogram({
    name: 'vigil_stream_commit_seconds',
    help: 'Time to commit: flush stores, produce, commit offsets',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const committedRecords = new Counter({
    name: 'vigil_stream_committed_records_total',
    help: 'Records covered by commits',
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'vigil_stream_consumer_lag_records',
    help: 'Records between the consumer position and the end of the partition',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  });
  const restored = new Gauge({
    name: 'vigil_stream_restore_records',
    help: 'Changelog records restored so far, per store of a task',
    labelNames: ['task', 'store'],
    registers: [registry],
  });
  const restoreTotal = new Gauge({
    name: 'vigil_stream_restore_total_records',
    help: 'Changelog records to restore, per store of a task',
    labelNames: ['task', 'store'],
    registers: [registry],
  });
  const storeEntries = new Gauge({
    name: 'vigil_stream_store_entries',
    help: 'Approximate entries per store of a task',
    labelNames: ['task', 'store'],
    registers: [registry],
  });

  return {
    recordProcessed(task, latencyMs) {
      processed.inc({ task });
      processLatency.observe(latencyMs / 1000);
    },
    recordSkipped: (task, reason) => skipped.inc({ task, reason }),
    lateRecordDropped: (task, node) => late.inc({ task, node }),
    commitLatency(latencyMs, records) {
      commitLatency.observe(latencyMs / 1000);
      committedRecords.inc(records);
    },
    consumerLag: (topic, partition, value) => lag.set({ topic, partition: String(partition) }, value),
    restoreProgress(task, store, done, total) {
      restored.set({ task, store }, done);
      restoreTotal.set({ task, store }, total);
    },
    storeSize: (task, store, entries) => storeEntries.set({ task, store }, entries),
  };
}
