import type { GeoPoint, Transaction } from '../schema/types.js';
import { FraudError } from '../errors.js';

/** Why a transaction was sent to the dead-letter topic (the `vigil.dlq.reason` header). */
export type RejectionReason =
  | 'missing-value'
  | 'oversized-field'
  | 'missing-card-id'
  | 'invalid-amount'
  | 'negative-amount'
  | 'absurd-amount'
  | 'invalid-event-time'
  | 'future-event-time'
  | 'invalid-location';

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
  /**
   * Longest identifier or code (characters) in a text field. Default 256. A
   * megabyte merchant id would otherwise land in every per-card store and
   * its changelog, past the broker's record size limit.
   */
  readonly maxFieldLength: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = Object.freeze({ maxAmountMinor: 10_000_000, maxFutureSkewMs: 3_600_000, maxFieldLength: 256 });

/** The transaction's text fields, checked against {@link ValidationLimits.maxFieldLength}. */
export const TEXT_FIELDS = ['transaction_id', 'card_id', 'user_id', 'currency', 'merchant_id', 'device_id', 'region'] as const satisfies ReadonlyArray<keyof Transaction>;

/** Text fields of `tx` longer than `limit` characters. */
export function oversizedFields(tx: Transaction, limit: number): Array<(typeof TEXT_FIELDS)[number]> {
  return TEXT_FIELDS.filter((f) => typeof tx[f] === 'string' && (tx[f] as string).length > limit);
}

/** A value for a message: JSON-quoted and cut to 64 characters, so a header never carries a huge field. */
function quoted(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 64 ? `${text.slice(0, 64)}… (${text.length} characters)` : text;
}

export function validationLimits(input: Partial<ValidationLimits> = {}): ValidationLimits {
  const limits = { ...DEFAULT_VALIDATION_LIMITS, ...input };
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', `validation.${field} must be a non-negative integer, got ${value}`);
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
  // First, so that no later message quotes a huge value.
  const oversized = oversizedFields(tx, limits.maxFieldLength);
  if (oversized.length > 0) {
    const sizes = oversized.map((f) => `${f} (${(tx[f] as string).length})`).join(', ');
    return { reason: 'oversized-field', message: `text fields longer than ${limits.maxFieldLength} characters: ${sizes}` };
  }
  if (typeof tx.card_id !== 'string' || tx.card_id.trim() === '') {
    return { reason: 'missing-card-id', message: `transaction ${quoted(tx.transaction_id)} has no card_id` };
  }
  const amount = tx.amount_minor as unknown;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || !Number.isInteger(amount)) {
    return { reason: 'invalid-amount', message: `amount_minor must be an integer number of cents, got ${quoted(amount)}` };
  }
  if (amount < 0) return { reason: 'negative-amount', message: `amount_minor is negative: ${amount}` };
  if (amount > limits.maxAmountMinor) {
    return { reason: 'absurd-amount', message: `amount_minor ${amount} exceeds the limit of ${limits.maxAmountMinor}` };
  }
  const time = tx.event_time_ms as unknown;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0) {
    return { reason: 'invalid-event-time', message: `event_time_ms must be a positive epoch-ms integer, got ${quoted(time)}` };
  }
  if (time > nowMs + limits.maxFutureSkewMs) {
    return {
      reason: 'future-event-time',
      message: `event_time_ms ${time} is ${time - nowMs} ms ahead of the processor clock (limit ${limits.maxFutureSkewMs} ms)`,
    };
  }
  return locationRejection(tx);
}

/** The optional located fields; each, when present, must be a real position. */
export const LOCATED_FIELDS = ['terminal_location', 'merchant_location', 'payer_location'] as const satisfies ReadonlyArray<keyof Transaction>;

/**
 * A located field that is present but is no position on Earth (NaN,
 * latitude beyond ±90, longitude beyond ±180, negative accuracy). The
 * features will read these fields, and one NaN there would poison a card's
 * state for good, so such a payment goes to the dead-letter topic instead.
 */
function locationRejection(tx: Transaction): Rejection | null {
  for (const field of LOCATED_FIELDS) {
    const point = tx[field] as GeoPoint | null | undefined;
    if (point === undefined || point === null) continue;
    const { latitude, longitude, accuracy_m: accuracy } = point;
    const ok =
      Number.isFinite(latitude) && Math.abs(latitude) <= 90 && Number.isFinite(longitude) && Math.abs(longitude) <= 180 && Number.isFinite(accuracy) && accuracy >= 0;
    if (!ok) {
      return {
        reason: 'invalid-location',
        message: `${field} must be latitude -90..90, longitude -180..180 and accuracy_m >= 0, got ${quoted(latitude)}, ${quoted(longitude)}, ${quoted(accuracy)}`,
      };
    }
  }
  return null;
}
