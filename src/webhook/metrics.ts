/**
 * The dispatcher's metric hooks, structural so no metrics library is
 * needed here: src/metrics (the only prom-client importer) can implement it
 * with counters and histograms. Every label is bounded: endpoint names come
 * from config, outcomes and reasons from the fixed sets below.
 */
export interface DispatcherMetrics {
  /** One HTTP attempt and how long it took. */
  attempt?(endpoint: string, outcome: AttemptOutcome, seconds: number): void;
  /** An alert reached `endpoint` (2xx); `endToEndSeconds` runs from the transaction's time in Kafka. */
  delivered?(endpoint: string, endToEndSeconds: number): void;
  deadLettered?(endpoint: string, reason: DeadLetterReason): void;
  /** Alerts queued, waiting or in flight per endpoint; sampled at each commit tick. */
  backlog?(endpoint: string, alerts: number): void;
}

export type AttemptOutcome = '2xx' | '410' | '429' | '4xx' | '5xx' | 'timeout' | 'error';
export type DeadLetterReason = 'exhausted' | 'disabled' | 'undecodable';

export const noopDispatcherMetrics: DispatcherMetrics = {};

/** The bounded outcome label of one attempt. */
export function attemptOutcome(status: number | undefined, error: string | undefined): AttemptOutcome {
  if (status === undefined) return error?.startsWith('timeout') ? 'timeout' : 'error';
  if (status >= 200 && status < 300) return '2xx';
  if (status === 410 || status === 429) return String(status) as '410' | '429';
  return status >= 500 ? '5xx' : '4xx';
}
