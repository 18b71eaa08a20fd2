import { describe, expect, it } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import { DEFAULT_COMMIT_INTERVAL_MS, kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';

describe('kafkaStreamsOptions', () => {
  it('splits runtime options from the engine config and defaults the commit interval to 100 ms', () => {
    const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['127.0.0.1:9092'], processingGuarantee: 'exactly_once', instanceId: 'i-1' });
    expect(streamsConfig(streams).commitIntervalMs).toBe(DEFAULT_COMMIT_INTERVAL_MS);
    expect(DEFAULT_COMMIT_INTERVAL_MS).toBe(100);
    expect(runtime.processingGuarantee).toBe('exactly_once');
    expect(runtime.instanceId).toBe('i-1');
    expect(Object.isFrozen(runtime)).toBe(true);
    expect('brokers' in streams).toBe(false);
  });

  it('does not send eagerly by default, and refuses eager sends asked for together with pipelined commits', () => {
    expect(kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'] }).runtime.eagerSends).toBe(false);
    expect(kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], pipelinedCommits: true }).runtime.pipelinedCommits).toBe(true);
    expect(() => kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], pipelinedCommits: true, eagerSends: true })).toThrow(/config\.eagerSends cannot be used with pipelinedCommits/);
  });

  it('keeps an explicit commit interval', () => {
    const { streams } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], commitIntervalMs: 1_000 });
    expect(streamsConfig(streams).commitIntervalMs).toBe(1_000);
  });

  it.each([
    [{ brokers: [] }, /config\.brokers/],
    [{ brokers: ['localhost'] }, /host:port/],
    [{ processingGuarantee: 'exactly_twice' }, /config\.processingGuarantee/],
    [{ instanceId: 'has space' }, /config\.instanceId/],
    [{ sessionTimeoutMs: 3_000, heartbeatIntervalMs: 3_000 }, /heartbeatIntervalMs/],
  ])('rejects %j with VIGIL_ERR_CONFIG', (bad, message) => {
    expect(() => kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], ...(bad as object) })).toThrow(message);
  });

  it('keeps TLS and SASL options as runtime options, out of the engine config, and never prints the password', () => {
    const sasl = { mechanism: 'scram-sha-512' as const, username: 'vigil', password: () => 'pw-never-printed' };
    const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], tls: { ca: 'PEM' }, sasl });
    expect(runtime.sasl?.username).toBe('vigil');
    expect(runtime.tls).toEqual({ ca: 'PEM' });
    expect('sasl' in streams || 'tls' in streams).toBe(false);
    expect(JSON.stringify(runtime)).not.toContain('pw-never-printed');
  });

  it.each([
    [{ sasl: { mechanism: 'gssapi', username: 'u', password: () => 'p' } }, /sasl.mechanism/],
    [{ sasl: { mechanism: 'scram-sha-512', username: '', password: () => 'p' } }, /sasl.username/],
    [{ sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'inline' } }, /sasl.password must be a function/],
    [{ tls: 'yes' }, /config.tls must be true, false or/],
  ])('rejects the security settings %j with VIGIL_ERR_CONFIG', (bad, message) => {
    expect(() => kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], ...(bad as object) })).toThrow(message);
  });
});
