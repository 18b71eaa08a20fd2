import { describe, expect, it } from 'vitest';
import { SlidingWindows } from '../../../../src/streams/dsl/windows/sliding-windows.js';

describe('SlidingWindows', () => {
  it('keeps the time difference and grace it was built with', () => {
    const windows = SlidingWindows.ofTimeDifferenceAndGrace(10, 3);
    expect([windows.timeDifferenceMs, windows.size(), windows.gracePeriodMs()]).toEqual([10, 10, 3]);
  });

  it('ofTimeDifferenceWithNoGrace has a zero grace period', () => {
    expect(SlidingWindows.ofTimeDifferenceWithNoGrace(10).gracePeriodMs()).toBe(0);
  });

  it('accepts a zero time difference, as Kafka Streams does', () => {
    expect(SlidingWindows.ofTimeDifferenceWithNoGrace(0).size()).toBe(0);
  });

  it.each([
    ['a negative time difference', () => SlidingWindows.ofTimeDifferenceWithNoGrace(-1)],
    ['a negative grace', () => SlidingWindows.ofTimeDifferenceAndGrace(10, -1)],
    ['a non-integer grace', () => SlidingWindows.ofTimeDifferenceAndGrace(10, Number.NaN)],
  ])('rejects %s with VIGIL_ERR_CONFIG', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });
});
