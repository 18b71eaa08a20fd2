import { decodeMessage, vigilSchema, type Alert } from '../fraud/schema/index.js';
import { decodeWireFormat } from '../streams/index.js';
import type { ConsumedRecord } from '../streams/kafka/index.js';
import { WebhookError } from './errors.js';
import { webhookId } from './webhook-id.js';

/**
 * Record header the topology may set with the scored transaction's Kafka
 * timestamp (epoch ms, decimal). Without it the alert record's own
 * timestamp is used: like Kafka Streams, the engine gives an output record
 * its input record's timestamp.
 */
export const SOURCE_TIMESTAMP_HEADER = 'vigil-source-timestamp';

/** The event type in every webhook body. */
export const ALERT_EVENT_TYPE = 'fraud.alert';

/**
 * The JSON body POSTed to endpoints, in the Standard Webhooks payload shape
 * (`type`, `timestamp`, `data`).
 */
export interface AlertWebhookBody {
  type: typeof ALERT_EVENT_TYPE;
  /** ISO-8601 time of the alert record. */
  timestamp: string;
  data: {
    alert: Alert;
    /** The transaction's time in Kafka (epoch ms): the start of end-to-end latency. */
    source_timestamp_ms: number;
    /** Where the alert itself was read from. */
    alert_record: { topic: string; partition: number; offset: string };
  };
}

/** One alert, ready to deliver: its id, body and coordinates. */
export interface PreparedAlert {
  id: string;
  body: string;
  topic: string;
  partition: number;
  offset: string;
  /** The record's value bytes, as they go to the DLQ. */
  raw: Buffer | null;
  /** Card id, for logs (never a metric label). */
  cardId: string;
  /** The transaction's time in Kafka (epoch ms), for end-to-end latency. */
  sourceTimestampMs: number;
}

/** Decodes a Confluent-framed `vigil.v1.Alert` record value. */
export function decodeAlert(value: Buffer): Alert {
  const frame = decodeWireFormat(value);
  const expected = vigilSchema().messageIndexes('vigil.v1.Alert');
  if (frame.messageIndexes.join(',') !== expected.join(',')) {
    throw new WebhookError('VIGIL_ERR_WEBHOOK_DECODE', `record holds message index [${frame.messageIndexes.join(',')}], not vigil.v1.Alert [${expected.join(',')}]; is this the alerts topic?`);
  }
  return decodeMessage('vigil.v1.Alert', frame.payload);
}

function sourceTimestamp(record: ConsumedRecord): number {
  const header = record.headers[SOURCE_TIMESTAMP_HEADER]?.toString();
  const parsed = header === undefined ? NaN : Number(header);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : record.timestamp;
}

/** Turns an alert record into what the dispatcher sends; throws VIGIL_ERR_WEBHOOK_DECODE on bad bytes. */
export function prepareAlert(record: ConsumedRecord): PreparedAlert {
  if (!record.value) throw new WebhookError('VIGIL_ERR_WEBHOOK_DECODE', 'alert record has no value (a tombstone?)');
  let alert: Alert;
  try {
    alert = decodeAlert(record.value);
  } catch (cause) {
    if (cause instanceof WebhookError) throw cause;
    throw new WebhookError('VIGIL_ERR_WEBHOOK_DECODE', `alert record ${record.topic}/${record.partition}@${record.offset} is not a vigil.v1.Alert: ${(cause as Error).message}`, { cause });
  }
  const coordinates = alert.source ?? { topic: record.topic, partition: record.partition, offset: record.offset };
  const sourceTimestampMs = sourceTimestamp(record);
  const body: AlertWebhookBody = {
    type: ALERT_EVENT_TYPE,
    timestamp: new Date(record.timestamp).toISOString(),
    data: {
      alert,
      source_timestamp_ms: sourceTimestampMs,
      alert_record: { topic: record.topic, partition: record.partition, offset: record.offset },
    },
  };
  return {
    id: webhookId(coordinates),
    body: JSON.stringify(body),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    raw: record.value,
    cardId: alert.transaction?.card_id ?? '',
    sourceTimestampMs,
  };
}
