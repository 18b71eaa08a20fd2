import type { AlertFeed } from './alert-feed.js';
import type { ReceiverCounters } from './receiver.js';

/**
 * The dashboard's figures in the Prometheus text format. Written by hand
 * because prom-client belongs to src/metrics alone; the names follow its
 * conventions so a scrape config treats both alike.
 */
export function metricsText(feed: AlertFeed, counters: ReceiverCounters, sseClients: number): string {
  const lines: string[] = [];
  lines.push('# HELP vigil_dashboard_webhooks_total Webhooks received, by result.', '# TYPE vigil_dashboard_webhooks_total counter');
  lines.push(`vigil_dashboard_webhooks_total{result="accepted"} ${counters.accepted}`);
  lines.push(`vigil_dashboard_webhooks_total{result="duplicate"} ${counters.duplicate}`);
  lines.push(`vigil_dashboard_webhooks_total{result="invalid_payload"} ${counters.invalidPayload}`);
  lines.push('# HELP vigil_dashboard_webhooks_rejected_total Webhooks answered 401, by reason.', '# TYPE vigil_dashboard_webhooks_rejected_total counter');
  for (const [reason, n] of counters.rejected) lines.push(`vigil_dashboard_webhooks_rejected_total{reason="${reason}"} ${n}`);
  const h = feed.histogram();
  lines.push(
    '# HELP vigil_alert_end_to_end_latency_seconds Transaction append in Kafka to alert accepted by the dashboard.',
    '# TYPE vigil_alert_end_to_end_latency_seconds histogram',
  );
  let cumulative = 0;
  h.bucketsMs.forEach((b, i) => {
    cumulative += h.counts[i] ?? 0;
    lines.push(`vigil_alert_end_to_end_latency_seconds_bucket{le="${b === Infinity ? '+Inf' : b / 1000}"} ${cumulative}`);
  });
  lines.push(`vigil_alert_end_to_end_latency_seconds_sum ${h.sumMs / 1000}`, `vigil_alert_end_to_end_latency_seconds_count ${h.count}`);
  lines.push('# HELP vigil_dashboard_sse_clients Pages connected to the live feed.', '# TYPE vigil_dashboard_sse_clients gauge', `vigil_dashboard_sse_clients ${sseClients}`);
  return `${lines.join('\n')}\n`;
}
