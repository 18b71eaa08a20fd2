import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, normalizeMessage, parseVigilSchema, vigilSchema, type Alert, type Transaction } from '../../../src/fraud/schema/index.js';

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
    expect(s.messages.map((m) => m.name)).toEqual(['Transaction', 'UserProfile', 'FeatureVector', 'Reason', 'SourceCoordinates', 'Alert', 'GeoPoint']);
    expect(s.messageIndexes('vigil.v1.Transaction')).toEqual([0]);
    expect(s.messageIndexes('vigil.v1.Alert')).toEqual([5]);
    expect(s.messageIndexes('vigil.v1.GeoPoint')).toEqual([6]);
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

  it('leaves the located fields absent, not null, when a transaction has none (old producers round-trip unchanged)', () => {
    const decoded = decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', tx));
    expect('terminal_location' in decoded).toBe(false);
    expect('merchant_location' in decoded).toBe(false);
    expect('payer_location' in decoded).toBe(false);
  });

  it('round-trips an online payment with the merchant location and the payer geolocation kept apart', () => {
    const online: Transaction = {
      ...tx,
      latitude: 47.61,
      longitude: -122.33,
      merchant_location: { latitude: 40.71, longitude: -74.0, accuracy_m: 0 },
      payer_location: { latitude: 47.61, longitude: -122.33, accuracy_m: 25_000 },
    };
    const decoded = decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', online));
    expect(decoded).toEqual(online);
    expect('terminal_location' in decoded).toBe(false);
  });

  it('keeps a payer location at 0,0 distinct from an unknown one', () => {
    const atNullIsland: Transaction = { ...tx, payer_location: { latitude: 0, longitude: 0, accuracy_m: 0 } };
    expect(decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', atNullIsland)).payer_location).toEqual({ latitude: 0, longitude: 0, accuracy_m: 0 });
  });

  it('reads bytes written with the schema before the located fields, and an old reader skips them', () => {
    const old = vigilSchema().text.replace(/\n {2}\/\/ Card-present, contactless and ATM: where[\s\S]*?payer_location = 16;/, '');
    expect(old).not.toContain('terminal_location');
    const oldSchema = parseVigilSchema(old);
    const withTerminal: Transaction = { ...tx, channel: 'CHANNEL_CARD_PRESENT', terminal_location: { latitude: 47.6, longitude: -122.3, accuracy_m: 0 } };
    expect(decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', tx, oldSchema))).toEqual(tx);
    expect(decodeMessage('vigil.v1.Transaction', encodeMessage('vigil.v1.Transaction', withTerminal), oldSchema)).toEqual({ ...tx, channel: 'CHANNEL_CARD_PRESENT' });
  });
});
