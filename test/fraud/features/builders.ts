import type { Transaction, UserProfile } from '../../../src/fraud/schema/types.js';

/** 2026-01-05 00:00 UTC: the hand-made histories start here. */
export const T0 = Date.UTC(2026, 0, 5);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** New York and Los Angeles, ~3,940 km apart. */
export const NYC = { latitude: 40.7128, longitude: -74.006 };
export const LA = { latitude: 34.0522, longitude: -118.2437 };

let counter = 0;

/** A valid grocery payment of 42.00 in New York on card c-1; override what the test is about. */
export function tx(overrides: Partial<Transaction> = {}): Transaction {
  counter += 1;
  return {
    transaction_id: `tx-${counter}`,
    card_id: 'c-1',
    user_id: 'u-1',
    amount_minor: 4200,
    currency: 'USD',
    merchant_id: 'm-grocer',
    mcc: 5411,
    ...NYC,
    device_id: '',
    channel: 'CHANNEL_CARD_PRESENT',
    region: 'us-east',
    event_time_ms: T0,
    ...overrides,
  };
}

export function profile(overrides: Partial<UserProfile> = {}): UserProfile {
  return {
    user_id: 'u-1',
    card_ids: ['c-1'],
    home_latitude: NYC.latitude,
    home_longitude: NYC.longitude,
    home_region: 'us-east',
    account_created_ms: T0 - 400 * 24 * HOUR,
    typical_spend_by_category: { grocery: 40, restaurants: 30 },
    ...overrides,
  };
}
