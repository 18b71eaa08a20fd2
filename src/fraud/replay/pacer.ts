/** Wall-clock time for replay, injected so tests run without waiting. */
export interface ReplayClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: ReplayClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Keeps the recorded cadence, scaled: a record whose event time is `d` ms
 * after the first record's is due `d / speed` ms after the first was sent.
 * Due times are absolute, so time spent producing does not add up as drift.
 */
export interface Pacer {
  /** How long to wait before sending a record with this event time (0 when due or late). */
  delayFor(eventTimeMs: number): number;
}

export function createPacer(speed: number, clock: ReplayClock): Pacer {
  let origin: { event: number; wall: number } | undefined;
  return {
    delayFor(eventTimeMs) {
      origin ??= { event: eventTimeMs, wall: clock.now() };
      const due = origin.wall + (eventTimeMs - origin.event) / speed;
      return Math.max(0, due - clock.now());
    },
  };
}
