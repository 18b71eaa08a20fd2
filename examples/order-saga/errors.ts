/**
 * The saga's errors (see ../notifications/errors.ts for why an application
 * has its own family). The message starts with the code, which is what the
 * dead-letter topic's `vigil.error.message` header then shows.
 */
export const SagaErrorCodes = {
  /** A topic carried an event its service does not handle (a producer wrote to the wrong topic). */
  UNEXPECTED_EVENT: 'VIGIL_ERR_SAGA_UNEXPECTED_EVENT',
  /** The warehouse never confirmed a shipment within the retry budget. */
  SHIPPING_WEBHOOK: 'VIGIL_ERR_SHIPPING_WEBHOOK',
} as const;

export type SagaErrorCode = (typeof SagaErrorCodes)[keyof typeof SagaErrorCodes];

export class SagaError extends Error {
  readonly code: SagaErrorCode;
  constructor(code: SagaErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SagaError';
    this.code = code;
  }
}
