/**
 * Metrics hooks, structural so the engine needs no metrics library. The
 * application passes an implementation (src/metrics adapts prom-client);
 * the default records nothing. Labels stay bounded: task and node names,
 * never record keys.
 */
export interface StreamsMetrics {
  /** A record arrived after its window's grace period and was dropped. */
  lateRecordDropped(taskId: string, nodeName: string): void;
  /** A record finished its trip through the task. */
  recordProcessed(taskId: string, latencyMs: number): void;
  /** A record could not be deserialized or processed and was skipped. */
  recordSkipped(taskId: string, reason: string): void;
}

export const noopMetrics: StreamsMetrics = {
  lateRecordDropped: () => {},
  recordProcessed: () => {},
  recordSkipped: () => {},
};
