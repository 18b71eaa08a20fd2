import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Grouped } from '../../../src/streams/dsl/grouped.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { isVigilError } from '../../../src/streams/errors.js';
import type { Topology } from '../../../src/streams/processor/topology.js';
import { planTopicLayout } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';

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
  new Map(t.plan(app).subtopologies.map((s) => [s.id as number, s.stores.map((x) => x.name)]));

describe('planTopicLayout', () => {
  it('runs one task per partition of co-partitioned sources and sizes changelogs to match', () => {
    const t = join();
    const layout = planTopicLayout(t.plan('app'), 'app', new Map([['users', 3], ['clicks', 3]]), logged(t, 'app'));
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
      planTopicLayout(t.plan('app'), 'app', new Map([['users', 2], ['clicks', 4]]), logged(t, 'app'));
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_COPARTITIONING')).toBe(true);
    expect((error as Error).message).toMatch(/clicks \(4\).*users \(2\)|users \(2\).*clicks \(4\)/);
  });

  it('fails clearly when a source topic does not exist', () => {
    const t = join();
    expect(() => planTopicLayout(t.plan('app'), 'app', new Map([['clicks', 1]]), logged(t, 'app'))).toThrow(/"users" does not exist/);
  });

  it('creates the repartition topic with as many partitions as the sub-topology that writes it reads', () => {
    const t = regroup();
    const plan = t.plan('app');
    const layout = planTopicLayout(plan, 'app', new Map([['clicks', 6]]), logged(t, 'app'));
    const repartition = plan.internalTopics[0] as string;
    expect(repartition).toMatch(/^app-.*-repartition$/);
    expect(layout.internalTopics.find((s) => s.topic === repartition)?.partitions).toBe(6);
    expect([...layout.taskCounts.values()]).toEqual([6, 6]);
  });
});
