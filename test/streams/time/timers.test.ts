import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { ManualTimers } from '../../../src/streams/time/timers.js';

describe('ManualTimers', () => {
  it('fires each timer at its due time, in order, while advancing the clock', () => {
    const clock = new ManualClock(100);
    const timers = new ManualTimers(clock);
    const fired: Array<[string, number]> = [];
    timers.set(() => void fired.push(['b', clock.now()]), 20);
    timers.set(() => void fired.push(['a', clock.now()]), 10);
    timers.set(() => void fired.push(['late', clock.now()]), 50);
    timers.advance(30);
    expect(fired).toEqual([
      ['a', 110],
      ['b', 120],
    ]);
    expect(clock.now()).toBe(130);
    expect(timers.armed.map((t) => t.dueMs)).toEqual([150]);
  });

  it('fires a timer set by a callback within the same advance when it falls due, and never a cleared one', () => {
    const clock = new ManualClock(0);
    const timers = new ManualTimers(clock);
    const fired: number[] = [];
    const cleared = timers.set(() => void fired.push(-1), 5);
    timers.clear(cleared);
    const tick = (): void => {
      fired.push(clock.now());
      timers.set(tick, 10);
    };
    timers.set(tick, 10);
    timers.advance(35);
    expect(fired).toEqual([10, 20, 30]);
  });
});
