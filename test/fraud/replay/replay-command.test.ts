import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/commands/command.js';
import { parseReplayArgs } from '../../../src/commands/replay.js';

const noEnv = {};

describe('vigil replay flags', () => {
  it('defaults to --max against the local single cluster and its registry', () => {
    const parsed = parseReplayArgs(['test/fixtures/small'], noEnv);
    expect(parsed.fixtureDir).toBe('test/fixtures/small');
    expect(parsed.speed).toBe('max');
    expect(parsed.targets.primary).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(parsed.targets.regions).toBeUndefined();
    expect(parsed.registryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    expect(parsed.topics).toEqual({ transactions: 'transactions', profiles: 'user-profiles' });
  });

  it('sends each region to its own cluster in the multi-region topology', () => {
    const parsed = parseReplayArgs(['fx', '--topology', 'multi-region', '--speed', '60'], noEnv);
    expect(parsed.speed).toBe(60);
    expect(Object.keys(parsed.targets.regions ?? {}).sort()).toEqual(['us-east', 'us-west']);
    expect(parsed.targets.regions!['us-east']).not.toEqual(parsed.targets.regions!['us-west']);
    expect(parsed.targets.primary).not.toEqual(parsed.targets.regions!['us-east']);
  });

  it('takes --brokers and --registry, or KAFKA_BROKERS and SCHEMA_REGISTRY_URL', () => {
    expect(parseReplayArgs(['fx', '--brokers', 'a:1,b:2', '--registry', 'http://r:8/x'], noEnv)).toMatchObject({
      targets: { primary: ['a:1', 'b:2'] },
      registryUrl: 'http://r:8/x',
    });
    expect(parseReplayArgs(['fx'], { KAFKA_BROKERS: 'k:9', SCHEMA_REGISTRY_URL: 'http://s:1/y' })).toMatchObject({
      targets: { primary: ['k:9'] },
      registryUrl: 'http://s:1/y',
    });
  });

  it.each([
    [[], 'which fixture?'],
    [['a', 'b'], 'expected one fixture directory, got 2'],
    [['fx', '--speed', '0'], '--speed must be a positive factor'],
    [['fx', '--speed', 'fast'], '--speed must be a positive factor'],
    [['fx', '--speed', '2', '--max'], '--speed and --max exclude each other'],
    [['fx', '--brokers', 'localhost'], '--brokers must be host:port'],
    [['fx', '--brokers', 'a:1', '--topology', 'single'], '--brokers and --topology exclude each other'],
    [['fx', '--topology', 'global'], 'unknown topology "global"'],
    [['fx', '--registry', 'localhost:8081'], '--registry must be an http(s) URL'],
  ])('rejects %j with a readable usage error', (args, message) => {
    expect(() => parseReplayArgs(args, noEnv)).toThrow(UsageError);
    expect(() => parseReplayArgs(args, noEnv)).toThrow(message);
  });
});
