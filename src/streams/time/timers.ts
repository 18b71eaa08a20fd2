/**
 * Where the runtime gets its timers (commit interval, wall-clock
 * punctuation). Injected beside the Clock so tests drive both: a
 * {@link ManualTimers} fires callbacks only when the test advances it.
 */
import type { ManualClock } from './clock.js';

/** An armed timer; pass it to `clear`. */
export interface TimerHandle {
  readonly dueMs: number;
}

export interface Timers {
  /** Calls `callback` once, `delayMs` from now. */
  set(callback: () => void, delayMs: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

interface SystemHandle extends TimerHandle {
  readonly timeout: NodeJS.Timeout;
}

export const systemTimers: Timers = {
  set(callback, delayMs) {
    const handle: SystemHandle = { dueMs: Date.now() + delayMs, timeout: setTimeout(callback, delayMs) };
    return handle;
  },
  clear(handle) {
    clearTimeout((handle as SystemHandle).timeout);
  },
};

interface ManualHandle extends TimerHandle {
  readonly callback: () => void;
  readonly seq: number;
}

/** Timers on a ManualClock: `advance` moves the clock to each due timer in turn and fires it. */
export class ManualTimers implements Timers {
  private pending: ManualHandle[] = [];
  private seq = 0;

  constructor(private readonly clock: ManualClock) {}

  set(callback: () => void, delayMs: number): TimerHandle {
    const handle: ManualHandle = { dueMs: this.clock.now() + Math.max(0, delayMs), callback, seq: this.seq++ };
    this.pending.push(handle);
    return handle;
  }

  clear(handle: TimerHandle): void {
    this.pending = this.pending.filter((h) => h !== handle);
  }

  /** Timers armed and not yet fired, earliest first. */
  get armed(): readonly TimerHandle[] {
    return [...this.pending].sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due, at its due time, in order. */
  advance(ms: number): void {
    const until = this.clock.now() + ms;
    for (;;) {
      const next = this.armed[0] as ManualHandle | undefined;
      if (next === undefined || next.dueMs > until) break;
      this.clear(next);
      if (next.dueMs > this.clock.now()) this.clock.set(next.dueMs);
      next.callback();
    }
    this.clock.set(until);
  }
}
