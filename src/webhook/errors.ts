import { VigilError } from '../streams/index.js';

/**
 * The webhook module's error codes. Every error carries one of these, a
 * message that says what to do next, and the cause when there was one.
 * docs/errors.md is generated from this table.
 */
export const WebhookErrorCodes = {
  VIGIL_ERR_WEBHOOK_CONFIG: 'The dispatcher or dashboard configuration is invalid; the message lists every problem.',
  VIGIL_ERR_WEBHOOK_SECRET: 'A signing secret is missing, unreadable, inline, or not `whsec_` base64 of at least 16 bytes.',
  VIGIL_ERR_WEBHOOK_VERIFY: 'A webhook failed verification (headers, timestamp, signature or replay); `reason` says which check.',
  VIGIL_ERR_WEBHOOK_DECODE: 'An alert record is not a Confluent-framed `vigil.v1.Alert`; it goes to the DLQ.',
  VIGIL_ERR_WEBHOOK_STATE: 'The delivery-state topic could not be read at start or written.',
} as const;

export type WebhookErrorCode = keyof typeof WebhookErrorCodes;

export class WebhookError extends VigilError<WebhookErrorCode> {}

/** Why a webhook was rejected; logged by receivers, never sent back to the sender. */
export type VerifyFailure =
  | 'missing-headers'
  | 'bad-timestamp'
  | 'expired'
  | 'future'
  | 'no-matching-signature'
  | 'replayed';

export class WebhookVerificationError extends WebhookError {
  readonly reason: VerifyFailure;

  constructor(reason: VerifyFailure, detail: string) {
    super('VIGIL_ERR_WEBHOOK_VERIFY', `${reason}: ${detail}`);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}
