import { describe, expect, it } from 'vitest';
import { DEFAULT_VALIDATION_LIMITS, validateTransaction, validationLimits } from '../../../src/fraud/topology/validation.js';
import type { Transaction } from '../../../src/fraud/schema/types.js';
import { T0, tx } from '../features/builders.js';

const check = (t: Transaction | null, now = T0) => validateTransaction(t, now, DEFAULT_VALIDATION_LIMITS)?.reason ?? null;

describe('validateTransaction', () => {
  it('accepts a plausible payment, a zero-amount probe and a payment just inside the clock skew', () => {
    expect(check(tx())).toBeNull();
    expect(check(tx({ amount_minor: 0 }))).toBeNull();
    expect(check(tx({ event_time_ms: T0 + 3_600_000 }))).toBeNull();
  });

  it.each([
    ['missing-value', null],
    ['missing-card-id', tx({ card_id: '  ' })],
    ['invalid-amount', tx({ amount_minor: Number.NaN })],
    ['invalid-amount', tx({ amount_minor: 12.5 })],
    ['negative-amount', tx({ amount_minor: -1 })],
    ['absurd-amount', tx({ amount_minor: 10_000_001 })],
    ['invalid-event-time', tx({ event_time_ms: 0 })],
    ['future-event-time', tx({ event_time_ms: T0 + 3_600_001 })],
    ['oversized-field', tx({ merchant_id: 'm'.repeat(257) })],
    ['oversized-field', tx({ card_id: '', transaction_id: 'x'.repeat(300) })],
    ['invalid-location', tx({ terminal_location: { latitude: 91, longitude: 0, accuracy_m: 0 } })],
    ['invalid-location', tx({ merchant_location: { latitude: 10, longitude: -180.5, accuracy_m: 0 } })],
    ['invalid-location', tx({ payer_location: { latitude: Number.NaN, longitude: 0, accuracy_m: 10 } })],
    ['invalid-location', tx({ payer_location: { latitude: 1, longitude: 2, accuracy_m: -1 } })],
  ] as const)('rejects %s', (reason, t) => {
    expect(check(t)).toBe(reason);
  });

  it('accepts located fields on the edges of the globe, and their absence', () => {
    expect(check(tx({ terminal_location: { latitude: -90, longitude: 180, accuracy_m: 0 } }))).toBeNull();
    expect(check(tx({ merchant_location: { latitude: 40.7, longitude: -74, accuracy_m: 0 }, payer_location: { latitude: 0, longitude: 0, accuracy_m: 50_000 } }))).toBeNull();
  });

  it('says which located field is wrong and with what values', () => {
    expect(validateTransaction(tx({ payer_location: { latitude: 95, longitude: 1, accuracy_m: 0 } }), T0, DEFAULT_VALIDATION_LIMITS)?.message).toBe(
      'payer_location must be latitude -90..90, longitude -180..180 and accuracy_m >= 0, got 95, 1, 0',
    );
  });

  it('accepts text fields up to the length limit', () => {
    expect(check(tx({ merchant_id: 'm'.repeat(256), device_id: 'd'.repeat(256) }))).toBeNull();
  });

  it('never quotes a huge value in its message (messages become dead-letter headers)', () => {
    const huge = 'x'.repeat(200);
    const message = validateTransaction(tx({ card_id: '', transaction_id: huge }), T0, DEFAULT_VALIDATION_LIMITS)?.message ?? '';
    expect(message).toMatch(/has no card_id/);
    expect(message.length).toBeLessThan(150);
    expect(validateTransaction(tx({ merchant_id: 'm'.repeat(1_000_000) }), T0, DEFAULT_VALIDATION_LIMITS)?.message).toBe(
      'text fields longer than 256 characters: merchant_id (1000000)',
    );
  });

  it('validates its limits once', () => {
    expect(validationLimits({ maxFutureSkewMs: 0 }).maxFutureSkewMs).toBe(0);
    expect(() => validationLimits({ maxAmountMinor: -5 })).toThrow(/maxAmountMinor/);
    expect(Object.isFrozen(validationLimits())).toBe(true);
  });
});
