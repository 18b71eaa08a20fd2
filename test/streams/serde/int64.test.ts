import { describe, expect, it } from 'vitest';
import { readInt64BE, readSafeInt64BE, writeInt64BE } from '../../../src/streams/serde/int64.js';

/** Seeded, so a failure names a value that can be replayed. */
function* values(seed: number, count: number): Generator<number> {
  let s = seed;
  const next = (): number => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_733_400_000_000, -1_733_400_000_000];
  yield* edges;
  for (let i = 0; i < count; i++) {
    const magnitude = 2 ** Math.floor(next() * 54);
    const n = Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.round((next() * 2 - 1) * magnitude)));
    yield n === 0 ? 0 : n; // not -0, which a long cannot hold
  }
}

describe('int64', () => {
  it('writes the same bytes as BigInt, and reads them back', () => {
    const ours = Buffer.alloc(10);
    const theirs = Buffer.alloc(10);
    for (const n of values(7, 5_000)) {
      writeInt64BE(ours, n, 2);
      theirs.writeBigInt64BE(BigInt(n), 2);
      expect(ours.equals(theirs), `${n}`).toBe(true);
      expect(readInt64BE(ours, 2)).toBe(n);
      expect(readSafeInt64BE(ours, 2)).toBe(n);
    }
  });

  it('refuses what is not a safe integer, as BigInt refused fractions', () => {
    const b = Buffer.alloc(8);
    for (const n of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)]) expect(() => writeInt64BE(b, n, 0)).toThrow(RangeError);
  });

  it('reads longs beyond the safe range as Number(bigint) does, or refuses them when asked to be safe', () => {
    const b = Buffer.alloc(8);
    for (const big of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      b.writeBigInt64BE(big, 0);
      expect(readInt64BE(b, 0)).toBe(Number(big));
      expect(() => readSafeInt64BE(b, 0)).toThrow(/does not fit a safe JS integer/);
    }
  });
});
