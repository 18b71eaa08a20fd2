import { describe, expect, it } from 'vitest';
import { continueOnDeserializationError } from '../../../src/streams/index.js';
import { FRAUD_COMMIT_INTERVAL_MS, fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';

describe('fraudStreamsConfig', () => {
  it('dead-letters undecodable records and commits every 20 ms, for the 100 ms alert budget', () => {
    const config = fraudStreamsConfig({ applicationId: 'fraud' });
    expect(config.deserializationExceptionHandler).toBe(continueOnDeserializationError);
    expect(config.deadLetterTopic).toBe('transactions.dlq');
    expect(config.commitIntervalMs).toBe(20);
    expect(FRAUD_COMMIT_INTERVAL_MS).toBe(20);
  });

  it('lets the caller override any setting', () => {
    expect(fraudStreamsConfig({ applicationId: 'fraud', commitIntervalMs: 250, deadLetterTopic: 'elsewhere' })).toMatchObject({
      commitIntervalMs: 250,
      deadLetterTopic: 'elsewhere',
    });
  });
});
