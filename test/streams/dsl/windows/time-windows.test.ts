import { describe, expect, it } from 'vitest';
import { TimeWindows } from '../../../../src/streams/dsl/windows/time-windows.js';

const bounds = (windows: ReadonlyMap<number, { start: number; end: number }>) =>
  [...windows.entries()].map(([start, w]) => [start, w.start, w.end]);

describe('TimeWindows', () => {
  it('a tumbling window of 10 ms puts timestamp 0 in [0, 10)', () => {
    expect(bounds(TimeWindows.ofSizeWithNoGrace(10).windowsFor(0))).toEqual([[0, 0, 10]]);
  });

  it('a tumbling window puts the last millisecond before a boundary in the earlier window', () => {
    expect(bounds(TimeWindows.ofSizeWithNoGrace(10).windowsFor(9))).toEqual([[0, 0, 10]]);
  });

  it('a tumbling window puts a timestamp on a boundary in the window that starts there (end is exclusive)', () => {
    expect(bounds(TimeWindows.ofSizeWithNoGrace(10).windowsFor(10))).toEqual([[10, 10, 20]]);
  });

  it('tumbling windows are aligned to the epoch, not to the first record', () => {
    expect(bounds(TimeWindows.ofSizeWithNoGrace(60_000).windowsFor(1_700_000_123_456))).toEqual([
      [1_700_000_100_000, 1_700_000_100_000, 1_700_000_160_000],
    ]);
  });

  it('hopping windows of size 10 advancing by 5 give two overlapping windows for timestamp 12', () => {
    const hopping = TimeWindows.ofSizeWithNoGrace(10).advanceBy(5);
    expect(bounds(hopping.windowsFor(12))).toEqual([
      [5, 5, 15],
      [10, 10, 20],
    ]);
  });

  it('hopping windows of size 10 advancing by 3 give every window holding timestamp 9, in start order', () => {
    const hopping = TimeWindows.ofSizeWithNoGrace(10).advanceBy(3);
    expect(bounds(hopping.windowsFor(9))).toEqual([
      [0, 0, 10],
      [3, 3, 13],
      [6, 6, 16],
      [9, 9, 19],
    ]);
  });

  it('hopping windows never start before the epoch', () => {
    const hopping = TimeWindows.ofSizeWithNoGrace(10).advanceBy(5);
    expect(bounds(hopping.windowsFor(3))).toEqual([[0, 0, 10]]);
  });

  it('advanceBy keeps the size and grace and is tumbling only when advance equals size', () => {
    const tumbling = TimeWindows.ofSizeAndGrace(10, 4);
    const hopping = tumbling.advanceBy(5);
    expect([hopping.size(), hopping.advanceMs, hopping.gracePeriodMs()]).toEqual([10, 5, 4]);
    expect(tumbling.isTumbling()).toBe(true);
    expect(hopping.isTumbling()).toBe(false);
    expect(tumbling.advanceBy(10).isTumbling()).toBe(true);
  });

  it('ofSizeWithNoGrace has a zero grace period', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).gracePeriodMs()).toBe(0);
  });

  it('is immutable', () => {
    const windows = TimeWindows.ofSizeAndGrace(10, 2);
    expect(Object.isFrozen(windows)).toBe(true);
    expect(Object.isFrozen(windows.windowsFor(5).get(0))).toBe(true);
  });

  it.each([
    ['a zero size', () => TimeWindows.ofSizeWithNoGrace(0)],
    ['a negative size', () => TimeWindows.ofSizeWithNoGrace(-1)],
    ['a fractional size', () => TimeWindows.ofSizeWithNoGrace(1.5)],
    ['a negative grace', () => TimeWindows.ofSizeAndGrace(10, -1)],
    ['a zero advance', () => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)],
    ['an advance larger than the size', () => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)],
  ])('rejects %s with VIGIL_ERR_CONFIG', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });
});
