import { describe, expect, it } from 'vitest';
import { mirrorMakerProperties, serverProperties } from '../../src/cluster/config-files.js';
import { describeTopology } from '../../src/cluster/topology.js';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('serverProperties', () => {
  it('binds a single-node KRaft cluster to 127.0.0.1 with single-replica internal topics', () => {
    const [cluster] = describeTopology('single', 0).clusters;
    const props = parse(serverProperties(cluster!, '/data/x'));
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
    expect(props.get('log.dirs')).toBe('/data/x');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('offsets.topic.num.partitions')).toBe('1');
    expect(props.get('auto.create.topics.enable')).toBe('false');
  });
});

describe('mirrorMakerProperties', () => {
  const props = parse(mirrorMakerProperties(describeTopology('multi-region', 0)));

  it('mirrors transactions from both regions into central and nothing else', () => {
    expect(props.get('clusters')).toBe('central, us-east, us-west');
    expect(props.get('us-east->central.enabled')).toBe('true');
    expect(props.get('us-east->central.topics')).toBe('transactions');
    expect(props.get('us-west->central.enabled')).toBe('true');
    expect([...props.keys()].filter((k) => k.includes('->'))).toHaveLength(4);
    expect(props.get('us-east.bootstrap.servers')).toBe('127.0.0.1:29192');
  });

  it('sets every internal replication factor to 1, which single-broker clusters need', () => {
    const factors = [...props].filter(([k]) => k.endsWith('replication.factor'));
    expect(factors.length).toBe(7);
    expect(factors.every(([, v]) => v === '1')).toBe(true);
  });

  it('rediscovers topics within seconds, not the default 10 minutes', () => {
    expect(Number(props.get('refresh.topics.interval.seconds'))).toBeLessThanOrEqual(10);
  });
});

describe('describeTopology', () => {
  it('shifts every port by the offset so two checkouts can run side by side', () => {
    const base = describeTopology('multi-region', 0);
    const shifted = describeTopology('multi-region', 1000);
    expect(shifted.clusters.map((c) => c.port)).toEqual(base.clusters.map((c) => c.port + 1000));
    expect(shifted.clusters.map((c) => c.controllerPort)).toEqual(base.clusters.map((c) => c.controllerPort + 1000));
    expect(shifted.registry.port).toBe(base.registry.port + 1000);
    expect(shifted.mirrors).toEqual(base.mirrors);
  });
});
