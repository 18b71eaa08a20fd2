import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../../../src/streams/dsl/windows/internal/min-heap.js';

describe('MinHeap', () => {
  it('pops items by ascending time, and items with equal times in insertion order', () => {
    const heap = new MinHeap<string>();
    for (const [time, item] of [[30, 'c'], [10, 'a1'], [20, 'b'], [10, 'a2'], [5, 'z'], [10, 'a3']] as const) heap.push(time, item);
    const out: string[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual(['z', 'a1', 'a2', 'a3', 'b', 'c']);
  });

  it('peeks the smallest time without removing it, and is empty-safe', () => {
    const heap = new MinHeap<number>();
    expect(heap.peekTime()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
    heap.push(7, 1);
    heap.push(3, 2);
    expect(heap.peekTime()).toBe(3);
    expect(heap.size).toBe(2);
  });
});
