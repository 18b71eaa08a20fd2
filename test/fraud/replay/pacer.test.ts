import { describe, expect, it } from 'vitest';
import { createPacer, type ReplayClock } from '../../../src/fraud/replay/index.js';

function manualClock(): ReplayClock & { advance(ms: number): void } {
  let t = 1_000;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    advance(ms) {
      t += ms;
    },
  };
}

describe('replay pacer', () => {
  it('sends the first record at once', () => {
    expect(createPacer(10, manualClock()).delayFor(5_000_000)).toBe(0);
  });

  it('spaces records by their event-time gap divided by the speed', () => {
    const clock = manualClock();
    const pacer = createPacer(10, clock);
    pacer.delayFor(0);
    expect(pacer.delayFor(60_000)).toBe(6_000);
    clock.advance(6_000);
    expect(pacer.delayFor(60_000)).toBe(0);
    expect(pacer.delayFor(120_000)).toBe(6_000);
  });

  it('does not accumulate drift: time spent producing shortens the next wait', () => {
    const clock = manualClock();
    const pacer = createPacer(1, clock);
    pacer.delayFor(0);
    clock.advance(700); // producing took 700 ms
    expect(pacer.delayFor(1_000)).toBe(300);
  });

  it('never asks to wait for a record that is already late', () => {
    const clock = manualClock();
    const pacer = createPacer(2, clock);
    pacer.delayFor(0);
    clock.advance(10_000);
    expect(pacer.delayFor(4_000)).toBe(0);
  });
});
