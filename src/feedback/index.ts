// The feedback loop: analyst verdicts and delayed labels (chargebacks) as Kafka records.
export { FeedbackError, FeedbackErrorCodes, type FeedbackErrorCode } from './errors.js';
export { KafkaFeedbackSink, type FeedbackSink, type KafkaFeedbackSinkOptions } from './feedback-sink.js';
export {
  ALERT_FEEDBACK_MESSAGE,
  CHARGEBACK_MESSAGE,
  FEEDBACK_PROTO_PATH,
  FEEDBACK_TOPICS,
  feedbackSchemaText,
  type AlertFeedback,
  type Chargeback,
  type VerdictName,
} from './schema.js';
export { VERDICTS, VerdictBook, feedbackFor, parseVerdictRequest, type VerdictCounts, type VerdictRequest } from './verdicts.js';
export { chargebacksFor, type ChargebackOptions } from './chargebacks.js';
export { replayChargebacks, type ChargebackReplayOptions, type ChargebackReplayResult } from './chargeback-replay.js';
