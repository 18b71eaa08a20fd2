// The fraud application's public surface: build the topology, load the
// model, and the feature contract shared by training and serving.
export { buildFraudTopology, toFeatureVector } from './topology/fraud-topology.js';
export type { FraudScoringOptions, FraudSerdes, FraudTopologyOptions } from './topology/fraud-topology.js';
export { FRAUD_COMMIT_INTERVAL_MS, fraudStreamsConfig } from './topology/streams-config.js';
export { DEFAULT_FRAUD_TOPICS, MIRRORED_TRANSACTIONS, mirroredTopicPattern } from './topology/topics.js';
export { DEFAULT_DEDUPE_WINDOW_MS } from './features/card-processor.js';
export type { DedupeOptions, DuplicateTransaction } from './features/card-processor.js';
export type { FraudTopics } from './topology/topics.js';
export { DEFAULT_VALIDATION_LIMITS, validateTransaction, validationLimits } from './topology/validation.js';
export type { Rejection, RejectionReason, ValidationLimits } from './topology/validation.js';
export { DLQ_HEADERS, INVALID_TRANSACTION_CODE } from './topology/validation-processor.js';
export { backfillFeatures } from './topology/backfill.js';
export type { BackfillOptions, LabelledFeatureRow, LabelledInput } from './topology/backfill.js';

export { FEATURES, FEATURE_NAMES, FEATURE_SET_VERSION, describeFeature } from './features/feature-names.js';
export type { FeatureName, FeatureValues } from './features/feature-names.js';
export { computeFeatures } from './features/compute-features.js';
export { CARD_STORE } from './features/feature-stores.js';
export type { CardRecord } from './features/card-record.js';
export type { FeaturedTransaction, ProfiledTransaction } from './features/card-processor.js';

export { OnnxScorer } from './model/onnx-scorer.js';
export type { OnnxScorerOptions } from './model/onnx-scorer.js';
export type { Scorer } from './model/scorer.js';
export { checkModelMetadata, loadModelMetadata } from './model/metadata.js';
export type { ModelMetadata } from './model/metadata.js';
export { ModelError, ModelErrorCodes } from './model/errors.js';
export type { ModelErrorCode } from './model/errors.js';
export { DEFAULT_MICRO_BATCH } from './model/micro-batch.js';
export type { MicroBatchOptions } from './model/micro-batch.js';
export type { ScoredTransaction } from './model/scoring-processor.js';

export { alertIdOf } from './decision/alert.js';
export { DEFAULT_REASON_OPTIONS, explainScore } from './decision/explain.js';
export type { ReasonOptions } from './decision/explain.js';
