import type { ModelMetadata } from './metadata.js';

/**
 * Turns feature vectors into fraud probabilities. The ONNX implementation
 * is {@link OnnxScorer}; tests may pass any object with this shape.
 */
export interface Scorer {
  readonly metadata: ModelMetadata;
  /** The probability of fraud for each row (features in metadata order), in row order. */
  score(rows: ReadonlyArray<readonly number[]>): Promise<number[]>;
  close(): Promise<void>;
}
