/**
 * Works out, before start, which topics the application needs and how many
 * partitions (= tasks) each sub-topology has: pattern subscriptions resolved
 * against the cluster's topic list, the co-partitioning check, repartition
 * topic sizes and changelog topics. Pure: topic names and partition counts
 * of the user's topics come in, topic specs go out.
 */
import { VigilError } from '../errors.js';
import type { TopologyPlan } from '../processor/internal/topology-model.js';
import type { TopicSpec } from '../kafka/types.js';

export interface TopicLayout {
  /** sub-topology id → number of tasks (the partition count of its sources) */
  readonly taskCounts: ReadonlyMap<number, number>;
  /** every topic the consumer subscribes to → the sub-topology that reads it */
  readonly sourceTopics: ReadonlyMap<string, number>;
  /** store name → its changelog topic */
  readonly changelogs: ReadonlyMap<string, string>;
  /** repartition and changelog topics to create (existing ones are left alone) */
  readonly internalTopics: readonly TopicSpec[];
  /** sub-topology id → the topics its source patterns matched at start (empty map without patterns) */
  readonly patternSources: ReadonlyMap<number, readonly string[]>;
}

/** `pattern.test` without the state a `g` or `y` flag would carry between calls. */
export function patternMatches(pattern: RegExp, topic: string): boolean {
  pattern.lastIndex = 0;
  const hit = pattern.test(topic);
  pattern.lastIndex = 0;
  return hit;
}

/**
 * Resolves each sub-topology's source patterns against the topics that
 * exist now (an admin `listTopics()`). A pattern never matches the
 * application's own topics (`<applicationId>-…`: changelogs, repartition
 * topics), Kafka's internal `__…` topics, or topics in `exclude` (the
 * dead-letter topic). Matching is JavaScript's `RegExp.test`, so anchor the
 * pattern (`/^us-(east|west)\.transactions$/`) to avoid substring matches.
 *
 * Fails with VIGIL_ERR_CONFIG when a pattern matches no topic (the runtime
 * resolves patterns once, at start, so such a sub-topology would never run)
 * or when one topic would feed two sub-topologies.
 *
 * @returns sub-topology id → matched topics, sorted; only sub-topologies with patterns appear
 */
export function resolveSourcePatterns(
  plan: TopologyPlan,
  applicationId: string,
  existingTopics: readonly string[],
  exclude: readonly string[] = [],
): Map<number, string[]> {
  const result = new Map<number, string[]>();
  const owner = new Map<string, number>();
  for (const s of plan.subtopologies) for (const t of s.sourceTopics) owner.set(t, s.id as number);
  for (const t of plan.global?.sourceTopics ?? []) owner.set(t, -1);
  const excluded = new Set([...plan.internalTopics, ...exclude]);
  const candidates = [...new Set(existingTopics)]
    .filter((t) => !excluded.has(t) && !t.startsWith('__') && !t.startsWith(`${applicationId}-`))
    .sort();
  for (const s of plan.subtopologies) {
    if (s.sourcePatterns.length === 0) continue;
    const id = s.id as number;
    const matched: string[] = [];
    for (const pattern of s.sourcePatterns) {
      const hits = candidates.filter((t) => patternMatches(pattern, t));
      if (hits.length === 0) {
        throw new VigilError(
          'VIGIL_ERR_CONFIG',
          `source pattern ${String(pattern)} of sub-topology ${id} matches no topic; create a matching topic before starting ` +
            '(patterns are resolved once, at start; topics created later are not picked up until a restart)',
        );
      }
      for (const t of hits) {
        const other = owner.get(t);
        if (other !== undefined && other !== id) {
          throw new VigilError(
            'VIGIL_ERR_CONFIG',
            `topic "${t}" matches source pattern ${String(pattern)} of sub-topology ${id} but is already read by ` +
              `${other === -1 ? 'a global store' : `sub-topology ${other}`}; make the pattern exclude it`,
          );
        }
        owner.set(t, id);
        if (!matched.includes(t) && !s.sourceTopics.includes(t)) matched.push(t);
      }
    }
    result.set(id, matched.sort());
  }
  return result;
}

export function changelogTopic(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/**
 * @param externalCounts partition count of each user topic the topology reads; missing means the topic does not exist
 * @param loggedStores sub-topology id → names of its stores with logging enabled
 * @param patternSources sub-topology id → topics its patterns matched ({@link resolveSourcePatterns}); their counts must be in `externalCounts`
 */
export function planTopicLayout(
  plan: TopologyPlan,
  applicationId: string,
  externalCounts: ReadonlyMap<string, number>,
  loggedStores: ReadonlyMap<number, readonly string[]>,
  replicationFactor = 1,
  patternSources: ReadonlyMap<number, readonly string[]> = new Map(),
): TopicLayout {
  for (const t of plan.global?.sourceTopics ?? []) {
    if (!externalCounts.has(t)) {
      throw new VigilError('VIGIL_ERR_CONFIG', `global source topic "${t}" does not exist; create it before starting the application`);
    }
  }
  const internal = new Set(plan.internalTopics);
  const subs = plan.subtopologies.map((s) => ({ id: s.id as number, sources: [...s.sourceTopics, ...(patternSources.get(s.id as number) ?? [])], plan: s }));
  for (const s of subs) {
    if (s.plan.sourcePatterns.length > 0 && !patternSources.has(s.id)) {
      throw new VigilError('VIGIL_ERR_CONFIG', `sub-topology ${s.id} subscribes by pattern, but the pattern was not resolved; pass the matches of resolveSourcePatterns()`);
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
  return { taskCounts, sourceTopics, changelogs, internalTopics: specs, patternSources: new Map([...patternSources].map(([id, ts]) => [id, [...ts]])) };
}
