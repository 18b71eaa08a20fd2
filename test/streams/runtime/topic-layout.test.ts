import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../src/streams/dsl/grouped.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { isVigilError } from '../../../src/streams/errors.js';
import type { Topology } from '../../../src/streams/processor/topology.js';
import { planTopicLayout, resolveSourcePatterns } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();

function join(): Topology {
  const b = new StreamsBuilder();
  const users = b.table('users', Consumed.with(S, S));
  b.stream('clicks', Consumed.with(S, S))
    .join(users, (c: string, u: string) => `${c}/${u}`)
    .to('out', Produced.with(S, S));
  return b.build();
}

function regroup(): Topology {
  const b = new StreamsBuilder();
  b.stream('clicks', Consumed.with(S, S))
    .groupBy((_k: string, v: string) => v, Grouped.with(S, S))
    .count()
    .toStream()
    .to('out', Produced.with(S, Serdes.Long()));
  return b.build();
}

const logged = (t: Topology, app: string): Map<number, string[]> =>
  new Map(t[TOPOLOGY_INTERNALS].plan(app).subtopologies.map((s) => [s.id as number, s.stores.map((x) => x.name)]));

describe('planTopicLayout', () => {
  it('runs one task per partition of co-partitioned sources and sizes changelogs to match', () => {
    const t = join();
    const layout = planTopicLayout(t[TOPOLOGY_INTERNALS].plan('app'), 'app', new Map([['users', 3], ['clicks', 3]]), logged(t, 'app'));
    expect([...layout.taskCounts]).toEqual([[0, 3]]);
    expect([...layout.sourceTopics.keys()].sort()).toEqual(['clicks', 'users']);
    expect(layout.internalTopics.map((s) => [s.topic, s.partitions, s.config?.['cleanup.policy']])).toEqual(
      [...layout.changelogs.values()].map((topic) => [topic, 3, 'compact']),
    );
    expect([...layout.changelogs.values()].every((topic) => topic.startsWith('app-') && topic.endsWith('-changelog'))).toBe(true);
  });

  it('fails with VIGIL_ERR_COPARTITIONING naming the topics when joined topics differ in partitions', () => {
    const t = join();
    let error: unknown;
    try {
      planTopicLayout(t[TOPOLOGY_INTERNALS].plan('app'), 'app', new Map([['users', 2], ['clicks', 4]]), logged(t, 'app'));
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_COPARTITIONING')).toBe(true);
    expect((error as Error).message).toMatch(/clicks \(4\).*users \(2\)|users \(2\).*clicks \(4\)/);
  });

  it('fails clearly when a source topic does not exist', () => {
    const t = join();
    expect(() => planTopicLayout(t[TOPOLOGY_INTERNALS].plan('app'), 'app', new Map([['clicks', 1]]), logged(t, 'app'))).toThrow(/"users" does not exist/);
  });

  it('creates the repartition topic with as many partitions as the sub-topology that writes it reads', () => {
    const t = regroup();
    const plan = t[TOPOLOGY_INTERNALS].plan('app');
    const layout = planTopicLayout(plan, 'app', new Map([['clicks', 6]]), logged(t, 'app'));
    const repartition = plan.internalTopics[0] as string;
    expect(repartition).toMatch(/^app-.*-repartition$/);
    expect(layout.internalTopics.find((s) => s.topic === repartition)?.partitions).toBe(6);
    expect([...layout.taskCounts.values()]).toEqual([6, 6]);
  });
});

/** A stream read by pattern, aggregated per key (one changelog), as the fraud topology reads mirrored topics. */
function mirrored(pattern = /^us-(east|west)\.transactions$/): Topology {
  const b = new StreamsBuilder();
  b.stream(pattern, Consumed.with(S, S))
    .groupByKey(Grouped.with(S, S))
    .count()
    .toStream()
    .to('alerts', Produced.with(S, Serdes.Long()));
  return b.build();
}

const CLUSTER = ['us-east.transactions', 'us-west.transactions', 'transactions', 'transactions.dlq', '__consumer_offsets', 'mm2-offset-syncs.us-east.internal'];

describe('pattern subscriptions', () => {
  it('resolves a source pattern to the matching topics, which become the sub-topology sources', () => {
    const t = mirrored();
    const plan = t[TOPOLOGY_INTERNALS].plan('app');
    const matches = resolveSourcePatterns(plan, 'app', CLUSTER);
    expect([...matches]).toEqual([[0, ['us-east.transactions', 'us-west.transactions']]]);
    const layout = planTopicLayout(plan, 'app', new Map([['us-east.transactions', 4], ['us-west.transactions', 4]]), logged(t, 'app'), 1, matches);
    expect([...layout.sourceTopics].sort()).toEqual([['us-east.transactions', 0], ['us-west.transactions', 0]]);
    expect([...layout.taskCounts]).toEqual([[0, 4]]);
    expect(layout.internalTopics.map((s) => s.partitions)).toEqual([4]);
    expect([...layout.patternSources]).toEqual([[0, ['us-east.transactions', 'us-west.transactions']]]);
  });

  it('never matches the application’s own topics, Kafka’s internal topics or the excluded dead-letter topic', () => {
    const plan = mirrored(/transactions/)[TOPOLOGY_INTERNALS].plan('app');
    const existing = [...CLUSTER, 'app-counts-changelog', '__transaction_state'];
    const matches = resolveSourcePatterns(plan, 'app', existing, ['transactions.dlq']);
    expect(matches.get(0)).toEqual(['transactions', 'us-east.transactions', 'us-west.transactions']);
  });

  it('ignores the lastIndex state of a global regex', () => {
    const plan = mirrored(/^us-(east|west)\.transactions$/g)[TOPOLOGY_INTERNALS].plan('app');
    expect(resolveSourcePatterns(plan, 'app', CLUSTER).get(0)).toEqual(['us-east.transactions', 'us-west.transactions']);
  });

  it('applies the co-partitioning check to the matched topics', () => {
    const t = mirrored();
    const plan = t[TOPOLOGY_INTERNALS].plan('app');
    const matches = resolveSourcePatterns(plan, 'app', CLUSTER);
    let error: unknown;
    try {
      planTopicLayout(plan, 'app', new Map([['us-east.transactions', 4], ['us-west.transactions', 2]]), logged(t, 'app'), 1, matches);
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_COPARTITIONING')).toBe(true);
    expect((error as Error).message).toContain('us-west.transactions (2)');
  });

  it('fails with VIGIL_ERR_CONFIG when a pattern matches no topic, because topics created after start are not picked up', () => {
    const plan = mirrored(/^eu-.*\.transactions$/)[TOPOLOGY_INTERNALS].plan('app');
    let error: unknown;
    try {
      resolveSourcePatterns(plan, 'app', CLUSTER);
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/matches no topic.*resolved once, at start/);
  });

  it('fails with VIGIL_ERR_CONFIG when a matched topic is already read by another sub-topology', () => {
    const b = new StreamsBuilder();
    b.stream('us-east.transactions', Consumed.with(S, S)).to('a', Produced.with(S, S));
    b.stream(/\.transactions$/, Consumed.with(S, S)).to('b', Produced.with(S, S));
    expect(() => resolveSourcePatterns(b.build()[TOPOLOGY_INTERNALS].plan('app'), 'app', CLUSTER)).toThrow(/"us-east\.transactions" .* already read by sub-topology/);
  });

  it('refuses to plan a pattern sub-topology whose pattern was not resolved', () => {
    const t = mirrored();
    expect(() => planTopicLayout(t[TOPOLOGY_INTERNALS].plan('app'), 'app', new Map(), logged(t, 'app'))).toThrow(/pattern was not resolved/);
  });
});
