import { describe, expect, it } from 'vitest';
import { assignCopartitioned } from '../../../src/streams/runtime/partition-assignment.js';

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
