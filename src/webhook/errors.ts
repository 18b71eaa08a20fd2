/**
 * The webhook module's error codes. Every error carries one of these, a
 * message that says what to do next, and the cause when there was one.
 * `docs/webhooks.md` documents each code; a test keeps the two in step.
 */
export const WebhookErrorCodes = {
  VIGIL_ERR_WEBHOOK_CONFIG: 'The dispatcher or dashboard configuration is invalid.',
  VIGIL_ERR_WEBHOOK_SECRET: 'A signing secret is missing, unreadable or not whsec_-prefixed base64.',
  VIGIL_ERR_WEBHOOK_VERIFY: 'A webhook failed verification (headers, timestamp, signature or replay).',
  VIGIL_ERR_WEBHOOK_DECODE: 'An alert record could not be decoded.',
  VIGIL_ERR_WEBHOOK_STATE: 'The delivery-state topic could not be read or written.',
} as const;

export type WebhookErrorCode = keyof typeof WebhookErrorCodes;

export class WebhookError extends Error {
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebhookError';
    this.code = code;
  }
}

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
