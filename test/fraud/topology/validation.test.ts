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
  ] as const)('rejects %s', (reason, t) => {
    expect(check(t)).toBe(reason);
  });

  it('validates its limits once', () => {
    expect(validationLimits({ maxFutureSkewMs: 0 }).maxFutureSkewMs).toBe(0);
    expect(() => validationLimits({ maxAmountMinor: -5 })).toThrow(/maxAmountMinor/);
    expect(Object.isFrozen(validationLimits())).toBe(true);
  });
});
