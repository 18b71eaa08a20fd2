/**
 * Metrics hooks, structural so the engine needs no metrics library. The
 * application passes an implementation (src/metrics adapts prom-client);
 * the default records nothing. Labels stay bounded: task and node names,
 * never record keys.
 *
 * The optional hooks are called by the Kafka runtime (src/streams/runtime);
 * the TopologyTestDriver never calls them.
 */
export interface StreamsMetrics {
  /** A record arrived after its window's grace period and was dropped. */
  lateRecordDropped(taskId: string, nodeName: string): void;
  /** A record finished its trip through the task. */
  recordProcessed(taskId: string, latencyMs: number): void;
  /** A record could not be deserialized or processed and was skipped. */
  recordSkipped(taskId: string, reason: string): void;
  /** A commit (stores flushed, output and offsets written) took this long. */
  commitLatency?(latencyMs: number, records: number): void;
  /** Records between the consumer's position and the end of a source partition. */
  consumerLag?(topic: string, partition: number, lag: number): void;
  /** Restoration of one store of one task: `restored` of `total` changelog records so far. */
  restoreProgress?(taskId: string, storeName: string, restored: number, total: number): void;
  /** Approximate entries in one store of one task. */
  storeSize?(taskId: string, storeName: string, entries: number): void;
}

export const noopMetrics: Required<StreamsMetrics> = {
  lateRecordDropped: () => {},
  recordProcessed: () => {},
  recordSkipped: () => {},
  commitLatency: () => {},
  consumerLag: () => {},
  restoreProgress: () => {},
  storeSize: () => {},
};
