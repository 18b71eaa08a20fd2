import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../../../src/streams/dsl/windows/join-windows.js';

describe('JoinWindows', () => {
  it('ofTimeDifferenceAndGrace is symmetric: before = after = the difference', () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(10, 3);
    expect([windows.beforeMs, windows.afterMs, windows.size(), windows.gracePeriodMs()]).toEqual([10, 10, 20, 3]);
  });

  it('ofTimeDifferenceWithNoGrace has a zero grace period', () => {
    expect(JoinWindows.ofTimeDifferenceWithNoGrace(10).gracePeriodMs()).toBe(0);
  });

  it('before and after make the window asymmetric without touching the other bound or the grace', () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(10, 3).before(2).after(7);
    expect([windows.beforeMs, windows.afterMs, windows.size(), windows.gracePeriodMs()]).toEqual([2, 7, 9, 3]);
  });

  it('allows a negative bound as long as the window is not empty, as Kafka Streams does', () => {
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-5);
    expect([windows.beforeMs, windows.afterMs]).toEqual([-5, 10]);
  });

  it.each([
    ['a window with before + after < 0', () => JoinWindows.ofTimeDifferenceWithNoGrace(5).before(-6)],
    ['a negative difference', () => JoinWindows.ofTimeDifferenceWithNoGrace(-1)],
    ['a negative grace', () => JoinWindows.ofTimeDifferenceAndGrace(5, -1)],
    ['a fractional after', () => JoinWindows.ofTimeDifferenceWithNoGrace(5).after(0.5)],
  ])('rejects %s with VIGIL_ERR_CONFIG', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });
});
