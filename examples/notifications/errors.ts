/**
 * The example's errors. The engine's ErrorCode union is closed, so an
 * application defines its own family; the codes still follow VIGIL_ERR_*
 * and are listed in docs/errors.md. The message starts with the code
 * because the engine's dead-letter headers carry its own code
 * (VIGIL_ERR_PROCESSING) and only the message of the application's error.
 */
export const NotificationErrorCodes = {
  /** The event decoded but cannot be acted on (no id, no address for its channel). */
  INVALID_EVENT: 'VIGIL_ERR_NOTIFY_INVALID_EVENT',
  /** The provider refused the message or stayed down through every retry. */
  PROVIDER: 'VIGIL_ERR_NOTIFY_PROVIDER',
} as const;

export type NotificationErrorCode = (typeof NotificationErrorCodes)[keyof typeof NotificationErrorCodes];

export class NotificationError extends Error {
  readonly code: NotificationErrorCode;
  constructor(code: NotificationErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NotificationError';
    this.code = code;
  }
}
