/**
 * Co-partitioned, sticky assignment. Co-partitioned: partition `p` of every
 * subscribed topic goes to the same member, so a task (one sub-topology ×
 * one partition) sees all of its input partitions on one instance; the
 * unit of assignment is therefore the partition number `p` (tasks `*_p`).
 * Sticky, as Kafka Streams' StreamsPartitionAssignor: each member sends, in
 * its subscription's user data, the tasks it runs now and the tasks whose
 * state it has on disk, and the assignment keeps tasks where they run and
 * gives them back where their state is, as far as balance allows.
 *
 * Rules, in order (every member computes the same answer; the group
 * leader's is the one the broker distributes):
 * 1. Balance: every member gets ⌊n/m⌋ or ⌈n/m⌉ units.
 * 2. A unit stays with the member that runs it. A member running more
 *    than its share keeps first the units no other member has state for.
 * 3. Then a unit goes to a member that has its state on disk (a restarted
 *    instance gets its tasks back).
 * 4. The rest go, in ascending order, to the member with the fewest units.
 * Ties are broken by member id, so the result does not depend on the order
 * members arrive in.
 */
export type Assignment = Map<string, Map<string, number[]>>;

/** What a member says about itself in its subscription (Kafka Streams' SubscriptionInfo, reduced). */
export interface SubscriptionInfo {
  /** The instance's stable id (the member id changes on every join). */
  readonly instanceId: string;
  /** Partition units (`p` of tasks `*_p`) the member runs now. */
  readonly owned: readonly number[];
  /** Partition units whose state the member has on disk (it restores them from a checkpoint). */
  readonly previous: readonly number[];
}

export interface MemberSubscription {
  readonly memberId: string;
  /** Undefined for a member that sent none (or an unreadable one): it gets its share, nothing sticky. */
  readonly info?: SubscriptionInfo | undefined;
}

const VERSION = 1;

export function encodeSubscriptionInfo(info: SubscriptionInfo): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, instance: info.instanceId, owned: info.owned, previous: info.previous }), 'utf8');
}

/** Undefined for empty or foreign user data: such a member is assigned as if it had no state. */
export function decodeSubscriptionInfo(data: Buffer | null | undefined): SubscriptionInfo | undefined {
  if (!data || data.length === 0) return undefined;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { v?: unknown; instance?: unknown; owned?: unknown; previous?: unknown };
    if (parsed.v !== VERSION || typeof parsed.instance !== 'string') return undefined;
    const units = (x: unknown): number[] => (Array.isArray(x) ? x.filter((n): n is number => Number.isInteger(n) && (n as number) >= 0) : []);
    return { instanceId: parsed.instance, owned: units(parsed.owned), previous: units(parsed.previous) };
  } catch {
    return undefined;
  }
}

/** Partition units of task ids `<subtopology>_<partition>`. */
export function unitsOfTasks(taskIds: readonly string[]): number[] {
  const units = new Set<number>();
  for (const id of taskIds) {
    const p = Number(id.slice(id.indexOf('_') + 1));
    if (Number.isInteger(p) && p >= 0) units.add(p);
  }
  return [...units].sort((a, b) => a - b);
}

/**
 * @param members the group's members (any order), as ids or with their subscription info
 * @param partitionCounts subscribed topic → its partition count
 * @returns member → topic → partitions (every member appears, possibly empty)
 */
export function assignCopartitioned(members: ReadonlyArray<string | MemberSubscription>, partitionCounts: ReadonlyMap<string, number>): Assignment {
  const subs = members.map((m) => (typeof m === 'string' ? { memberId: m } : m)).sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result: Assignment = new Map(subs.map((m) => [m.memberId, new Map<string, number[]>()]));
  if (subs.length === 0) return result;
  const unitCount = Math.max(0, ...partitionCounts.values());
  const units = assignUnits(subs, unitCount);
  const topics = [...partitionCounts.keys()].sort();
  for (const [memberId, owned] of units) {
    const byTopic = result.get(memberId) as Map<string, number[]>;
    for (const topic of topics) {
      const ps = owned.filter((p) => p < (partitionCounts.get(topic) ?? 0)).sort((a, b) => a - b);
      if (ps.length > 0) byTopic.set(topic, ps);
    }
  }
  return result;
}

/** The rules of the header, on partition units 0..unitCount-1; `subs` sorted by member id. */
function assignUnits(subs: readonly MemberSubscription[], unitCount: number): Map<string, number[]> {
  const m = subs.length;
  const floor = Math.floor(unitCount / m);
  let ceilings = unitCount % m; // how many members may still take ⌈n/m⌉
  const given = new Map<string, number[]>(subs.map((s) => [s.memberId, []]));
  const owner = new Map<number, string>();
  const valid = (u: number): boolean => u < unitCount;
  const hasRoom = (id: string): boolean => {
    const n = (given.get(id) as number[]).length;
    return n < floor || (n === floor && ceilings > 0);
  };
  const give = (id: string, u: number): void => {
    const list = given.get(id) as number[];
    if (list.length === floor) ceilings--;
    list.push(u);
    owner.set(u, id);
  };
  const stateElsewhere = (u: number, self: string): boolean => subs.some((s) => s.memberId !== self && s.info?.previous.includes(u));

  // 2. Where it runs; the uncontested first, so an overloaded member lets go of what another can resume warm.
  for (const s of subs) {
    const owned = [...new Set(s.info?.owned ?? [])].filter(valid);
    owned.sort((a, b) => Number(stateElsewhere(a, s.memberId)) - Number(stateElsewhere(b, s.memberId)) || a - b);
    for (const u of owned) if (!owner.has(u) && hasRoom(s.memberId)) give(s.memberId, u);
  }
  // 3. Where its state is.
  for (const s of subs) {
    for (const u of [...new Set(s.info?.previous ?? [])].filter(valid).sort((a, b) => a - b)) {
      if (!owner.has(u) && hasRoom(s.memberId)) give(s.memberId, u);
    }
  }
  // 4. The rest to the least loaded (the first by id among equals).
  for (let u = 0; u < unitCount; u++) {
    if (owner.has(u)) continue;
    let best: string | undefined;
    for (const s of subs) {
      if (!hasRoom(s.memberId)) continue;
      if (best === undefined || (given.get(s.memberId) as number[]).length < (given.get(best) as number[]).length) best = s.memberId;
    }
    give(best as string, u);
  }
  return given;
}
