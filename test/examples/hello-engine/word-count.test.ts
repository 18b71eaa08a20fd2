import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countWords } from '../../../examples/hello-engine/word-count.js';
import { KafkaStreams, StreamsBuilder, Topology } from 'vigil/streams';
import { TopologyTestDriver } from 'vigil/streams/testing';
import { connectAdmin } from 'vigil/kafka';

describe('the engine as a package', () => {
  it('runs a topology built from the package entry points alone', async () => {
    const counts = await countWords(['the quick fox', 'The lazy dog']);
    expect(Object.fromEntries(counts)).toEqual({ the: 2, quick: 1, fox: 1, lazy: 1, dog: 1 });
  });

  it('exposes KafkaStreams, the test driver and the Kafka client facade, and no internals', async () => {
    expect(typeof KafkaStreams).toBe('function');
    expect(typeof StreamsBuilder).toBe('function');
    expect(typeof TopologyTestDriver).toBe('function');
    expect(typeof connectAdmin).toBe('function');
    const barrel = await import('vigil/streams');
    for (const internal of ['StreamTask', 'TopologyPlan', 'RecordCollector']) expect(barrel).not.toHaveProperty(internal);
  });

  it('the public Topology shows the Processor API, not the builder internals', () => {
    const topology = new Topology().addSource('in', 'lines');
    // Type-level checks: tsc fails on an unused @ts-expect-error if any of these becomes public again.
    // @ts-expect-error the plan is the engine's (topology-internals.ts)
    void topology.plan;
    // @ts-expect-error internal topics are the DSL's
    void topology.addInternalTopic;
    // @ts-expect-error store factories are the DSL's
    void topology.addStateStoreFactory;
    expect(topology.describe().subtopologies).toHaveLength(1);
  });

  it('the example imports nothing but the entry points', () => {
    const source = readFileSync(new URL('../../../examples/hello-engine/word-count.ts', import.meta.url), 'utf8');
    const specifiers = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(specifiers.sort()).toEqual(['vigil/streams', 'vigil/streams/testing']);
  });
});
