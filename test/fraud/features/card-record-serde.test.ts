import { describe, expect, it } from 'vitest';
import { decodeCardRecord, encodeCardRecord } from '../../../src/fraud/features/card-record-serde.js';
import type { CardRecord } from '../../../src/fraud/features/card-record.js';

const record: CardRecord = {
  state: {
    count: 300,
    meanAmount: 42.123456789,
    m2Amount: 1e-17 + 0.1 + 0.2, // not representable in fewer than 64 bits
    totalAmount: 12_637.03,
    firstEventMs: 1_767_571_200_000,
    lastEventMs: 1_767_657_600_123,
    lastPositionMs: 1_767_657_500_000,
    lastLatitude: -33.8688,
    lastLongitude: 151.2093,
    lastRegion: 'ap-southeast',
    devices: ['dev-1', ''],
    merchants: Array.from({ length: 512 }, (_, i) => `merchant-${i}`),
    categories: ['grocery', 'café ☕', 'x'.repeat(300)],
  },
  recent: [
    { eventTimeMs: 1, amount: 0.07, merchantId: 'm-1', category: 'grocery', region: 'us-east', newMerchant: true },
    { eventTimeMs: 2, amount: 1e9, merchantId: 'm-2', category: 'travel', region: '', newMerchant: false },
  ],
  seen: [
    { transactionId: 'tx-1', eventTimeMs: 1, amountMinor: 7, at: { topic: 'us-east.transactions', partition: 300, offset: 2 ** 40 } },
    { transactionId: 'tx-2', eventTimeMs: 2, amountMinor: 100_000_000_000, at: null },
  ],
};

describe('the fraud-card value encoding', () => {
  it('round-trips every field bit for bit, long strings and non-ASCII included', () => {
    expect(decodeCardRecord(encodeCardRecord(record))).toEqual(record);
    expect(Object.is(decodeCardRecord(encodeCardRecord(record)).state?.m2Amount, record.state?.m2Amount)).toBe(true);
  });

  it('round-trips a card with no state yet', () => {
    const empty: CardRecord = { state: undefined, recent: [], seen: [] };
    expect(decodeCardRecord(encodeCardRecord(empty))).toEqual(empty);
  });

  it('refuses another layout version, and a truncated or padded value, with a coded error', () => {
    const bytes = encodeCardRecord(record);
    const other = Buffer.from(bytes);
    other[0] = 2;
    expect(() => decodeCardRecord(other)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAUD_STATE_LAYOUT', message: expect.stringMatching(/layout version 2/) }));
    expect(() => decodeCardRecord(bytes.subarray(0, bytes.length - 3))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAUD_STATE_LAYOUT' }));
    expect(() => decodeCardRecord(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAUD_STATE_LAYOUT' }));
  });
});
