import { VigilError } from '../streams/index.js';

/** The feedback loop's error codes; docs/errors.md is generated from this table. */
export const FeedbackErrorCodes = {
  VIGIL_ERR_VERDICT_INPUT: 'A verdict request was malformed: the body must be {"verdict": "confirmed_fraud" | "false_positive" | "unsure", "analyst": "<name>"}.',
  VIGIL_ERR_VERDICT_UNKNOWN_ALERT: 'A verdict named an alert the dashboard does not hold; pick an alert from the page.',
  VIGIL_ERR_MODEL_VERSION: 'A model version is not a safe directory name or has no fraud.onnx and fraud.metadata.json under the models dir; train it with `vigil train` or `npm run train` first.',
  VIGIL_ERR_MODEL_CONTROL: 'A model-control record could not be written or read; check the broker and registry.',
  VIGIL_ERR_TRAIN_ENV: 'The pinned training environment models/.venv is missing; `npm run train` creates it.',
  VIGIL_ERR_TRAIN_DATA: 'Training could not run on the labelled set (too few fraud labels on one side of the time split, or models/train.py failed); see the message.',
  VIGIL_ERR_FEEDBACK_WRITE: 'A verdict could not be written to the alert-feedback topic; check the broker and registry, then retry.',
} as const;

export type FeedbackErrorCode = keyof typeof FeedbackErrorCodes;

export class FeedbackError extends VigilError<FeedbackErrorCode> {}
