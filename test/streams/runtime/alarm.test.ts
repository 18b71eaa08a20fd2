import { describe, expect, it } from 'vitest';
import { Alarm } from '../../../src/streams/runtime/alarm.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { ManualTimers } from '../../../src/streams/time/timers.js';

function alarm() {
  const clock = new ManualClock(0);
  const timers = new ManualTimers(clock);
  const fired: number[] = [];
  return { a: new Alarm(timers, clock, () => void fired.push(clock.now())), timers, fired, clock };
}

describe('Alarm', () => {
  it('fires once at its deadline and reports it due from then on', () => {
    const { a, timers, fired } = alarm();
    a.arm(40);
    timers.advance(39);
    expect([fired, a.isDue()]).toEqual([[], false]);
    timers.advance(10);
    expect([fired, a.isDue()]).toEqual([[40], true]);
  });

  it('re-arms for an earlier deadline, and keeps a single timer when armed again for the same one', () => {
    const { a, timers, fired } = alarm();
    a.arm(40);
    a.arm(40);
    a.arm(15);
    expect(timers.armed.map((t) => t.dueMs)).toEqual([15]);
    timers.advance(50);
    expect(fired).toEqual([15]);
  });

  it('disarms on clear or an undefined deadline', () => {
    const { a, timers, fired } = alarm();
    a.arm(10);
    a.arm(undefined);
    a.arm(20);
    a.clear();
    timers.advance(30);
    expect([fired, a.dueMs]).toEqual([[], undefined]);
  });
});
