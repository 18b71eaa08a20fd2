/**
 * Works out, before start, which topics the application needs and how many
 * partitions (= tasks) each sub-topology has: the co-partitioning check,
 * repartition topic sizes and changelog topics. Pure: partition counts of
 * the user's topics come in, topic specs go out.
 */
import { VigilError } from '../errors.js';
import type { TopologyPlan } from '../processor/internal/topology-model.js';
import type { TopicSpec } from './kafka/types.js';

export interface TopicLayout {
  /** sub-topology id → number of tasks (the partition count of its sources) */
  readonly taskCounts: ReadonlyMap<number, number>;
  /** every topic the consumer subscribes to → the sub-topology that reads it */
  readonly sourceTopics: ReadonlyMap<string, number>;
  /** store name → its changelog topic */
  readonly changelogs: ReadonlyMap<string, string>;
  /** repartition and changelog topics to create (existing ones are left alone) */
  readonly internalTopics: readonly TopicSpec[];
}

export function changelogTopic(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/**
 * @param externalCounts partition count of each user topic the topology reads; missing means the topic does not exist
 * @param loggedStores sub-topology id → names of its stores with logging enabled
 */
export function planTopicLayout(
  plan: TopologyPlan,
  applicationId: string,
  externalCounts: ReadonlyMap<string, number>,
  loggedStores: ReadonlyMap<number, readonly string[]>,
  replicationFactor = 1,
): TopicLayout {
  for (const t of plan.global?.sourceTopics ?? []) {
    if (!externalCounts.has(t)) {
      throw new VigilError('VIGIL_ERR_CONFIG', `global source topic "${t}" does not exist; create it before starting the application`);
    }
  }
  const internal = new Set(plan.internalTopics);
  const subs = plan.subtopologies.map((s) => ({ id: s.id as number, sources: [...s.sourceTopics], plan: s }));
  for (const s of subs) {
    if (s.plan.sourcePatterns.length > 0) {
      throw new VigilError('VIGIL_ERR_CONFIG', `sub-topology ${s.id} subscribes by pattern, which the Kafka runtime does not support yet; list the source topics explicitly`);
    }
    for (const t of s.sources) {
      if (!internal.has(t) && !externalCounts.has(t)) {
        throw new VigilError('VIGIL_ERR_CONFIG', `source topic "${t}" does not exist; create it before starting the application (the runtime creates only internal topics)`);
      }
    }
  }
  // Repartition topic → sub-topologies that write it (through a static sink topic).
  const writers = new Map<string, number[]>();
  for (const s of subs) {
    for (const node of s.plan.nodes) {
      if (node.kind !== 'sink' || typeof node.topic !== 'string') continue;
      const topic = s.plan.resolveTopic(node.topic);
      if (!internal.has(topic)) continue;
      writers.set(topic, [...(writers.get(topic) ?? []), s.id]);
    }
  }
  const counts = new Map<string, number>(externalCounts);
  const maxExternal = Math.max(1, ...subs.flatMap((s) => s.sources.filter((t) => !internal.has(t)).map((t) => externalCounts.get(t) ?? 0)));
  // A sub-topology that reads a user topic fixes the size of the repartition topics it joins with (Kafka Streams' co-partitioning enforcer).
  for (const s of subs) {
    const external = s.sources.filter((t) => !internal.has(t));
    const first = external[0];
    if (first === undefined) continue;
    for (const t of s.sources) if (internal.has(t) && !counts.has(t)) counts.set(t, externalCounts.get(first) ?? 1);
  }
  // Otherwise a repartition topic is as large as the widest input of the sub-topologies writing it; iterate for chains.
  for (let round = 0; round <= subs.length; round++) {
    for (const topic of internal) {
      if (counts.has(topic)) continue;
      const known = (writers.get(topic) ?? []).flatMap((id) => subs.find((x) => x.id === id)?.sources.map((t) => counts.get(t)) ?? []);
      if (known.length > 0 && known.every((c) => c !== undefined)) counts.set(topic, Math.max(...(known as number[])));
    }
  }
  for (const topic of internal) if (!counts.has(topic)) counts.set(topic, maxExternal);

  const taskCounts = new Map<number, number>();
  const sourceTopics = new Map<string, number>();
  for (const s of subs) {
    const sizes = s.sources.map((t) => ({ topic: t, partitions: counts.get(t) as number }));
    const distinct = new Set(sizes.map((x) => x.partitions));
    if (distinct.size > 1) {
      throw new VigilError(
        'VIGIL_ERR_COPARTITIONING',
        `sub-topology ${s.id} joins topics that are not co-partitioned: ${sizes.map((x) => `${x.topic} (${x.partitions})`).join(', ')}; ` +
          'give them the same number of partitions (and the same key partitioner), or repartition one side with KStream.repartition()',
      );
    }
    taskCounts.set(s.id, sizes[0]?.partitions ?? 0);
    for (const t of s.sources) sourceTopics.set(t, s.id);
  }

  const changelogs = new Map<string, string>();
  const specs: TopicSpec[] = [];
  for (const topic of internal) {
    specs.push({ topic, partitions: counts.get(topic) as number, replicationFactor, config: {} });
  }
  for (const s of subs) {
    for (const store of loggedStores.get(s.id) ?? []) {
      const topic = changelogTopic(applicationId, store);
      changelogs.set(store, topic);
      specs.push({ topic, partitions: taskCounts.get(s.id) as number, replicationFactor, config: { 'cleanup.policy': 'compact' } });
    }
  }
  return { taskCounts, sourceTopics, changelogs, internalTopics: specs };
}
