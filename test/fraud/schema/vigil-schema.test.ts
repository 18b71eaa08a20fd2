import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, normalizeMessage, vigilSchema, type Alert, type Transaction } from '../../../src/fraud/schema/index.js';

const tx: Transaction = {
  transaction_id: 'tx-1-0',
  card_id: 'c-1',
  user_id: 'u-1',
  amount_minor: 9_007_199_254, // large cents stay exact as numbers
  currency: 'USD',
  merchant_id: 'm-1',
  mcc: 5732,
  latitude: 47.6,
  longitude: -122.3,
  device_id: '',
  channel: 'CHANNEL_ONLINE',
  region: 'us-west',
  event_time_ms: 1_767_571_200_123,
};

describe('vigil.v1 schema', () => {
  it('lists top-level messages in file order, which is the Confluent message index', () => {
    const s = vigilSchema();
    expect(s.messages.map((m) => m.name)).toEqual(['Transaction', 'UserProfile', 'FeatureVector', 'Reason', 'SourceCoordinates', 'Alert']);
    expect(s.messageIndexes('vigil.v1.Transaction')).toEqual([0]);
    expect(s.messageIndexes('vigil.v1.Alert')).toEqual([5]);
  });

  it('keeps snake_case field names', () => {
    expect(Object.keys(vigilSchema().type('vigil.v1.Transaction').fields)).toContain('event_time_ms');
  });

  it('round-trips a transaction through Protobuf bytes with int64 as numbers and enums as names', () => {
    expect(decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', tx))).toEqual(tx);
  });

  it('round-trips an alert with a nested transaction and reasons', () => {
    const alert: Alert = {
      alert_id: 'a-1',
      transaction: tx,
      score: 0.97,
      model_version: 'v1',
      reasons: [{ feature: 'geo_velocity_kmh', value: 4200, contribution: 1.5, description: 'too fast' }],
      source: { topic: 'transactions', partition: 2, offset: 41 },
    };
    expect(decodeMessage('vigil.v1.Alert', encodeMessage('vigil.v1.Alert', alert))).toEqual(alert);
  });

  it('normalizes a loose JSON object: defaults filled, int64 strings to numbers, unknown fields dropped', () => {
    const loose = { transaction_id: 't', amount_minor: '250', channel: 2, extra: true };
    const n = normalizeMessage('vigil.v1.Transaction', loose);
    expect(n.amount_minor).toBe(250);
    expect(n.channel).toBe('CHANNEL_ONLINE');
    expect(n.card_id).toBe('');
    expect('extra' in n).toBe(false);
  });
});
