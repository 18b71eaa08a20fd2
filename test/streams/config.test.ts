import { describe, expect, it } from 'vitest';
import { streamsConfig } from '../../src/streams/config.js';
import { isVigilError } from '../../src/streams/errors.js';

function configError(input: Parameters<typeof streamsConfig>[0]): string {
  try {
    streamsConfig(input);
  } catch (e) {
    if (isVigilError(e, 'VIGIL_ERR_CONFIG')) return e.message;
    throw e;
  }
  throw new Error('expected VIGIL_ERR_CONFIG');
}

describe('streamsConfig', () => {
  it('fills defaults and freezes the result', () => {
    const config = streamsConfig({ applicationId: 'fraud' });
    expect(config.defaultStoreType).toBe('leveldb');
    expect(config.cachingEnabled).toBe(true);
    expect(config.deadLetterTopic).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('rejects an application id that cannot prefix a topic name', () => {
    expect(configError({ applicationId: 'has space' })).toMatch(/^config.applicationId must be 1-249 characters/);
  });

  it('rejects an invalid dead-letter topic and store type', () => {
    expect(configError({ applicationId: 'a', deadLetterTopic: 'bad/topic' })).toMatch(/^config.deadLetterTopic must be a valid topic name/);
    expect(configError({ applicationId: 'a', defaultStoreType: 'rocksdb' as never })).toMatch(/^config.defaultStoreType must be 'memory' or 'leveldb'/);
  });
});
