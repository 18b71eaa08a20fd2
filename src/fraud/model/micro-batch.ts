import { FraudError } from '../errors.js';

/** How the scoring step groups records into one model call. */
export interface MicroBatchOptions {
  /** Score as soon as this many records wait. Default 64. */
  readonly maxBatchSize: number;
  /** Score whatever waits at least this often (wall clock, ms): the latency bound. Default 20. */
  readonly maxDelayMs: number;
}

export const DEFAULT_MICRO_BATCH: MicroBatchOptions = Object.freeze({ maxBatchSize: 64, maxDelayMs: 20 });

export function microBatchOptions(input: Partial<MicroBatchOptions> = {}): MicroBatchOptions {
  const options = { ...DEFAULT_MICRO_BATCH, ...input };
  if (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
    throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', `scoring.batch.maxBatchSize must be a positive integer, got ${options.maxBatchSize}`);
  }
  if (!Number.isSafeInteger(options.maxDelayMs) || options.maxDelayMs < 1) {
    throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', `scoring.batch.maxDelayMs must be a positive integer of milliseconds, got ${options.maxDelayMs}`);
  }
  return Object.freeze(options);
}
