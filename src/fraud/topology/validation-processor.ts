import { ContextualProcessor } from '../../streams/index.js';
import type { Headers, Record } from '../../streams/index.js';
import type { Transaction } from '../schema/types.js';
import { oversizedFields, validateTransaction } from './validation.js';
import type { ValidationLimits } from './validation.js';

/** The stable error code on every record the validation step dead-letters. */
export const INVALID_TRANSACTION_CODE = 'VIGIL_ERR_INVALID_TRANSACTION';

/** Header names on dead-lettered records, next to the engine's own `vigil.error.*`/`vigil.source.*`. */
export const DLQ_HEADERS = {
  code: 'vigil.error.code',
  message: 'vigil.error.message',
  reason: 'vigil.dlq.reason',
  topic: 'vigil.source.topic',
  partition: 'vigil.source.partition',
  offset: 'vigil.source.offset',
  /** Fields cut to the length limit in the dead-lettered copy (the original is at the source coordinates). */
  truncated: 'vigil.dlq.truncated',
} as const;

/** A transaction after validation: valid, or rejected with headers saying why. */
export type CheckedTransaction =
  | { readonly valid: true; readonly transaction: Transaction }
  | { readonly valid: false; readonly transaction: Transaction | null };

/**
 * Tags each transaction valid or rejected. Rejected records get the
 * dead-letter headers here, where the source coordinates are known, and the
 * topology routes them to the dead-letter topic; the stream keeps moving.
 */
export class ValidationProcessor extends ContextualProcessor<string | null, Transaction | null, string | null, CheckedTransaction> {
  constructor(private readonly limits: ValidationLimits) {
    super();
  }

  async process(record: Record<string | null, Transaction | null>): Promise<void> {
    const tx = record.value;
    const rejection = validateTransaction(tx, this.context.currentSystemTimeMs(), this.limits);
    if (rejection === null) {
      await this.context.forward(record.withValue<CheckedTransaction>({ valid: true, transaction: tx as Transaction }));
      return;
    }
    const headers = new Map(record.headers);
    headers.set(DLQ_HEADERS.code, Buffer.from(INVALID_TRANSACTION_CODE));
    headers.set(DLQ_HEADERS.reason, Buffer.from(rejection.reason));
    headers.set(DLQ_HEADERS.message, Buffer.from(rejection.message));
    const source = this.context.recordMetadata();
    if (source) {
      headers.set(DLQ_HEADERS.topic, Buffer.from(source.topic));
      headers.set(DLQ_HEADERS.partition, Buffer.from(String(source.partition)));
      headers.set(DLQ_HEADERS.offset, Buffer.from(source.offset));
    }
    let copy = tx ?? null;
    if (copy && rejection.reason === 'oversized-field') {
      // Re-encoded whole, a megabyte field (more, as decoded garbage grows
      // into replacement characters) would not fit the dead-letter topic,
      // and under exactly-once a record the broker refuses fails the commit.
      const cut = oversizedFields(copy, this.limits.maxFieldLength);
      copy = { ...copy, ...Object.fromEntries(cut.map((f) => [f, (copy as Transaction)[f].slice(0, this.limits.maxFieldLength)])) };
      headers.set(DLQ_HEADERS.truncated, Buffer.from(cut.join(',')));
    }
    const rejected: Headers = headers;
    await this.context.forward(record.withValue<CheckedTransaction>({ valid: false, transaction: copy }).withHeaders(rejected));
  }
}
