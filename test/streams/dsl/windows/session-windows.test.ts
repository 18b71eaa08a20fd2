import { describe, expect, it } from 'vitest';
import { SessionWindows } from '../../../../src/streams/dsl/windows/session-windows.js';

describe('SessionWindows', () => {
  it('keeps the inactivity gap and grace it was built with', () => {
    const windows = SessionWindows.ofInactivityGapAndGrace(5, 2);
    expect([windows.inactivityGap(), windows.gracePeriodMs()]).toEqual([5, 2]);
  });

  it('ofInactivityGapWithNoGrace has a zero grace period', () => {
    expect(SessionWindows.ofInactivityGapWithNoGrace(5).gracePeriodMs()).toBe(0);
  });

  it.each([
    ['a zero gap', () => SessionWindows.ofInactivityGapWithNoGrace(0)],
    ['a negative gap', () => SessionWindows.ofInactivityGapWithNoGrace(-5)],
    ['a negative grace', () => SessionWindows.ofInactivityGapAndGrace(5, -1)],
  ])('rejects %s with VIGIL_ERR_CONFIG', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG' }));
  });
});
