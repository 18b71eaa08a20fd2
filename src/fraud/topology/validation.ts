import type { Transaction } from '../schema/types.js';

/** Why a transaction was sent to the dead-letter topic (the `vigil.dlq.reason` header). */
export type RejectionReason =
  | 'missing-value'
  | 'missing-card-id'
  | 'invalid-amount'
  | 'negative-amount'
  | 'absurd-amount'
  | 'invalid-event-time'
  | 'future-event-time';

export interface Rejection {
  readonly reason: RejectionReason;
  /** For people reading the DLQ: what was wrong, with the offending value. */
  readonly message: string;
}

/** What counts as plausible; validated and frozen by {@link validationLimits}. */
export interface ValidationLimits {
  /** Amounts above this (minor units) are absurd for a card payment. Default 10,000,000 (100,000.00). */
  readonly maxAmountMinor: number;
  /** How far an event time may lie ahead of the processor's clock. Default 1 hour (clock skew between terminals and us). */
  readonly maxFutureSkewMs: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = Object.freeze({ maxAmountMinor: 10_000_000, maxFutureSkewMs: 3_600_000 });

export function validationLimits(input: Partial<ValidationLimits> = {}): ValidationLimits {
  const limits = { ...DEFAULT_VALIDATION_LIMITS, ...input };
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`validation.${field} must be a non-negative integer, got ${value}`);
    }
  }
  return Object.freeze(limits);
}

/**
 * Checks one decoded transaction. `nowMs` is the processor's clock
 * (`ProcessorContext.currentSystemTimeMs()`, injected): a payment cannot
 * have happened later than now, give or take the allowed skew. Zero amounts
 * pass: card-verification probes are exactly what card testing looks like.
 */
export function validateTransaction(tx: Transaction | null | undefined, nowMs: number, limits: ValidationLimits): Rejection | null {
  if (tx === null || tx === undefined) return { reason: 'missing-value', message: 'the record has no value' };
  if (typeof tx.card_id !== 'string' || tx.card_id.trim() === '') {
    return { reason: 'missing-card-id', message: `transaction ${JSON.stringify(tx.transaction_id)} has no card_id` };
  }
  const amount = tx.amount_minor as unknown;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || !Number.isInteger(amount)) {
    return { reason: 'invalid-amount', message: `amount_minor must be an integer number of cents, got ${String(amount)}` };
  }
  if (amount < 0) return { reason: 'negative-amount', message: `amount_minor is negative: ${amount}` };
  if (amount > limits.maxAmountMinor) {
    return { reason: 'absurd-amount', message: `amount_minor ${amount} exceeds the limit of ${limits.maxAmountMinor}` };
  }
  const time = tx.event_time_ms as unknown;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0) {
    return { reason: 'invalid-event-time', message: `event_time_ms must be a positive epoch-ms integer, got ${String(time)}` };
  }
  if (time > nowMs + limits.maxFutureSkewMs) {
    return {
      reason: 'future-event-time',
      message: `event_time_ms ${time} is ${time - nowMs} ms ahead of the processor clock (limit ${limits.maxFutureSkewMs} ms)`,
    };
  }
  return null;
}
