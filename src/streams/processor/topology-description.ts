import type { SubtopologyPlan, TopologyPlan } from './internal/topology-model.js';

/** One node as `Topology.describe()` reports it. */
export interface NodeDescription {
  readonly name: string;
  readonly kind: 'source' | 'processor' | 'sink';
  /** Source topics (or the pattern), sink topic, or empty for processors. */
  readonly topics: readonly string[];
  readonly stores: readonly string[];
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

export interface GlobalStoreDescription {
  readonly source: NodeDescription;
  readonly processor: NodeDescription;
  readonly store: string;
}

/** A read-only view of a topology; `toString()` prints it like Kafka Streams does. */
export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  readonly globalStores: readonly GlobalStoreDescription[];
  toString(): string;
}

export function describeTopology(plan: TopologyPlan): TopologyDescription {
  const subtopologies = plan.subtopologies.map((s) => ({ id: s.id as number, nodes: describeNodes(s) }));
  const globalStores: GlobalStoreDescription[] = [];
  if (plan.global) {
    const nodes = describeNodes(plan.global);
    for (const processor of nodes.filter((n) => n.kind === 'processor')) {
      const source = nodes.find((n) => n.name === processor.predecessors[0]);
      if (source) globalStores.push({ source, processor, store: processor.stores[0] ?? '' });
    }
  }
  return {
    subtopologies,
    globalStores,
    toString: () => render(subtopologies, globalStores),
  };
}

function describeNodes(s: SubtopologyPlan): NodeDescription[] {
  const parents = new Map<string, string[]>();
  for (const [parent, kids] of s.children) {
    for (const kid of kids) parents.set(kid, [...(parents.get(kid) ?? []), parent]);
  }
  return s.nodes.map((n) => ({
    name: n.name,
    kind: n.kind,
    topics:
      n.kind === 'source'
        ? n.pattern
          ? [n.pattern.toString()]
          : n.topics.map(s.resolveTopic)
        : n.kind === 'sink'
          ? [typeof n.topic === 'string' ? s.resolveTopic(n.topic) : '<extractor>']
          : [],
    stores: n.kind === 'processor' ? [...n.stores] : [],
    predecessors: parents.get(n.name) ?? [],
    successors: s.children.get(n.name) ?? [],
  }));
}

function render(subs: readonly SubtopologyDescription[], globals: readonly GlobalStoreDescription[]): string {
  const lines = ['Topologies:'];
  const node = (n: NodeDescription): void => {
    if (n.kind === 'source') lines.push(`    Source: ${n.name} (topics: [${n.topics.join(', ')}])`);
    else if (n.kind === 'sink') lines.push(`    Sink: ${n.name} (topic: ${n.topics[0] ?? ''})`);
    else lines.push(`    Processor: ${n.name} (stores: [${n.stores.join(', ')}])`);
    if (n.successors.length > 0) lines.push(`      --> ${n.successors.join(', ')}`);
    if (n.predecessors.length > 0) lines.push(`      <-- ${n.predecessors.join(', ')}`);
  };
  for (const s of subs) {
    lines.push(`   Sub-topology: ${s.id}`);
    s.nodes.forEach(node);
  }
  globals.forEach((g, i) => {
    lines.push(`   Sub-topology: ${subs.length + i} for global store (will not generate tasks)`);
    node(g.source);
    node(g.processor);
  });
  return lines.join('\n') + '\n';
}
