import { VigilError } from '../../streams/index.js';

/** Error codes of the fraud model layer; each message says what to do next. */
export const ModelErrorCodes = {
  VIGIL_ERR_MODEL_LOAD: 'The model or its metadata file could not be read or parsed.',
  VIGIL_ERR_MODEL_METADATA: "The model's metadata does not match the topology's features (names, order or version) or the model's inputs.",
  VIGIL_ERR_MODEL_SCORE: 'The model failed to score a batch.',
} as const;

export type ModelErrorCode = keyof typeof ModelErrorCodes;

export class ModelError extends VigilError<ModelErrorCode> {}
