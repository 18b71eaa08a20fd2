import { continueOnDeserializationError } from '../../streams/index.js';
import type { StreamsConfigInput } from '../../streams/index.js';
import { DEFAULT_FRAUD_TOPICS } from './topics.js';

/**
 * The engine settings the fraud topology relies on: a record that does not
 * decode (malformed bytes, unknown schema id) is skipped and dead-lettered
 * with the engine's `vigil.error.*` headers instead of stopping the stream.
 * Everything in `input` wins.
 */
export function fraudStreamsConfig(input: StreamsConfigInput): StreamsConfigInput {
  return {
    deserializationExceptionHandler: continueOnDeserializationError,
    deadLetterTopic: DEFAULT_FRAUD_TOPICS.deadLetter,
    ...input,
  };
}
