import { VigilError } from '../streams/index.js';

/** Error codes of the fraud topology and its scoring; docs/errors.md is generated from this table. */
export const FraudErrorCodes = {
  VIGIL_ERR_FRAUD_CONFIG: 'The fraud topology was given invalid options (validation limits, scoring batch, topics); the message names the option.',
  VIGIL_ERR_FRAUD_STATE_LAYOUT:
    'The engine found card state it cannot read: a `fraud-card` value of another layout version, or changelogs of the layout before it (fraud-card-state, fraud-card-recent, fraud-dedupe, fraud-scoring-buffer). The message says how to rebuild the state.',
  VIGIL_ERR_INVALID_TRANSACTION: 'A transaction failed validation; it goes to `transactions.dlq` with the reason in `vigil.dlq.reason` (never thrown: a dead-letter header).',
} as const;

export type FraudErrorCode = keyof typeof FraudErrorCodes;

export class FraudError extends VigilError<FraudErrorCode> {}
