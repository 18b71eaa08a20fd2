import { encodeMessage, vigilSchema, type Alert } from '../../src/fraud/schema/index.js';
import { encodeWireFormat } from '../../src/streams/index.js';

/** One realistic alert, shared by the webhook and dashboard tests. */
export function sampleAlert(n = 0, overrides: Partial<Alert> = {}): Alert {
  return {
    alert_id: `a-${n}`,
    transaction: {
      transaction_id: `t-${n}`, card_id: `card-${n % 7}`, user_id: `u-${n}`, amount_minor: 129_900 + n, currency: 'USD', merchant_id: 'm-electronics-1', mcc: 5732,
      latitude: 40.7, longitude: -74, device_id: 'd-1', channel: 'CHANNEL_ONLINE', region: n % 2 ? 'us-west' : 'us-east', event_time_ms: 1_764_000_000_000 + n,
    },
    score: 0.97,
    model_version: 'fraud-v1',
    reasons: [
      { feature: 'geo_velocity_kmh', value: 4200, contribution: 2.1, description: 'impossible travel' },
      { feature: 'amount_zscore', value: 6.3, contribution: 1.4, description: 'amount far above the usual' },
    ],
    source: { topic: 'transactions', partition: 2, offset: 77 + n },
    ...overrides,
  };
}

/** The alert as the topology writes it: Confluent wire format, message index of Alert. */
export function framedAlert(a: Alert, schemaId = 1): Buffer {
  return encodeWireFormat({ schemaId, messageIndexes: vigilSchema().messageIndexes('vigil.v1.Alert'), payload: encodeMessage('vigil.v1.Alert', a) });
}
