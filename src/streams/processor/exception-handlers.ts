import type { ConsumedRecord } from './internal/record-collector.js';
import type { Record } from './record.js';

/** A handler's verdict: skip the record and go on, or stop the task. */
export type HandlerResponse = 'CONTINUE' | 'FAIL';

/** Where an error happened. */
export interface ErrorHandlerContext {
  readonly taskId: string;
  /** The source node (deserialization) or the processor node that threw. */
  readonly nodeName: string;
  /** The consumed record being processed; null inside a punctuator. */
  readonly sourceRecord: ConsumedRecord | null;
}

/**
 * Decides what happens to a consumed record whose key or value cannot be
 * deserialized. On CONTINUE the task skips it, counts it
 * (`recordSkipped(taskId, 'deserialization-error')`) and, when a
 * `deadLetterTopic` is configured, produces the original bytes there with
 * `vigil.error.*` and `vigil.source.*` headers. On FAIL the task throws
 * VIGIL_ERR_DESERIALIZATION.
 */
export type DeserializationExceptionHandler = (context: ErrorHandlerContext, error: unknown) => HandlerResponse;

/**
 * Decides what happens when a processor throws while handling a record (or
 * while punctuating, then `record` is null). On CONTINUE the record is
 * dropped at that node (siblings already forwarded to keep their output),
 * counted (`recordSkipped(taskId, 'processing-error')`) and dead-lettered
 * like a poison record when possible. On FAIL the task throws
 * VIGIL_ERR_PROCESSING.
 */
export type ProcessingExceptionHandler = (
  context: ErrorHandlerContext,
  record: Record<unknown, unknown> | null,
  error: unknown,
) => HandlerResponse;

/** Kafka Streams' default: stop on the first poison record. */
export const failOnDeserializationError: DeserializationExceptionHandler = () => 'FAIL';
/** Skip poison records (and dead-letter them when a dead-letter topic is configured). */
export const continueOnDeserializationError: DeserializationExceptionHandler = () => 'CONTINUE';
/** Kafka Streams' default: a processor error stops the task. */
export const failOnProcessingError: ProcessingExceptionHandler = () => 'FAIL';
/** Skip records whose processing throws. */
export const continueOnProcessingError: ProcessingExceptionHandler = () => 'CONTINUE';
