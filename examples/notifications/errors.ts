import { VigilError } from '../../src/streams/index.js';

/**
 * The notification service's error codes (docs/errors.md is generated from
 * this table). The message also starts with the code, because a
 * dead-letter record's `vigil.error.code` header is the engine's
 * (VIGIL_ERR_PROCESSING) and only its `vigil.error.message` is the example's.
 */
export const NotificationErrorCodes = {
  VIGIL_ERR_NOTIFY_INVALID_EVENT: 'A `UserSignedUp` has no event id, or no phone/email for the channel it asks for: fix the user record and republish.',
  VIGIL_ERR_NOTIFY_PROVIDER: 'The SMS/email provider rejected the message (4xx) or failed every retry: check the provider, then replay the event from `notifications-dlq`.',
} as const;

export type NotificationErrorCode = keyof typeof NotificationErrorCodes;

export class NotificationError extends VigilError<NotificationErrorCode> {
  constructor(code: NotificationErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, `${code}: ${message}`, options);
  }
}
