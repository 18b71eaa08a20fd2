import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/index.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const passThrough = () => ({ process: () => {} });
const kvStore = (name: string) => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.String());

function topologyError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isVigilError(e, 'VIGIL_ERR_TOPOLOGY')) return e.message;
    throw e;
  }
  throw new Error('expected VIGIL_ERR_TOPOLOGY');
}

describe('Topology validation', () => {
  it('rejects a second node with the same name', () => {
    const t = new Topology().addSource('src', 'in');
    expect(topologyError(() => t.addProcessor('src', passThrough, 'src'))).toMatch(/"src" is already added/);
  });

  it('rejects a processor whose parent does not exist', () => {
    const t = new Topology().addSource('src', 'in');
    expect(topologyError(() => t.addProcessor('p', passThrough, 'nope'))).toMatch(/parent "nope" of "p" is not added/);
  });

  it('rejects a processor without parents', () => {
    expect(topologyError(() => new Topology().addProcessor('p', passThrough))).toMatch(/"p" needs at least one parent/);
  });

  it('rejects a sink as a parent', () => {
    const t = new Topology().addSource('src', 'in').addSink('out', 'out-topic', {}, 'src');
    expect(topologyError(() => t.addProcessor('p', passThrough, 'out'))).toMatch(/sink "out" cannot be the parent of "p"/);
  });

  it('rejects two sources reading the same topic', () => {
    const t = new Topology().addSource('a', 'in');
    expect(topologyError(() => t.addSource('b', ['other', 'in']))).toMatch(/topic "in" is already read by source "a"/);
  });

  it('rejects a source with both topics and a pattern, or neither', () => {
    expect(topologyError(() => new Topology().addSource('a', { topics: ['x'], topicPattern: /y/ }))).toMatch(/either a non-empty topics list or a topicPattern/);
    expect(topologyError(() => new Topology().addSource('a', { topics: [] }))).toMatch(/either a non-empty topics list or a topicPattern/);
  });

  it('rejects a duplicate store and a store connected to an unknown processor', () => {
    const t = new Topology().addSource('src', 'in').addProcessor('p', passThrough, 'src').addStateStore(kvStore('s'), 'p');
    expect(topologyError(() => t.addStateStore(kvStore('s'), 'p'))).toMatch(/state store "s" is already added/);
    expect(topologyError(() => t.addStateStore(kvStore('s2'), 'ghost'))).toMatch(/processor "ghost" is not added/);
  });

  it('rejects connecting a store to a source node', () => {
    const t = new Topology().addSource('src', 'in');
    expect(topologyError(() => t.addStateStore(kvStore('s'), 'src'))).toMatch(/can only be connected to processors, not to source "src"/);
  });

  it('rejects connecting a store that was never added', () => {
    const t = new Topology().addSource('src', 'in').addProcessor('p', passThrough, 'src');
    expect(topologyError(() => t.connectProcessorAndStateStores('missing', 'p'))).toMatch(/state store "missing" is not added/);
  });
});

describe('Topology sub-topologies', () => {
  it('groups nodes linked by parents or by a shared store, numbered by sorted source name', () => {
    const t = new Topology()
      .addSource('b-source', 'b')
      .addProcessor('b-proc', passThrough, 'b-source')
      .addSource('a-source', 'a')
      .addProcessor('a-proc', passThrough, 'a-source')
      .addSink('a-sink', 'a-out', {}, 'a-proc')
      .addSource('c-source', 'c')
      .addProcessor('c-proc', passThrough, 'c-source')
      .addStateStore(kvStore('shared'), 'b-proc', 'c-proc');
    const subs = t.describe().subtopologies.map((s) => ({ id: s.id, nodes: s.nodes.map((n) => n.name).sort() }));
    expect(subs).toEqual([
      { id: 0, nodes: ['a-proc', 'a-sink', 'a-source'] },
      { id: 1, nodes: ['b-proc', 'b-source', 'c-proc', 'c-source'] },
    ]);
  });

  it('prefixes internal topics with the application id when planned', () => {
    const t = new Topology()[TOPOLOGY_INTERNALS].addInternalTopic('x-repartition').addSource('src', 'x-repartition').addSink('sink', 'x-repartition', {}, 'src');
    const plan = t[TOPOLOGY_INTERNALS].plan('my-app');
    expect(plan.internalTopics).toEqual(['my-app-x-repartition']);
    expect(plan.subtopologies[0]?.sourceTopics).toEqual(['my-app-x-repartition']);
  });

  it('describes itself in the Kafka Streams text layout', () => {
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor('proc', passThrough, 'src')
      .addStateStore(kvStore('store'), 'proc')
      .addSink('sink', 'out', {}, 'proc');
    expect(t.describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: src (topics: [in])',
        '      --> proc',
        '    Processor: proc (stores: [store])',
        '      --> sink',
        '      <-- src',
        '    Sink: sink (topic: out)',
        '      <-- proc',
        '',
      ].join('\n'),
    );
  });
});
