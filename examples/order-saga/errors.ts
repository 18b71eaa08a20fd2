import { VigilError } from '../../src/streams/index.js';

/**
 * The order saga's error codes (docs/errors.md is generated from this
 * table). The message starts with the code, which is what the dead-letter
 * topic's `vigil.error.message` header then shows (see ../notifications/errors.ts).
 */
export const SagaErrorCodes = {
  VIGIL_ERR_SAGA_UNEXPECTED_EVENT: 'A saga topic carried an event its service does not handle: a producer wrote to the wrong topic.',
  VIGIL_ERR_SHIPPING_WEBHOOK: 'The warehouse did not confirm a shipment within the retry budget (5xx, timeout, invalid answer or 410): fix the API, then replay from `orders-dlq`.',
} as const;

export type SagaErrorCode = keyof typeof SagaErrorCodes;

export class SagaError extends VigilError<SagaErrorCode> {
  constructor(code: SagaErrorCode, message: string) {
    super(code, `${code}: ${message}`);
  }
}
