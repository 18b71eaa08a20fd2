import { VigilError } from '../../streams/index.js';

/**
 * Error codes of the fraud data tools (simulator, fixtures, replay). Each
 * message says what to do next; the CLI prints `code: message`.
 */
export const FraudDataErrorCodes = {
  VIGIL_ERR_SIMULATOR_OPTIONS: 'Simulator options are invalid.',
  VIGIL_ERR_FIXTURE: 'A fixture directory is missing, incomplete or unreadable.',
  VIGIL_ERR_REPLAY_BROKER: 'Replay could not reach or write to a Kafka broker.',
  VIGIL_ERR_REPLAY_REGISTRY: 'Replay could not reach the schema registry or register the schema.',
} as const;

export type FraudDataErrorCode = keyof typeof FraudDataErrorCodes;

export class FraudDataError extends VigilError<FraudDataErrorCode> {}
