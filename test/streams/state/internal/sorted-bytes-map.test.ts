import { describe, expect, it } from 'vitest';
import { SortedBytesMap } from '../../../../src/streams/state/internal/sorted-bytes-map.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const keys = (it: Iterable<[Buffer, unknown]>) => [...it].map(([k]) => k.toString('latin1'));

/** A tiny deterministic RNG (mulberry32) so the model test is reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SortedBytesMap', () => {
  it('iterates in unsigned byte order', () => {
    const map = new SortedBytesMap<number>();
    for (const k of ['b', '\u00ff', 'a', '\u0000', 'ab']) map.set(b(k), 1);
    expect(keys(map.entries())).toEqual(['\u0000', 'a', 'ab', 'b', '\u00ff']);
  });

  it('honours gte, lte and lt bounds, forwards and in reverse', () => {
    const map = new SortedBytesMap<number>();
    for (const k of ['a', 'b', 'c', 'd', 'e']) map.set(b(k), 1);
    expect(keys(map.entries({ gte: b('b'), lte: b('d') }))).toEqual(['b', 'c', 'd']);
    expect(keys(map.entries({ gte: b('b'), lt: b('d') }))).toEqual(['b', 'c']);
    expect(keys(map.entries({ gte: b('b'), lte: b('d'), reverse: true }))).toEqual(['d', 'c', 'b']);
    expect(keys(map.entries({ lt: b('c'), reverse: true }))).toEqual(['b', 'a']);
    expect(keys(map.entries({ gte: b('bb'), lte: b('cc') }))).toEqual(['c']);
  });

  it('keeps iterating correctly when entries are inserted and deleted mid-iteration', () => {
    const map = new SortedBytesMap<number>();
    for (let i = 0; i < 1000; i++) map.set(b(`k${String(i).padStart(4, '0')}`), i);
    const seen: number[] = [];
    for (const [key, value] of map.entries()) {
      seen.push(value);
      // delete the next key and insert one far ahead
      map.delete(b(`k${String(value + 1).padStart(4, '0')}`));
      if (value === 10) map.set(b('k9999'), 9999);
      if (key.toString() === 'k0500') map.set(b('k0000'), -1); // behind the cursor: not revisited
    }
    const expected = [];
    for (let i = 0; i < 1000; i += 2) expected.push(i);
    expected.push(9999);
    expect(seen).toEqual(expected);
  });

  it('keeps iterating correctly in reverse when entries are deleted mid-iteration', () => {
    const map = new SortedBytesMap<number>();
    for (let i = 0; i < 600; i++) map.set(b(`k${String(i).padStart(4, '0')}`), i);
    const seen: number[] = [];
    for (const [, value] of map.entries({ reverse: true })) {
      seen.push(value);
      map.delete(b(`k${String(value - 1).padStart(4, '0')}`));
    }
    const expected = [];
    for (let i = 599; i >= 0; i -= 2) expected.push(i);
    expect(seen).toEqual(expected);
  });

  it('matches a sorted-array model over random puts, deletes and range reads', () => {
    const random = rng(7);
    const map = new SortedBytesMap<number>();
    const model = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const key = String(Math.floor(random() * 3000)).padStart(4, '0');
      if (random() < 0.3) {
        expect(map.delete(b(key))).toBe(model.delete(key));
      } else {
        map.set(b(key), step);
        model.set(key, step);
      }
    }
    const sorted = [...model.keys()].sort();
    expect(map.size).toBe(model.size);
    expect(keys(map.entries())).toEqual(sorted);
    expect(keys(map.entries({ gte: b('1000'), lte: b('1999') }))).toEqual(sorted.filter((k) => k >= '1000' && k <= '1999'));
    expect(keys(map.entries({ reverse: true }))).toEqual([...sorted].reverse());
    for (const key of sorted.slice(0, 50)) expect(map.get(b(key))).toBe(model.get(key));
  });
});
