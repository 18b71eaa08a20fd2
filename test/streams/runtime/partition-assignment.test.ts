import { describe, expect, it } from 'vitest';
import { assignCopartitioned, decodeSubscriptionInfo, encodeSubscriptionInfo, unitsOfTasks } from '../../../src/streams/runtime/partition-assignment.js';
import type { MemberSubscription } from '../../../src/streams/runtime/partition-assignment.js';

const plain = (a: ReturnType<typeof assignCopartitioned>): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...a].map(([m, t]) => [m, Object.fromEntries(t)]));

describe('assignCopartitioned', () => {
  it('gives partition p of every topic to the same member', () => {
    const a = assignCopartitioned(['m2', 'm1'], new Map([['clicks', 4], ['users', 4]]));
    expect(plain(a)).toEqual({
      m1: { clicks: [0, 2], users: [0, 2] },
      m2: { clicks: [1, 3], users: [1, 3] },
    });
  });

  it('gives a single member everything', () => {
    expect(plain(assignCopartitioned(['only'], new Map([['t', 3]])))).toEqual({ only: { t: [0, 1, 2] } });
  });

  it('lists members with nothing to do when there are more members than partitions', () => {
    expect(plain(assignCopartitioned(['a', 'b', 'c'], new Map([['t', 2]])))).toEqual({ a: { t: [0] }, b: { t: [1] }, c: {} });
  });

  it('is the same whatever order the members arrive in', () => {
    const counts = new Map([['x', 5]]);
    expect(plain(assignCopartitioned(['c', 'a', 'b'], counts))).toEqual(plain(assignCopartitioned(['b', 'c', 'a'], counts)));
  });
});

const member = (memberId: string, instanceId: string, owned: number[], previous: number[] = owned): MemberSubscription => ({ memberId, info: { instanceId, owned, previous } });
const four = new Map([['clicks', 4], ['users', 4]]);

describe('sticky assignment from the members’ subscription info', () => {
  it('gives a restarted instance (new member id, nothing running) the tasks whose state it kept, whatever its id sorts as', () => {
    // Before: instance a ran 1 and 3; it crashed and came back as "z-new", which round robin would give 1 and 3... or 0 and 2.
    for (const newId of ['0-new', 'z-new']) {
      const a = assignCopartitioned([member('m-b', 'b', [0, 2]), member(newId, 'a', [], [1, 3])], four);
      expect(plain(a)).toEqual({ 'm-b': { clicks: [0, 2], users: [0, 2] }, [newId]: { clicks: [1, 3], users: [1, 3] } });
    }
  });

  it('gives the tasks back after the other instance covered them while the restarted one was away', () => {
    // b ran everything during a's absence (a left the group on close); a comes back with its state on disk for 1 and 3.
    const a = assignCopartitioned([member('m-b', 'b', [0, 1, 2, 3]), member('m-a2', 'a', [], [1, 3])], four);
    expect(plain(a)).toEqual({ 'm-b': { clicks: [0, 2], users: [0, 2] }, 'm-a2': { clicks: [1, 3], users: [1, 3] } });
  });

  it('keeps every task where it runs when a member joins with no state, moving only what balance needs', () => {
    const a = assignCopartitioned([member('m1', 'a', [0, 1, 2]), member('m2', 'b', [3, 4, 5]), member('m3', 'c', [])], new Map([['t', 6]]));
    const moved = [...(a.get('m3')?.get('t') ?? [])];
    expect(moved).toHaveLength(2);
    expect(a.get('m1')?.get('t')?.every((p) => [0, 1, 2].includes(p))).toBe(true);
    expect(a.get('m2')?.get('t')?.every((p) => [3, 4, 5].includes(p))).toBe(true);
  });

  it('hands the tasks of an instance that left for good to the remaining ones, preferring one with their state', () => {
    // c is gone; b once ran 4 (state on disk), so 4 goes to b and 5 to a.
    const a = assignCopartitioned([member('m1', 'a', [0, 1], [0, 1]), member('m2', 'b', [2, 3], [2, 3, 4])], new Map([['t', 6]]));
    expect(plain(a)).toEqual({ m1: { t: [0, 1, 5] }, m2: { t: [2, 3, 4] } });
  });

  it('stays balanced (⌊n/m⌋ or ⌈n/m⌉ each) even when every member claims everything', () => {
    const a = assignCopartitioned([member('m1', 'a', [0, 1, 2, 3, 4]), member('m2', 'b', [0, 1, 2, 3, 4]), member('m3', 'c', [0, 1, 2, 3, 4])], new Map([['t', 5]]));
    const sizes = [...a.values()].map((t) => t.get('t')?.length ?? 0).sort();
    expect(sizes).toEqual([1, 2, 2]);
    expect([...a.values()].flatMap((t) => t.get('t') ?? []).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('ignores units beyond the partition count and unreadable user data', () => {
    expect(decodeSubscriptionInfo(Buffer.from('not json'))).toBeUndefined();
    expect(decodeSubscriptionInfo(Buffer.alloc(0))).toBeUndefined();
    const a = assignCopartitioned([member('m1', 'a', [7]), { memberId: 'm2', info: decodeSubscriptionInfo(Buffer.from('{"v":9}')) }], new Map([['t', 2]]));
    expect(plain(a)).toEqual({ m1: { t: [0] }, m2: { t: [1] } });
  });

  it('round-trips the subscription info and reads task ids as partition units', () => {
    const info = { instanceId: 'fraud-1', owned: unitsOfTasks(['0_3', '1_3', '0_1']), previous: unitsOfTasks(['0_2']) };
    expect(info.owned).toEqual([1, 3]);
    expect(decodeSubscriptionInfo(encodeSubscriptionInfo(info))).toEqual(info);
  });
});
