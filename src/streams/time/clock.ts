/**
 * The only source of wall-clock time in the engine. Processors and
 * punctuators receive time from here so tests can drive it.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to; used by the TopologyTestDriver. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock cannot go backwards');
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
