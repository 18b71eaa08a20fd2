/**
 * Co-partitioned assignment: partition `p` of every subscribed topic goes to
 * the same member, so a task (one sub-topology × one partition) sees all of
 * its input partitions on one instance. Kafka Streams' StreamsPartitionAssignor
 * does this by task; here the task id is the partition number, which is the
 * same thing once co-partitioning has been checked at start-up.
 *
 * Pure and deterministic: every member computes the same answer, and the
 * group leader's answer is the one the broker distributes.
 */
export type Assignment = Map<string, Map<string, number[]>>;

/**
 * @param memberIds the group's members (any order; sorted here)
 * @param partitionCounts subscribed topic → its partition count
 * @returns member → topic → partitions (every member appears, possibly empty)
 */
export function assignCopartitioned(memberIds: readonly string[], partitionCounts: ReadonlyMap<string, number>): Assignment {
  const members = [...memberIds].sort();
  const result: Assignment = new Map(members.map((m) => [m, new Map<string, number[]>()]));
  if (members.length === 0) return result;
  const topics = [...partitionCounts.keys()].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0;
    for (let p = 0; p < count; p++) {
      const member = members[p % members.length] as string;
      const byTopic = result.get(member) as Map<string, number[]>;
      const list = byTopic.get(topic) ?? [];
      list.push(p);
      byTopic.set(topic, list);
    }
  }
  return result;
}
