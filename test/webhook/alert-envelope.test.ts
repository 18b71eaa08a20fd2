import { encodeWireFormat } from '../../src/streams/index.js';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/streams/kafka/index.js';
import { prepareAlert, SOURCE_TIMESTAMP_HEADER, type AlertWebhookBody } from '../../src/webhook/alert-envelope.js';
import { webhookId } from '../../src/webhook/webhook-id.js';
import { framedAlert as framed, sampleAlert } from './alert-fixture.js';

const alert = sampleAlert(0);

function record(value: Buffer | null, headers: ConsumedRecord['headers'] = {}): ConsumedRecord {
  return { topic: 'alerts', partition: 0, offset: '5', key: null, value, timestamp: 1_764_000_000_500, headers };
}

describe('prepareAlert', () => {
  it('derives the webhook-id from the source coordinates, so replays keep it', () => {
    const a = prepareAlert(record(framed(alert)));
    expect(a.id).toBe(webhookId({ topic: 'transactions', partition: 2, offset: 77 }));
    expect(a.id).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
    expect(webhookId({ topic: 'transactions', partition: 2, offset: 78 })).not.toBe(a.id);
  });

  it('builds a Standard Webhooks body with the alert and the source timestamp', () => {
    const body = JSON.parse(prepareAlert(record(framed(alert), { [SOURCE_TIMESTAMP_HEADER]: Buffer.from('1764000000123') })).body) as AlertWebhookBody;
    expect(body.type).toBe('fraud.alert');
    expect(body.data.alert.reasons[0]?.feature).toBe('geo_velocity_kmh');
    expect(body.data.source_timestamp_ms).toBe(1_764_000_000_123);
    expect(body.data.alert_record).toEqual({ topic: 'alerts', partition: 0, offset: '5' });
    const fallback = JSON.parse(prepareAlert(record(framed(alert))).body) as AlertWebhookBody;
    expect(fallback.data.source_timestamp_ms).toBe(1_764_000_000_500);
  });

  it('refuses bytes that are not a framed Alert', () => {
    expect(() => prepareAlert(record(Buffer.from('junk')))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_WEBHOOK_DECODE' }));
    const tx = encodeWireFormat({ schemaId: 1, messageIndexes: [0], payload: Buffer.alloc(0) });
    expect(() => prepareAlert(record(tx))).toThrow(/not vigil.v1.Alert/);
    expect(() => prepareAlert(record(null))).toThrow(/no value/);
  });
});
